// pacemaker: the cluster resource manager over corosync (seed 002), and the cluster's
// configuration as data: primitives, groups, order constraints and cluster properties.
// The configuration lives in the CIB, one per cluster: one node (pacemaker_config_node,
// default the group's first host) compares it and applies what differs. The comparison is
// crmsh's own (facts.ts): the wanted objects are loaded into an empty shadow CIB and both
// are printed by `crm configure show`, so formatting never counts as a difference; only
// differing objects are loaded (`crm configure load update`) and only differing
// properties set.
import { type Change, defineRole, packages, type Plan, service, sh, z } from '../../src/sdk.ts'
import { cibComparison, type CibComparison, kv } from './facts.ts'

const Id = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/)
const Word = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .pipe(z.string().regex(/^[^\s"'\\]+$/, 'no spaces or quotes'))
const Primitive = z.object({
  id: Id.describe("The resource's id in the cluster configuration (ip1, ip2, ldirectord…)."),
  agent: z
    .string()
    .regex(/^[a-z]+(:[A-Za-z0-9_-]+){1,2}$/)
    .describe('ocf:heartbeat:IPaddr2, ocf:heartbeat:ldirectord, systemd:apache2…'),
  params: z
    .record(z.string(), Word)
    .default({})
    .describe("The agent's parameters (ip, cidr_netmask, nic, configfile…)."),
  ops: z
    .array(
      z.object({
        name: z
          .string()
          .regex(/^[a-z_-]+$/)
          .describe('The operation: monitor, start, stop…'),
        interval: Word.optional().describe('How often it runs (15s).'),
        timeout: Word.optional().describe('How long it may take (20s).'),
      }),
    )
    .default([])
    .describe('Operations with their interval and timeout (the seed: monitor interval 15s timeout 20s).'),
  meta: z.record(z.string(), Word).default({}).describe('Meta attributes (the seed: migration-threshold 10).'),
})
const Vars = z.object({
  pacemaker_group: z.string().describe('The inventory group whose hosts run Pacemaker (the directors).'),
  pacemaker_config_node: z
    .string()
    .optional()
    .describe("The node that compares and applies the cluster configuration (default: the group's first " + 'host).'),
  pacemaker_properties: z
    .record(z.string().regex(/^[a-z-]+$/), Word)
    .default({})
    .describe('Cluster properties (the seed: stonith-enabled false, no-quorum-policy ignore).'),
  pacemaker_primitives: z.array(Primitive).default([]).describe("The cluster's primitive resources."),
  pacemaker_groups: z
    .array(
      z.object({
        id: Id.describe("The group's id."),
        members: z.array(Id).min(1).describe('Its resources, started in this order on one node.'),
      }),
    )
    .default([])
    .describe('Resource groups: members run together on one node (the seed: ip1, ip2, ldirectord).'),
  pacemaker_orders: z
    .array(
      z.object({
        id: Id.describe("The constraint's id."),
        kind: z
          .enum(['Mandatory', 'Optional', 'Serialize'])
          .default('Mandatory')
          .describe('Mandatory (the seed), Optional or Serialize.'),
        sequence: z.array(Id).min(2).describe('The resources, in the order they start.'),
      }),
    )
    .default([])
    .describe('Order constraints between resources.'),
  pacemaker_ready_timeout: z
    .number()
    .int()
    .positive()
    .default(180)
    .describe('How long the first run waits for the cluster to elect its DC before configuring it (s).'),
})
export type PacemakerVars = z.output<typeof Vars>

/** The wanted objects in crm shell syntax, one per line, and their ids. */
export function crmConfiguration(
  v: Pick<PacemakerVars, 'pacemaker_primitives' | 'pacemaker_groups' | 'pacemaker_orders'>,
): { text: string; ids: string[] } {
  const lines: string[] = []
  for (const p of v.pacemaker_primitives) {
    let l = `primitive ${p.id} ${p.agent}`
    if (Object.keys(p.params).length) l += ` params ${kv(p.params)}`
    for (const o of p.ops)
      l += ` op ${o.name}${o.interval ? ` interval=${o.interval}` : ''}${o.timeout ? ` timeout=${o.timeout}` : ''}`
    if (Object.keys(p.meta).length) l += ` meta ${kv(p.meta)}`
    lines.push(l)
  }
  for (const g of v.pacemaker_groups) lines.push(`group ${g.id} ${g.members.join(' ')}`)
  for (const o of v.pacemaker_orders) lines.push(`order ${o.id} ${o.kind}: ${o.sequence.join(' ')}`)
  const ids = [
    ...v.pacemaker_primitives.map((p) => p.id),
    ...v.pacemaker_groups.map((g) => g.id),
    ...v.pacemaker_orders.map((o) => o.id),
  ]
  return { text: lines.join('\n') + '\n', ids }
}

export function planCib(v: PacemakerVars, text: string, cib: CibComparison, check: boolean): Plan {
  if (!cib.ready) {
    if (check) return { changes: [{ summary: 'configure the cluster once it runs', command: ':' }] }
    throw new Error(
      `the cluster did not elect a DC within ${v.pacemaker_ready_timeout} s (crm_mon -1): ` +
        `corosync and pacemaker must run on the group's nodes; see crm_mon -1 and journalctl -u corosync -u pacemaker`,
    )
  }
  if (!cib.wanted)
    throw new Error(
      'crmsh could not render the wanted configuration in a shadow CIB: check the primitives (crm configure verify)',
    )
  const changes: Change[] = []
  // Properties first: crmsh refuses resources while STONITH is on and no fencing exists.
  const props = Object.entries(v.pacemaker_properties).filter(([k, val]) => cib.properties[k] !== val)
  if (props.length)
    changes.push({
      summary: `set ${props.map(([k, val]) => `${k}=${val}`).join(', ')}`,
      command: sh`crm configure property ${props.map(([k, val]) => `${k}=${val}`)}`,
    })
  if (cib.live !== cib.wanted)
    changes.push({
      summary: cib.live
        ? 'update the cluster objects that differ from the inventory'
        : 'load the cluster configuration',
      diff: { path: 'CIB (crm configure show)', before: cib.live ? cib.live + '\n' : '', after: cib.wanted + '\n' },
      command: 'f=$(mktemp) && cat > "$f" && crm configure load update "$f"; r=$?; rm -f "$f"; exit $r',
      display: 'crm configure load update <the wanted objects>',
      stdin: text,
    })
  return changes.length ? { changes } : { changes, noop: 'the CIB holds the wanted objects and properties' }
}

export default defineRole({
  name: 'pacemaker',
  vars: Vars,
  tasks: ({ vars, hostsOf, host }) => {
    const members = hostsOf(vars.pacemaker_group).map((h) => h.name)
    const configNode = vars.pacemaker_config_node ?? members[0]
    if (!members.includes(configNode))
      throw new Error(
        `pacemaker_config_node "${configNode}" is not in group "${vars.pacemaker_group}" (${members.join(', ')})`,
      )
    const { text, ids } = crmConfiguration(vars)
    return [
      packages({ names: ['pacemaker', 'crmsh'] }),
      service({ service: 'pacemaker', state: 'started', enabled: true }),
      {
        name: 'cluster configuration (CIB)',
        skip: host.name === configNode ? false : `${configNode} configures the cluster (one CIB per cluster)`,
        // Read once the services run: not prefetched.
        plan: async (ctx) => planCib(vars, text, await ctx.fact(cibComparison(vars, text, ids)), ctx.mode.check),
      },
    ]
  },
})
