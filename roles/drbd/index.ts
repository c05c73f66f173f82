// drbd: drbd-utils, global_common.conf and one .res file per resource, each validated by
// `drbdadm dump` before it goes live; then each resource's bring-up (bring-up.ts):
// metadata, up, and on the first bring-up only, the initial overwrite and mkfs on the
// designated node, leaving it Secondary for heartbeat — or, for a dual-primary resource
// (under OCFS2), Primary on both once UpToDate, with a boot unit that waits for the peer.
// Without the drbd kernel module the role fails before changing anything — or, when the
// inventory marks it configuration only (a container lab), writes and checks the
// configuration, brings nothing up, and says so on the recap.
import {
  addressOf,
  command,
  daemonReload,
  defineRole,
  file,
  packages,
  requireKernel,
  service,
  sh,
  type RoleContext,
  type Task,
  template,
  z,
} from '../../src/sdk.ts'
import { defaultMkfsOptions, initialSyncTask, metadataTask, moduleTask, primaryTask, upTask } from './bring-up.ts'

/** DRBD's own configuration syntax, as nested data: { net: { 'cram-hmac-alg': 'sha1' } }. */
type Section = { [key: string]: string | number | boolean | Section }
const SectionSchema: z.ZodType<Section> = z.lazy(() =>
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), SectionSchema])),
)

const Resource = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .describe("The resource's name (r0, drbd): /etc/drbd.d/NAME.res."),
  device: z.string().startsWith('/dev/').describe('The DRBD device (/dev/drbd0).'),
  disk: z.string().startsWith('/dev/').describe('Backing disk on every node (per-node override: host var drbd_disk).'),
  port: z.number().int().min(1).max(65535).describe('TCP port of the replication link (7789 / 7793 in the seeds).'),
  meta_disk: z
    .string()
    .default('internal')
    .describe('Where DRBD keeps its metadata: internal (end of the disk) or a device.'),
  group: z.string().describe('Inventory group whose hosts replicate this resource.'),
  interface: z.string().optional().describe('Interface (or CIDR) whose address DRBD replicates over.'),
  network: z
    .string()
    .optional()
    .describe('Network (CIDR) whose address DRBD replicates over, when no interface is given.'),
  options: SectionSchema.default({}).describe(
    'Sections inside the resource (protocol, handlers, startup, disk, net, syncer).',
  ),
  initial_primary: z
    .string()
    .optional()
    .describe(
      'The node that, on the first bring-up only (both nodes Inconsistent, no filesystem), ' +
        'overwrites its peer and makes `filesystem` on the device. Without it the resource is ' +
        'brought up and left Inconsistent.',
    ),
  dual_primary: z
    .boolean()
    .default(false)
    .describe(
      'Both nodes Primary (for a cluster filesystem such as OCFS2; the options must allow it: net ' +
        '{ allow-two-primaries }). The first bring-up leaves initial_primary Primary; the other ' +
        'node is promoted once both disks are UpToDate; at boot a unit waits for the peer before ' +
        'promoting (halab-drbd-NAME.service).',
    ),
  filesystem: z
    .string()
    .regex(/^[a-z0-9]+$/)
    .optional()
    .describe('Filesystem made on the device on its first bring-up by initial_primary (ext4); none for dual primary.'),
  mkfs_options: z
    .array(z.string())
    .optional()
    .describe('mkfs options (default for ext2/3/4: -q -E nodiscard; xfs: -q -K).'),
})

const Vars = z.object({
  drbd_resources: z.array(Resource).min(1).describe('The DRBD resources.'),
  drbd_global: SectionSchema.default({ 'usage-count': 'no' }).describe(
    'The `global { }` section of global_common.conf (the seeds: usage-count no).',
  ),
  drbd_common: SectionSchema.default({}).describe('The `common { }` section of global_common.conf.'),
  drbd_connect_timeout: z
    .number()
    .int()
    .positive()
    .default(60)
    .describe('How long a first bring-up waits for the peer to connect before it gives up (seconds).'),
  drbd_sync_timeout: z
    .number()
    .int()
    .positive()
    .default(300)
    .describe('How long promoting a dual-primary node waits for the initial sync (seconds).'),
  drbd_boot_wait: z
    .number()
    .int()
    .positive()
    .default(120)
    .describe('At boot, how long a dual-primary resource waits for its peer before giving up (seconds).'),
})
type DrbdVars = z.infer<typeof Vars>
type DrbdResource = DrbdVars['drbd_resources'][number]
/** A node of a resource: the host, its backing disk and its replication address. */
type Node = { name: string; disk: string; address: string }

