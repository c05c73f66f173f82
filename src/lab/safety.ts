// Guards that run before the lab touches anything: root, and "no lab subnet may overlap a
// network this machine already reaches". The machine's default route leads to a real
// network; a lab subnet that overlapped one of its routes could send lab traffic there.
import { $ } from 'zx'
import { LabError } from './errors.js'
import { formatSubnet, overlaps, parseCidr, type Subnet } from './ipv4.js'
import { LINK_PREFIX } from './paths.js'
import type { LabTopology } from './topology.js'

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new LabError(
      `run-playbook ${what} needs root: it creates network namespaces, bridges, overlay mounts and containers`,
      `run it as root, e.g. sudo npx run-playbook ${what}`,
    )
}

export interface RouteJson {
  dst: string
  dev?: string
  table?: string
  type?: string
  gateway?: string
}
export interface AddrJson {
  ifname: string
  addr_info: { family: string; local: string; prefixlen: number }[]
}

/** This machine's IPv4 routes (every table) and addresses, as `ip -j` gives them. */
export async function machineNetworks(): Promise<{ routes: RouteJson[]; addrs: AddrJson[] }> {
  const routes = JSON.parse((await $({ quiet: true })`ip -j -4 route show table all`).stdout || '[]') as RouteJson[]
  const addrs = JSON.parse((await $({ quiet: true })`ip -j -4 addr show`).stdout || '[]') as AddrJson[]
  return { routes, addrs }
}

/** Throws a LabError naming each lab subnet that overlaps an existing route or address. */
export async function checkNoRouteOverlap(
  topo: Pick<LabTopology, 'bridges'>,
  networks?: { routes: RouteJson[]; addrs: AddrJson[] },
): Promise<void> {
  const conflicts = routeConflicts(topo.bridges, networks ?? (await machineNetworks()))
  if (conflicts.length)
    throw new LabError(
      `the lab refuses to start: a lab subnet overlaps a network this machine already reaches, ` +
        `so lab traffic could leave the machine:\n${conflicts.map((c) => `  - ${c}`).join('\n')}`,
      'change those addresses in the inventory (interfaces: ' +
        'address/prefix), or run the lab on a machine without that route',
    )
}

/** Each lab subnet that overlaps one of the machine's routes or addresses (the lab's own links aside), said. */
export function routeConflicts(
  bridges: Pick<LabTopology['bridges'][number], 'subnet' | 'hosts'>[],
  { routes, addrs }: { routes: RouteJson[]; addrs: AddrJson[] },
): string[] {
  const existing: { subnet: Subnet; what: string }[] = []
  for (const r of routes) {
    // The local table only repeats this machine's own addresses, checked below.
    if (r.dst === 'default' || r.table === 'local' || r.dev?.startsWith(LINK_PREFIX)) continue
    const subnet = parseCidr(r.dst)
    if (subnet) existing.push({ subnet, what: describeRoute(r) })
  }
  for (const a of addrs) {
    if (a.ifname.startsWith(LINK_PREFIX)) continue
    for (const i of a.addr_info)
      if (i.family === 'inet')
        existing.push({
          subnet: parseCidr(`${i.local}/${i.prefixlen}`)!,
          what: `address ${i.local}/${i.prefixlen} on ${a.ifname}`,
        })
  }
  const conflicts: string[] = []
  for (const b of bridges) {
    const lab = parseCidr(b.subnet)!
    for (const e of existing)
      if (overlaps(lab, e.subnet))
        conflicts.push(
          `${b.subnet} (hosts ${b.hosts.join(', ')}) overlaps this machine's ${e.what} (${formatSubnet(e.subnet)})`,
        )
  }
  return conflicts
}

function describeRoute(r: RouteJson): string {
  return (
    `route ${r.type && r.type !== 'unicast' ? r.type + ' ' : ''}${r.dst}` +
    (r.gateway ? ` via ${r.gateway}` : '') +
    (r.dev ? ` dev ${r.dev}` : '') +
    (r.table && r.table !== 'main' ? ` table ${r.table}` : '')
  )
}
