// What `crm_mon -1 --output-as=xml` says about a Pacemaker cluster, as data: which nodes
// are online, where each resource of a group runs, and a resource's fail count against
// its migration threshold on a node (the figures `crm_mon --failcounts` shows).

export interface ClusterStatus {
  online: string[]
  /** Resource id → the nodes it is active on. */
  running: Map<string, string[]>
  /** Resources Started, not failed, with no start or stop pending (a recovery in progress is not settled). */
  settled: Set<string>
  /** Group id → its member resource ids. */
  groups: Map<string, string[]>
  /** `${node}/${resource}` → its history's fail count and migration threshold. */
  failures: Map<string, { failCount: number; migrationThreshold: number }>
  dc?: string
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]

export function parseCrmMon(xml: string): ClusterStatus {
  const online = [...xml.matchAll(/<node\s[^>]*\bonline="true"[^>]*>/g)].map((m) => attr(m[0], 'name')!).filter(Boolean)
  const running = new Map<string, string[]>()
  const settled = new Set<string>()
  const groups = new Map<string, string[]>()
  const resourcesXml = /<resources>([\s\S]*?)<\/resources>/.exec(xml)?.[1] ?? ''
  for (const g of resourcesXml.matchAll(/<group\s([^>]*)>([\s\S]*?)<\/group>/g))
    groups.set(
      attr(` ${g[1]}`, 'id')!,
      [...g[2].matchAll(/<resource\s[^>]*>/g)].map((r) => attr(r[0], 'id')!),
    )
  for (const r of resourcesXml.matchAll(/<resource\s([^>]*?)(\/>|>([\s\S]*?)<\/resource>)/g)) {
    const id = attr(` ${r[1]}`, 'id')!
    const active = attr(` ${r[1]}`, 'active') === 'true'
    const pending = attr(` ${r[1]}`, 'pending')
    if (
      active &&
      attr(` ${r[1]}`, 'role') === 'Started' &&
      attr(` ${r[1]}`, 'failed') === 'false' &&
      (pending === undefined || pending === 'Monitoring')
    )
      settled.add(id)
    running.set(id, active ? [...(r[3] ?? '').matchAll(/<node\s[^>]*>/g)].map((n) => attr(n[0], 'name')!) : [])
  }
  const failures = new Map<string, { failCount: number; migrationThreshold: number }>()
  const historyXml = /<node_history>([\s\S]*?)<\/node_history>/.exec(xml)?.[1] ?? ''
  for (const n of historyXml.matchAll(/<node\s+name="([^"]+)"[^>]*>([\s\S]*?)<\/node>/g))
    for (const h of n[2].matchAll(/<resource_history\s[^>]*>/g))
      failures.set(`${n[1]}/${attr(h[0], 'id')}`, {
        failCount: Number(attr(h[0], 'fail-count') ?? 0),
        migrationThreshold: Number(attr(h[0], 'migration-threshold') ?? 1000000),
      })
  const dc = /<current_dc\s[^>]*\bpresent="true"[^>]*>/.exec(xml)
  return { online, running, settled, groups, failures, dc: dc ? attr(dc[0], 'name') : undefined }
}

/** The one node running every member of `group`, all settled; else undefined (stopped, split, moving, recovering). */
export function groupNode(status: ClusterStatus, group: string): string | undefined {
  const members = status.groups.get(group) ?? []
  const nodes = new Set(members.flatMap((m) => status.running.get(m) ?? []))
  const all = members.every((m) => (status.running.get(m) ?? []).length === 1 && status.settled.has(m))
  return members.length && all && nodes.size === 1 ? [...nodes][0] : undefined
}
