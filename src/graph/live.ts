// `run-playbook graph --live`: the topology annotated with what its hosts answered now —
// which hosts are down, and who holds each VIP (nobody, one host, or two: a split brain).
// Pure: the observations come from observe.ts; heldNow is the one wording text and DOT share.
import type { GraphHost, HostLive, TopologyGraph, Vip, VipLive } from './model.js'

/** An IPv4 address a host holds now, and on which interface. */
export interface HeldAddress {
  address: string
  interface: string
}

/** What one host answered: its addresses, or why it could not be asked. */
export type HostObservation = { state: 'up'; addresses: HeldAddress[] } | { state: 'down' | 'unknown'; reason: string }

/** The graph with each host's state and each VIP's holders now; hosts missing from `seen` are left as they are. */
export function annotateLive(g: TopologyGraph, seen: Map<string, HostObservation>): TopologyGraph {
  const hosts: GraphHost[] = g.hosts.map((h) => {
    const o = seen.get(h.name)
    return o ? { ...h, live: hostLive(o) } : h
  })
  const vips = g.vips.map((v) => ({ ...v, live: vipLive(v, g.hosts, seen) }))
  return { ...g, hosts, vips, live: true }
}

function hostLive(o: HostObservation): HostLive {
  return o.state === 'up' ? { state: 'up' } : { state: o.state, reason: o.reason }
}

function vipLive(v: Vip, hosts: GraphHost[], seen: Map<string, HostObservation>): VipLive {
  const heldBy = hosts.map((h) => h.name).filter((name) => holdsNow(v, name, seen.get(name)))
  if (heldBy.length > 1) return { heldBy, state: 'split-brain' }
  if (heldBy.length === 1) return { heldBy, state: 'held' }
  const unasked = v.holders.some((h) => h.kind === 'holder' && seen.get(h.host)?.state === 'unknown')
  return { heldBy, state: unasked ? 'unknown' : 'nobody' }
}

/**
 * The host has the address on an interface. A real server of the VIP (LVS-DR) keeps it on
 * `lo` on purpose, to accept the packets the director sends it: that is not holding it.
 */
function holdsNow(v: Vip, host: string, o: HostObservation | undefined): boolean {
  if (o?.state !== 'up') return false
  const roles = v.holders.filter((h) => h.host === host).map((h) => h.kind)
  const realServerOnly = roles.includes('realserver') && !roles.includes('holder')
  return o.addresses.some((a) => a.address === v.address && !(realServerOnly && a.interface === 'lo'))
}

/** `nodo1`; `nobody`; `nodo1, nodo2 — SPLIT BRAIN`; a host that is not one of its holders is said so. */
export function heldNow(v: Vip): string {
  const live = v.live!
  if (live.state === 'nobody') return 'nobody'
  if (live.state === 'unknown') return 'unknown (a host that may hold it could not be asked)'
  const candidates = new Set(v.holders.filter((h) => h.kind === 'holder').map((h) => h.host))
  const names = live.heldBy.map((h) => (candidates.has(h) ? h : `${h} (not one of its holders)`)).join(', ')
  return live.state === 'split-brain' ? `${names} — SPLIT BRAIN: ${live.heldBy.length} hosts hold it` : names
}
