// The topology as Graphviz DOT: hosts (name, roles, notes), networks (CIDR) joined to
// the hosts by their interfaces, each VIP joined to the network it lives on, to the hosts
// that may hold it and to the real servers behind it, and the links between hosts. Live
// (`--live`): down hosts grey and dashed, the holder of each VIP now on a thick green
// edge, a VIP held by nobody grey, by two hosts red (split brain).
import type { GraphHost, Link, TopologyGraph, Vip } from './model.js'
import { heldNow } from './live.js'

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
const LIVE_VIP_COLOR: Record<NonNullable<Vip['live']>['state'], string | undefined> = {
  held: undefined,
  nobody: '#d5d8dc',
  unknown: '#d5d8dc',
  'split-brain': '#ec7063',
}
const GREY = '#95a5a6'
const NOW = 'color="#1e8449", penwidth=4, fontcolor="#1e8449"'

const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"'
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const hostId = (h: string) => q('host:' + h)
const netId = (n: string) => q('net:' + n)
const vipId = (v: Vip) => q('vip:' + v.address)

export function toDot(g: TopologyGraph): string {
  const title = g.live ? `${g.name} — live` : g.name
  const lines = [
    `graph ${q(g.name)} {`,
    `  graph [fontname=${q(FONT)}, label=${q(title)}, labelloc=t, fontsize=20, nodesep=0.5, ranksep=0.9, pad=0.3]`,
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
      const color = isDown(h) ? `color=${q(GREY)}, style=dashed` : 'color="#2e86c1"'
      lines.push(`  ${ends[0]} -- ${ends[1]} [${color}, label=${q(label)}]`)
    }
  const down = new Set(g.hosts.filter(isDown).map((h) => h.name))
  for (const v of g.vips) lines.push(...vipEdges(v, down))
  // NFS clients above their server (a short edge each); other links join hosts of one rank.
  for (const l of g.links)
    lines.push(
      `  ${hostId(l.from)} -- ${hostId(l.to)} [${LINK_STYLE[l.kind]}, label=${q(l.label)}, ` +
        `constraint=${l.kind === 'nfs'}]`,
    )
  lines.push('}')
  return lines.join('\n') + '\n'
}

const isDown = (h: GraphHost) => !!h.live && h.live.state !== 'up'

function vipNode(v: Vip): string {
  const label = [
    `VIP ${v.address}${v.prefix !== undefined ? '/' + v.prefix : ''}`,
    v.manager,
    v.service,
    v.live && `now: ${heldNow(v)}`,
  ].filter(Boolean)
  const fill = (v.live && LIVE_VIP_COLOR[v.live.state]) ?? MANAGER_COLOR[v.manager]
  return `shape=hexagon, style=filled, fillcolor=${q(fill)}, color="#b9770e", label=${q(label.join('\n'))}`
}

/** Static: an edge to each host that may hold it. Live: the holders now thick and green, the others dashed. */
function vipEdges(v: Vip, down: Set<string>): string[] {
  const out: string[] = []
  if (v.network) out.push(`  ${vipId(v)} -- ${netId(v.network)} [style=dashed, color="#b9770e"]`)
  const candidates = v.holders.filter((h) => h.kind === 'holder')
  for (const h of candidates) {
    const now = v.live?.heldBy.includes(h.host)
    const style = !v.live
      ? 'color="#b9770e", penwidth=2, fontcolor="#9a5d0b"'
      : now
        ? NOW
        : `color=${q(down.has(h.host) ? GREY : '#b9770e')}, style=dashed, fontcolor="#9a5d0b"`
    out.push(`  ${vipId(v)} -- ${hostId(h.host)} [${style}, label=${q(now ? `${h.label}\nholds it now` : h.label)}]`)
  }
  for (const host of v.live?.heldBy.filter((h) => !candidates.some((c) => c.host === h)) ?? [])
    out.push(
      `  ${vipId(v)} -- ${hostId(host)} [color="#c0392b", penwidth=4, fontcolor="#c0392b", ` +
        `label="holds it now\n(not one of its holders)"]`,
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
  const down = h.live?.state !== 'up' ? h.live : undefined
  const rows = [
    `<tr><td bgcolor="${down ? GREY : '#34495e'}"><font color="white" point-size="13"><b>${html(h.name)}</b>` +
      `</font></td></tr>`,
    ...(down ? [row(`<b>${down.state}</b>: ${wrap(down.reason, 40).map(html).join('<br/>')}`, '#e5e7e9')] : []),
    row(wrap(h.roles.join(', '), 34).map(html).join('<br/>'), '#fbfcfc'),
    ...h.notes.map((n) => row(html(n), '#fdebd0')),
    ...extra.map((n) => row(html(n), '#d5f5e3')),
  ]
  const style = down ? ' style="dashed" color="#7f8c8d"' : ''
  return (
    `<table border="1" cellborder="0" cellspacing="0" cellpadding="4" bgcolor="#fbfcfc"${style}>` +
    `${rows.join('')}</table>`
  )
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
