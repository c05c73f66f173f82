// The lab's networks: one bridge per subnet holding the controller's address on it, one
// network namespace per host, a veth per host interface (user-mode-linux hosts: a tap
// per interface, no netns). Nothing is routed: the bridges have forwarding off and a
// policy rule makes anything arriving on them unroutable, so hosts reach each other (same
// bridge) and the controller, and nothing else.
import { writeFileSync } from 'node:fs'
import { $ } from 'zx'
import { LabError } from './errors.js'
import { LINK_PREFIX, NETNS_PREFIX, RULE_PRIORITY, RULE_TABLE } from './paths.js'
import type { LabTopology } from './topology.js'

export async function createNetwork(topo: LabTopology): Promise<void> {
  const lines: string[] = []
  for (const b of topo.bridges) lines.push(`link add ${b.name} type bridge`)
  // user-mode-linux hosts run their own kernel: no netns, a tap per interface (uml-host.ts).
  for (const h of topo.hosts) if (h.kernel !== 'uml') lines.push(`netns add ${h.netns}`)
  for (const h of topo.hosts)
    for (const i of h.interfaces)
      lines.push(
        h.kernel === 'uml'
          ? `tuntap add dev ${i.hostVeth} mode tap`
          : `link add ${i.hostVeth} type veth peer name ${i.name}${i.mac ? ` address ${i.mac}` : ''} netns ${h.netns}`,
      )
  await ipBatch(lines)

  for (const b of topo.bridges) {
    sysctl(`net/ipv4/conf/${b.name}/forwarding`, '0')
    sysctl(`net/ipv6/conf/${b.name}/disable_ipv6`, '1')
    // The controller re-asks ARP every 100 ms, so it sees a booting host's address at once.
    sysctl(`net/ipv4/neigh/${b.name}/retrans_time_ms`, '100')
  }
  for (const h of topo.hosts) for (const i of h.interfaces) sysctl(`net/ipv6/conf/${i.hostVeth}/disable_ipv6`, '1')

  const up: string[] = []
  for (const b of topo.bridges) up.push(`addr add ${b.address}/${b.prefix} dev ${b.name}`, `link set ${b.name} up`)
  for (const h of topo.hosts) for (const i of h.interfaces) up.push(`link set ${i.hostVeth} master ${i.bridge} up`)
  up.push(`route replace unreachable default table ${RULE_TABLE}`)
  for (const b of topo.bridges) up.push(`rule add iif ${b.name} priority ${RULE_PRIORITY} table ${RULE_TABLE}`)
  await ipBatch(up)
}

/** Remove every namespace, link and rule the lab made, whether or not state.json lists it. */
export async function removeNetwork(): Promise<string[]> {
  const removed: string[] = []
  const netns = (await $({ quiet: true, nothrow: true })`ip netns list`).stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(NETNS_PREFIX))
  const links = (JSON.parse((await $({ quiet: true })`ip -j link show`).stdout || '[]') as { ifname: string }[])
    .map((l) => l.ifname)
    .filter((n) => n.startsWith(LINK_PREFIX))
  // Deleting one end of a veth deletes its peer, so later lines may find nothing: -force goes on.
  const lines = [...links.map((l) => `link del ${l}`), ...netns.map((n) => `netns del ${n}`)]
  const rules = (
    JSON.parse((await $({ quiet: true })`ip -j rule show`).stdout || '[]') as { priority: number; iif?: string }[]
  ).filter((r) => r.priority === RULE_PRIORITY)
  for (const r of rules) lines.push(`rule del priority ${RULE_PRIORITY}${r.iif ? ` iif ${r.iif}` : ''}`)
  lines.push(`route flush table ${RULE_TABLE}`)
  await $({ quiet: true, nothrow: true, input: lines.join('\n') + '\n' })`ip -force -batch -`
  removed.push(...links, ...netns.map((n) => `netns ${n}`))
  return removed
}

async function ipBatch(lines: string[]): Promise<void> {
  if (!lines.length) return
  const r = await $({ quiet: true, nothrow: true, input: lines.join('\n') + '\n' })`ip -batch -`
  if (r.exitCode !== 0)
    throw new LabError(
      `setting up the lab network failed: ${r.stderr.trim()}`,
      'run `run-playbook lab down` to remove what was made, ' +
        'then `lab up` again; `run-playbook lab doctor` checks this kernel',
    )
}

function sysctl(key: string, value: string): void {
  writeFileSync(`/proc/sys/${key}`, value)
}
