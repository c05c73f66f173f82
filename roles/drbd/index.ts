// drbd: drbd-utils, global_common.conf and one .res file per resource, each validated by
// `drbdadm dump` before it goes live. Without the drbd kernel module the role fails
// before changing anything — or, when the inventory marks it configuration only (a
// container lab), writes and checks the configuration and says so on the recap.
import { z } from 'zod'
import { defineRole } from '../../src/engine/role.ts'
import { addressOf } from '../../src/inventory/addresses.ts'
import { packages } from '../../src/ops/package.ts'
import { requireKernel } from '../../src/ops/require-kernel.ts'
import { template } from '../../src/ops/template.ts'
import type { Task } from '../../src/engine/types.ts'

/** DRBD's own configuration syntax, as nested data: { net: { 'cram-hmac-alg': 'sha1' } }. */
type Section = { [key: string]: string | number | boolean | Section }
const SectionSchema: z.ZodType<Section> = z.lazy(() => z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), SectionSchema])))

const Resource = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/),
  device: z.string().startsWith('/dev/'),
  /** Backing disk on every node (per-node override: host var drbd_disk). */
  disk: z.string().startsWith('/dev/'),
  port: z.number().int().min(1).max(65535),
  meta_disk: z.string().default('internal'),
  /** Inventory group whose hosts replicate this resource. */
  group: z.string(),
  /** Interface (or CIDR) whose address DRBD replicates over. */
  interface: z.string().optional(),
  network: z.string().optional(),
  /** Sections inside the resource (protocol, handlers, startup, disk, net, syncer). */
  options: SectionSchema.default({}),
})

export default defineRole({
  name: 'drbd',
  vars: z.object({
    drbd_resources: z.array(Resource).min(1),
    drbd_global: SectionSchema.default({ 'usage-count': 'no' }),
    /** The `common { }` section of global_common.conf. */
    drbd_common: SectionSchema.default({}),
    configuration_only: z.array(z.string()).default([]),
  }),
  tasks: ({ vars, inventory, template: render }) => {
    const configOnly = vars.configuration_only.includes('drbd')
    const tasks: Task[] = [
      requireKernel({ role: 'drbd', modules: ['drbd'], configurationOnly: configOnly }),
      packages({ names: ['drbd-utils'] }),
      template({ path: '/etc/drbd.d/global_common.conf', template: 'global_common.conf.ejs', rendered: render('global_common.conf.ejs', { renderSection }), mode: '0644' }),
    ]
    for (const res of vars.drbd_resources) {
      const nodes = [...inventory.hosts.values()]
        .filter((h) => h.groups.includes(res.group))
        .map((h) => ({ name: h.name, disk: String(h.vars.drbd_disk ?? res.disk), address: addressOf(h, { interface: res.interface, network: res.network }) }))
      if (nodes.length < 2) throw new Error(`drbd resource ${res.name}: group "${res.group}" has ${nodes.length} host(s); DRBD replicates between two`)
      tasks.push(
        template({
          path: `/etc/drbd.d/${res.name}.res`,
          template: 'resource.res.ejs',
          rendered: render('resource.res.ejs', { res, nodes, renderSection }),
          mode: '0600', // holds the shared secret
          sensitive: true,
          // The candidate with the live global_common.conf, parsed by drbdadm itself.
          validate: 'c=$(mktemp) && { echo \'include "/etc/drbd.d/global_common.conf";\'; echo "include \\"%s\\";"; } > "$c" && drbdadm -c "$c" dump all >/dev/null; r=$?; rm -f "$c"; [ $r -eq 0 ]',
        }),
      )
    }
    return tasks
  },
})

/** `net { cram-hmac-alg sha1; shared-secret "x"; }` — strings are quoted where DRBD needs it. */
export function renderSection(section: Section, indent = '\t'): string {
  return Object.entries(section)
    .map(([k, v]) => {
      if (typeof v === 'object') return `${indent}${k} {\n${renderSection(v, indent + '\t')}\n${indent}}`
      if (v === true) return `${indent}${k};`
      if (v === false) return `${indent}${k} no;`
      const text = String(v)
      return `${indent}${k} ${/^[A-Za-z0-9_.:/-]+$/.test(text) ? text : JSON.stringify(text)};`
    })
    .join('\n')
}
