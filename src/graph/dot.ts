// The topology as Graphviz DOT: hosts (name, roles, notes), networks (CIDR) joined to
// the hosts by their interfaces, each VIP joined to the network it lives on, to the hosts
// that may hold it and to the real servers behind it, and the links between hosts.
import type { GraphHost, Link, TopologyGraph, Vip } from './model.js'

const FONT = 'DejaVu Sans'
const LINK_STYLE: Record<Link['kind'], string> = {
  drbd: 'color="#c0392b", penwidth=3, fontcolor="#c0392b"',
  nfs: 'color="#2471a3", penwidth=2, fontcolor="#2471a3", style=dashed',
  dhcp: 'color="#7d3c98", fontcolor="#7d3c98", style=dashed',
  postgresql: 'color="#7f8c8d", fontcolor="#566573", style=dotted',
}
const MANAGER_COLOR: Record<Vip['manager'], string> = {
  heartbeat: '#f5b041',
  keepalived: '#f5b041',
  pacemaker: '#f5b041',
}

const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"'
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const hostId = (h: string) => q('host:' + h)
const netId = (n: string) => q('net:' + n)
const vipId = (v: Vip) => q('vip:' + v.address)

export function toDot(g: TopologyGraph): string {
  const lines = [
    `graph ${q(g.name)} {`,
    `  graph [fontname=${q(FONT)}, label=${q(g.name)}, labelloc=t, fontsize=20, nodesep=0.5, ranksep=0.9, pad=0.3]`,
    `  node [fontname=${q(FONT)}, fontsize=11]`,
    `  edge [fontname=${q(FONT)}, fontsize=9]`,
  ]
  for (const v of g.vips) lines.push(`  ${vipId(v)} [${vipNode(v)}]`)
  for (const h of g.hosts)
    lines.push(`  ${hostId(h.name)} [shape=plain, label=<${hostLabel(h, realServerNotes(g, h.name))}>]`)
  for (const n of g.networks)
    lines.push(
      `  ${netId(n.cidr)} [shape=box, style="rounded,filled", fillcolor="#d6eaf8", color="#2e86c1", ` +
        `fontsize=13, width=3, label=${q(n.cidr)}]`,
    )
  // Ranks: VIPs, the hosts that hold them, the networks, then every other host.
  const holders = new Set(g.vips.flatMap((v) => v.holders.filter((h) => h.kind === 'holder').map((h) => h.host)))
  for (const h of g.hosts)
    for (const i of h.interfaces.filter((i) => i.network)) {
      const ends = holders.has(h.name) ? [hostId(h.name), netId(i.network!)] : [netId(i.network!), hostId(h.name)]
      const label = `${i.name} ${i.address}${i.dhcp ? ' (DHCP)' : ''}`
      lines.push(`  ${ends[0]} -- ${ends[1]} [color="#2e86c1", label=${q(label)}]`)
    }
  for (const v of g.vips) lines.push(...vipEdges(v))
  // NFS clients above their server (a short edge each); other links join hosts of one rank.
  for (const l of g.links)
    lines.push(
      `  ${hostId(l.from)} -- ${hostId(l.to)} [${LINK_STYLE[l.kind]}, label=${q(l.label)}, ` +
        `constraint=${l.kind === 'nfs'}]`,
    )
  lines.push('}')
  return lines.join('\n') + '\n'
}

function vipNode(v: Vip): string {
  const label = [`VIP ${v.address}${v.prefix !== undefined ? '/' + v.prefix : ''}`, v.manager, v.service].filter(
    Boolean,
  )
  return (
    `shape=hexagon, style=filled, fillcolor=${q(MANAGER_COLOR[v.manager])}, color="#b9770e", ` +
    `label=${q(label.join('\n'))}`
  )
}

function vipEdges(v: Vip): string[] {
  const out: string[] = []
  if (v.network) out.push(`  ${vipId(v)} -- ${netId(v.network)} [style=dashed, color="#b9770e"]`)
  for (const h of v.holders.filter((h) => h.kind === 'holder'))
    out.push(
      `  ${vipId(v)} -- ${hostId(h.host)} [color="#b9770e", penwidth=2, fontcolor="#9a5d0b", label=${q(h.label)}]`,
    )
  return out
}

/** Real servers carry their VIPs as notes: edges across the picture to each would cross everything. */
function realServerNotes(g: TopologyGraph, host: string): string[] {
  return g.vips.flatMap((v) =>
    v.holders
      .filter((h) => h.kind === 'realserver' && h.host === host)
      .map((h) => `real server of ${v.address} (${h.label})`),
  )
}

function hostLabel(h: GraphHost, extra: string[]): string {
  const row = (text: string, bg: string) => `<tr><td bgcolor="${bg}"><font point-size="9">${text}</font></td></tr>`
  const rows = [
    `<tr><td bgcolor="#34495e"><font color="white" point-size="13"><b>${html(h.name)}</b></font></td></tr>`,
    row(wrap(h.roles.join(', '), 34).map(html).join('<br/>'), '#fbfcfc'),
    ...h.notes.map((n) => row(html(n), '#fdebd0')),
    ...extra.map((n) => row(html(n), '#d5f5e3')),
  ]
  return `<table border="1" cellborder="0" cellspacing="0" cellpadding="4" bgcolor="#fbfcfc">${rows.join('')}</table>`
}

export function wrap(text: string, width: number): string[] {
  const out: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) out.push(line)
  return out
}
