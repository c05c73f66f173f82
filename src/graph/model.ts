// What `run-playbook graph` draws, read from an inventory and the site playbook: each
// host with the roles its groups give it and its interfaces, the networks those
// interfaces are on, the virtual addresses and who holds them (heartbeat pair, keepalived
// directors, Pacemaker group, and the real servers behind them), and the links between
// hosts (DRBD replication, OCFS2, NFS, DHCP leases, the PostgreSQL server).
import type { Play } from '../engine/playbook.js'
import { selectHosts } from '../engine/host-pattern.js'
import { inNetwork, interfacesOf } from '../inventory/addresses.js'
import type { Inventory, InventoryHost, Vars } from '../inventory/types.js'

export interface GraphInterface {
  name: string
  address?: string
  prefix?: number
  network?: string
  dhcp?: boolean
}

export interface GraphHost {
  name: string
  roles: string[]
  interfaces: GraphInterface[]
  /** Short facts drawn inside the host: "PostgreSQL server", "RAID 6 /dev/md0 → /mnt/raid"… */
  notes: string[]
  /** `graph --live` (live.ts): whether the host answered now. */
  live?: HostLive
}

/** Up; down (nothing answered); unknown (it answered, but could not be asked: a refused key…). */
export type HostLive = { state: 'up' } | { state: 'down' | 'unknown'; reason: string }

export interface Holder {
  host: string
  /** "MASTER 150", "preferred", "Pacemaker", "lo (DR)", "real server :80 w=1"… */
  label: string
  kind: 'holder' | 'realserver'
}

export interface Vip {
  address: string
  prefix?: number
  network?: string
  manager: 'heartbeat' | 'keepalived' | 'pacemaker'
  /** "TCP 80 wrr DR" when a virtual service listens on it. */
  service?: string
  holders: Holder[]
  /** `graph --live` (live.ts): who holds it now. */
  live?: VipLive
}

export interface VipLive {
  /** The hosts that hold the address now, in the inventory's order. */
  heldBy: string[]
  /** held: one host; nobody; split-brain: two or more; unknown: nobody seen, but a holder could not be asked. */
  state: 'held' | 'nobody' | 'split-brain' | 'unknown'
}

export interface Link {
  kind: 'drbd' | 'nfs' | 'dhcp' | 'postgresql'
  from: string
  to: string
  label: string
}

export interface TopologyGraph {
  name: string
  hosts: GraphHost[]
  /** CIDR → the interfaces on it. */
  networks: { cidr: string; members: { host: string; interface: string; address?: string }[] }[]
  vips: Vip[]
  links: Link[]
  /** Annotated with what the hosts answered now (`graph --live`). */
  live?: boolean
}