export default defineRole({
  name: 'drbd',
  kernel: ['drbd'],
  vars: Vars,
  tasks: ({ vars, hostsOf, configurationOnly, host, render }) => {
    const configOnly = configurationOnly('drbd')
    // A changed config reaches a running resource through `drbdadm adjust` (handler).
    const notify = configOnly ? undefined : ['adjust drbd']
    const tasks: Task[] = [
      requireKernel({ role: 'drbd', modules: ['drbd'], configurationOnly: configOnly }),
      packages({ names: ['drbd-utils'] }),
      template({
        path: '/etc/drbd.d/global_common.conf',
        rendered: render('global_common.conf.ejs', { renderSection }),
        mode: '0644',
        notify,
      }),
    ]
    const bringUps: Task[] = []
    for (const res of vars.drbd_resources) {
      const nodes = hostsOf(res.group).map((h) => ({
        name: h.name,
        disk: String(h.vars.drbd_disk ?? res.disk),
        address: addressOf(h, { interface: res.interface, network: res.network }),
      }))
      checkResource(res, nodes, vars)
      tasks.push(
        template({
          path: `/etc/drbd.d/${res.name}.res`,
          rendered: render('resource.res.ejs', { res, nodes, renderSection }),
          mode: '0600', // holds the shared secret
          sensitive: true,
          // The candidate with the live global_common.conf, parsed by drbdadm itself.
          validate: VALIDATE_RESOURCE,
          notify,
        }),
      )
      const me = nodes.find((n) => n.name === host.name)
      if (configOnly || !me) continue
      const peer = nodes.find((n) => n.name !== host.name)!
      bringUps.push(...bringUpTasks(res, me, peer, vars, host.name, render))
    }
    if (bringUps.length) {
      tasks.push(moduleTask())
      if (vars.drbd_resources.some((r) => r.dual_primary))
        tasks.push(
          file({ path: '/usr/local/sbin/halab-drbd-ready', content: render('halab-drbd-ready.ejs'), mode: '0755' }),
        )
      tasks.push(...bringUps)
    }
    return tasks
  },
  handlers: ({ vars }) => ({
    // Only resources that are up: adjust would bring a down one up, outside its guards.
    'adjust drbd': command({
      name: 'drbdadm adjust the resources that are up',
      command: vars.drbd_resources
        .map((r) => sh`if drbdadm cstate ${r.name} >/dev/null 2>&1; then drbdadm adjust ${r.name}; fi`)
        .join(' && '),
    }),
  }),
})

/** `drbdadm dump` of a candidate .res file (%s) with the live global_common.conf. */
const VALIDATE_RESOURCE =
  'c=$(mktemp) && { echo \'include "/etc/drbd.d/global_common.conf";\'; echo "include \\"%s\\";"; } > "$c" && ' +
  'drbdadm -c "$c" dump all >/dev/null; r=$?; rm -f "$c"; [ $r -eq 0 ]'

/** A topology the resource cannot have: fewer than two nodes, a stranger as initial_primary, ... */
function checkResource(res: DrbdResource, nodes: Node[], vars: DrbdVars): void {
  const where = `drbd resource ${res.name}`
  if (nodes.length < 2)
    throw new Error(`${where}: group "${res.group}" has ${nodes.length} host(s); DRBD replicates between two`)
  if (res.initial_primary !== undefined && !nodes.some((n) => n.name === res.initial_primary))
    throw new Error(
      `${where}: initial_primary "${res.initial_primary}" is not one of its nodes ` +
        `(${nodes.map((n) => n.name).join(', ')})`,
    )
  if (res.dual_primary) {
    const net = { ...sectionOf(vars.drbd_common, 'net'), ...sectionOf(res.options, 'net') }
    if (net['allow-two-primaries'] !== true && net['allow-two-primaries'] !== 'yes')
      throw new Error(
        `${where}: dual_primary needs net { allow-two-primaries } in its options or in drbd_common ` +
          '(DRBD refuses a second Primary without it)',
      )
    if (res.filesystem !== undefined)
      throw new Error(
        `${where}: dual_primary with filesystem ${res.filesystem}: a filesystem mounted on two Primaries ` +
          'must be a cluster filesystem made by its own role (ocfs2), not by the drbd role',
      )
  }
  if (res.filesystem !== undefined && res.initial_primary === undefined)
    throw new Error(
      `${where}: filesystem ${res.filesystem} needs initial_primary, the node that makes it on the first bring-up`,
    )
}

/** This node's bring-up of one resource; for a dual-primary one, also its promotion and boot unit. */
function bringUpTasks(
  res: DrbdResource,
  me: Node,
  peer: Node,
  vars: DrbdVars,
  hostName: string,
  render: RoleContext<DrbdVars>['render'],
): Task[] {
  const spec = {
    resource: res.name,
    device: res.device,
    disk: me.disk,
    initialPrimary: res.initial_primary,
    peer: peer.name,
    filesystem: res.filesystem,
    mkfsOptions: res.mkfs_options ?? (res.filesystem ? defaultMkfsOptions(res.filesystem) : []),
    connectTimeout: vars.drbd_connect_timeout,
    dualPrimary: res.dual_primary,
    syncTimeout: vars.drbd_sync_timeout,
  }
  const tasks = [metadataTask(spec), upTask(spec), initialSyncTask(spec, hostName)]
  if (!res.dual_primary) return tasks
  const unit = `halab-drbd-${res.name}.service`
  return [
    ...tasks,
    primaryTask(spec),
    template({ path: `/etc/systemd/system/${unit}`, rendered: render('ready.service.ejs', { res }), mode: '0644' }),
    daemonReload([unit]),
    // Started now too: it finds the resource Primary and returns at once, and units
    // that require it (the cluster filesystem's mount) see it active.
    service({ service: unit.replace(/\.service$/, ''), state: 'started', enabled: true }),
  ]
}

function sectionOf(section: Section, name: string): Section {
  const v = section[name]
  return typeof v === 'object' ? v : {}
}

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
