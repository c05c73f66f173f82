// The topology for a terminal (`run-playbook graph --format text`): hosts, networks,
// VIPs with who holds them and the real servers behind them, links between hosts.
import type { TopologyGraph } from './model.js'

export function toText(g: TopologyGraph): string {
  const width = Math.max(...g.hosts.map((h) => h.name.length), 4) + 2
  const out = [`${g.name}`, '', 'Hosts']
  for (const h of g.hosts) {
    out.push(`  ${h.name.padEnd(width)}${h.roles.join(', ')}`)
    const ifaces = h.interfaces.map((i) => `${i.name} ${i.address ?? '?'}/${i.prefix ?? '?'}${i.dhcp ? ' (DHCP)' : ''}`)
    if (ifaces.length) out.push(`  ${''.padEnd(width)}${ifaces.join('   ')}`)
    for (const n of h.notes) out.push(`  ${''.padEnd(width)}· ${n}`)
  }
  out.push('', 'Networks')
  for (const n of g.networks)
    out.push(
      `  ${n.cidr.padEnd(18)}${n.members.map((m) => `${m.host} ${m.interface} ${m.address ?? ''}`.trim()).join(', ')}`,
    )
  if (g.vips.length) out.push('', 'VIPs')
  for (const v of g.vips) {
    const where = v.network ? ` on ${v.network}` : ''
    const address = v.address + (v.prefix !== undefined ? '/' + v.prefix : '')
    out.push(`  ${address} (${v.manager})${where}  ${v.service ?? ''}`.trimEnd())
    const held = v.holders.filter((h) => h.kind === 'holder')
    const real = v.holders.filter((h) => h.kind === 'realserver')
    out.push(`    held by: ${held.map((h) => `${h.host} (${h.label})`).join(', ')}`)
    if (real.length) out.push(`    real servers: ${real.map((h) => `${h.host} (${h.label})`).join(', ')}`)
  }
  if (g.links.length) out.push('', 'Links')
  for (const l of g.links) out.push(`  ${l.from} — ${l.to}: ${l.label}`)
  return out.join('\n') + '\n'
}