export function networkOf(address: string, prefix: number): string {
  const n = address.split('.').reduce((a, o) => a * 256 + Number(o), 0)
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0
  const net = (n & mask) >>> 0
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${prefix}`
}

/** The roles each host gets from the plays whose hosts pattern includes it, in play order. */
export function rolesByHost(inventory: Inventory, plays: Play[]): Map<string, string[]> {
  const out = new Map<string, string[]>([...inventory.hosts.keys()].map((h) => [h, []]))
  for (const play of plays)
    for (const h of selectHosts(inventory, play.hosts))
      for (const r of play.roles) if (!out.get(h)!.includes(r)) out.get(h)!.push(r)
  return out
}

export function buildGraph(name: string, inventory: Inventory, plays: Play[]): TopologyGraph {
  const roles = rolesByHost(inventory, plays)
  const hosts = [...inventory.hosts.values()]
  const ctx: Ctx = { inventory, roles, with: (role) => hosts.filter((h) => roles.get(h.name)!.includes(role)) }
  const graphHosts = hosts.map((h) => ({
    name: h.name,
    roles: roles.get(h.name)!,
    interfaces: interfacesOf(h).map((i) => ({
      name: i.name,
      address: i.address,
      prefix: i.prefix,
      network: i.address && i.prefix !== undefined ? networkOf(i.address, i.prefix) : undefined,
      dhcp: i.dhcp,
    })),
    notes: notesOf(h, ctx),
  }))
  const networks = new Map<string, TopologyGraph['networks'][number]>()
  for (const h of graphHosts)
    for (const i of h.interfaces.filter((i) => i.network)) {
      if (!networks.has(i.network!)) networks.set(i.network!, { cidr: i.network!, members: [] })
      networks.get(i.network!)!.members.push({ host: h.name, interface: i.name, address: i.address })
    }
  const vips = [...heartbeatVips(ctx), ...keepalivedVips(ctx), ...pacemakerVips(ctx)]
  for (const v of vips) v.network ??= [...networks.keys()].find((n) => inNetwork(v.address, n))
  return { name, hosts: graphHosts, networks: [...networks.values()], vips, links: linksOf(ctx) }
}

interface Ctx {
  inventory: Inventory
  roles: Map<string, string[]>
  with(role: string): InventoryHost[]
}

const list = (v: unknown): Vars[] => (Array.isArray(v) ? (v as Vars[]) : [])
const groupHosts = (ctx: Ctx, group: unknown, fallback: string) =>
  [...ctx.inventory.hosts.values()].filter((h) => h.groups.includes(String(group ?? fallback)))

function notesOf(h: InventoryHost, ctx: Ctx): string[] {
  const has = (r: string) => ctx.roles.get(h.name)!.includes(r)
  const notes: string[] = []
  if (has('postgresql') && h.vars.postgresql_server_node === h.name) notes.push('PostgreSQL server')
  if (has('mdadm'))
    for (const a of list(h.vars.mdadm_arrays))
      notes.push(
        `RAID ${a.level} ${a.device} (${list(a.devices).length} disks)${a.mountpoint ? ' → ' + a.mountpoint : ''}`,
      )
  if (has('nfs-server')) for (const e of list(h.vars.nfs_exports)) notes.push(`NFS export ${e.path}`)
  if (has('ocfs2')) notes.push(`OCFS2 ${h.vars.ocfs2_device ?? ''} on ${h.vars.ocfs2_mountpoint ?? '?'}`)
  if (has('shared-state')) notes.push(`shared state on ${h.vars.shared_state_root ?? '?'}`)
  if (has('drupal')) notes.push(`Drupal ${h.vars.drupal_server_name ?? 'drupal.ha'}`)
  return notes
}

function heartbeatVips(ctx: Ctx): Vip[] {
  const pair = ctx.with('heartbeat')
  if (!pair.length) return []
  const v = pair[0].vars
  return list(v.heartbeat_resources)
    .filter((r) => r.type === 'IPaddr2' || r.type === 'IPaddr')
    .map((r) => ({
      address: String(r.address),
      prefix: r.prefix as number | undefined,
      manager: 'heartbeat' as const,
      service: list(v.heartbeat_resources)
        .filter((s) => s.type === 'service')
        .map((s) => String(s.name))
        .join(', '),
      holders: pair.map((h) => ({
        host: h.name,
        label: h.name === v.heartbeat_preferred_node ? 'preferred' : 'standby',
        kind: 'holder' as const,
      })),
    }))
}

function keepalivedVips(ctx: Ctx): Vip[] {
  const directors = ctx.with('keepalived')
  if (!directors.length) return []
  const v = directors[0].vars
  const addresses = list(v.keepalived_vrrp_instances).flatMap((i) => (i.virtual_ipaddress ?? []) as string[])
  return addresses.map((cidr) => {
    const [address, prefix] = cidr.split('/')
    const vs = list(v.keepalived_virtual_servers).filter((s) => s.ip === address)
    const holders: Holder[] = directors.map((d) => ({
      host: d.name,
      label: `${d.vars.keepalived_state ?? '?'} ${d.vars.keepalived_priority ?? ''}`.trim(),
      kind: 'holder',
    }))
    for (const s of vs) holders.push(...realServersOf(ctx, s, v))
    return {
      address,
      prefix: prefix ? Number(prefix) : undefined,
      manager: 'keepalived',
      service: vs.map((s) => `${s.protocol ?? 'TCP'} ${s.port} ${s.lb_algo ?? 'wrr'} ${s.lb_kind ?? 'DR'}`).join(', '),
      holders,
    }
  })
}

function realServersOf(ctx: Ctx, vs: Vars, v: Vars): Holder[] {
  const port = vs.real_server_port ?? vs.port
  const onLoopback = (vs.lb_kind ?? 'DR') === 'DR' ? 'VIP on lo, ' : ''
  if (Array.isArray(vs.real_servers))
    return list(vs.real_servers).flatMap((r) => {
      const h = [...ctx.inventory.hosts.values()].find((x) => interfacesOf(x).some((i) => i.address === r.ip))
      return h
        ? [{ host: h.name, label: `${onLoopback}:${r.port} w=${r.weight ?? 1}`, kind: 'realserver' as const }]
        : []
    })
  return groupHosts(ctx, v.keepalived_real_servers_group, 'realservers').map((h) => ({
    host: h.name,
    label: `${onLoopback}:${port} w=${h.vars.keepalived_real_server_weight ?? vs.real_server_weight ?? 1}`,
    kind: 'realserver',
  }))
}

function pacemakerVips(ctx: Ctx): Vip[] {
  const group = ctx.with('pacemaker')
  if (!group.length) return []
  const v = group[0].vars
  const virtuals = ctx.with('ldirectord').length ? list(v.ldirectord_virtuals) : []
  return list(v.pacemaker_primitives)
    .filter((p) => p.agent === 'ocf:heartbeat:IPaddr2')
    .map((p) => {
      const params = (p.params ?? {}) as Vars
      const address = String(params.ip)
      const served = virtuals.filter((s) => String(s.virtual).split(':')[0] === address)
      const holders: Holder[] = group.map((h) => ({ host: h.name, label: `Pacemaker ${p.id}`, kind: 'holder' }))
      for (const s of served)
        holders.push(
          ...groupHosts(ctx, s.real_group, 'webservers').map((h) => ({
            host: h.name,
            label: `${s.forwarding ?? 'masq'} :${s.real_port}`,
            kind: 'realserver' as const,
          })),
        )
      const gateway = address === v.lvs_nat_gateway ? 'real servers’ gateway' : undefined
      const service = served.map(
        (s) => `${s.protocol ?? 'tcp'} ${String(s.virtual).split(':')[1]} ${s.scheduler ?? 'rr'} NAT`,
      )
      return {
        address,
        prefix: params.cidr_netmask !== undefined ? Number(params.cidr_netmask) : undefined,
        manager: 'pacemaker' as const,
        service: [...service, ...(gateway ? [gateway] : [])].join(', '),
        holders,
      }
    })
}

function linksOf(ctx: Ctx): Link[] {
  const links: Link[] = []
  const drbd = ctx.with('drbd')
  for (const r of drbd.length ? list(drbd[0].vars.drbd_resources) : []) {
    const nodes = groupHosts(ctx, r.group, 'drbd')
    const fs = ctx.with('ocfs2').length ? ` + OCFS2 ${drbd[0].vars.ocfs2_mountpoint ?? ''}` : ''
    const mode = r.dual_primary ? 'dual-primary' : 'primary/secondary'
    for (let i = 1; i < nodes.length; i++)
      links.push({
        kind: 'drbd',
        from: nodes[0].name,
        to: nodes[i].name,
        label: `DRBD ${r.name} ${mode} :${r.port}${fs}`,
      })
  }
  const servers = ctx.with('nfs-server')
  for (const c of ctx.with('nfs-client'))
    for (const m of list(c.vars.nfs_mounts)) {
      const server = servers.find((s) => String(m.src).startsWith(s.name + ':')) ?? servers[0]
      if (server) links.push({ kind: 'nfs', from: c.name, to: server.name, label: `NFS ${m.path}` })
    }
  for (const s of ctx.with('dhcp-server'))
    for (const c of ctx.with('dhcp-client'))
      if (interfacesOf(c).some((i) => i.dhcp)) links.push({ kind: 'dhcp', from: s.name, to: c.name, label: 'DHCP' })
  for (const c of ctx.with('postgresql')) {
    const server = c.vars.postgresql_server_node
    if (typeof server === 'string' && server !== c.name && ctx.inventory.hosts.has(server))
      links.push({
        kind: 'postgresql',
        from: c.name,
        to: server,
        label: `PostgreSQL :${c.vars.postgresql_port ?? 5432}`,
      })
  }
  return links
}
