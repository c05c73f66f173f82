// `run-playbook graph --live`, the pure part: from the topology and what each host answered,
// who holds each VIP now (one host, the backup, nobody, two hosts = split brain) and which
// hosts are down, as the text and the DOT draw it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { topologyGraph } from '../../src/cli/graph-command.ts'
import { annotateLive, type HeldAddress, type HostObservation } from '../../src/graph/live.ts'
import { toDot } from '../../src/graph/dot.ts'
import { toText } from '../../src/graph/text.ts'

const root = join(import.meta.dirname, '../..')
const VIP = '192.168.0.29'
const up = (...addresses: HeldAddress[]): HostObservation => ({ state: 'up', addresses })
const own = (address: string, iface = 'eth0'): HeldAddress => ({ address, interface: iface })
const down: HostObservation = { state: 'down', reason: 'cannot connect to 192.168.0.28:22: EHOSTUNREACH' }
const twoNode = () => topologyGraph(join(root, 'inventory/2-node'))
const seen = (o: Record<string, HostObservation>) => new Map(Object.entries(o))
/** A DOT statement (labels may span lines): from its start to the `]` that ends its line. */
function statement(dot: string, start: string): string {
  const at = dot.indexOf(start)
  return at < 0 ? '' : dot.slice(at, dot.indexOf(']\n', at) + 1)
}
const vipEdge = (dot: string, address: string, host: string) => statement(dot, `"vip:${address}" -- "host:${host}"`)
const vipNode = (dot: string, address: string) => statement(dot, `"vip:${address}" [`)
const hostNode = (dot: string, host: string) => statement(dot, `"host:${host}" [`)

test('the preferred node holds the VIP, the other is down: the text says so, the DOT greys and dashes it', async () => {
  const g = annotateLive(await twoNode(), seen({ nodo1: up(own('192.168.0.27'), own(VIP)), nodo2: down }))
  assert.deepEqual(g.vips[0].live, { heldBy: ['nodo1'], state: 'held' })
  assert.deepEqual(
    g.hosts.map((h) => [h.name, h.live?.state]),
    [
      ['nodo1', 'up'],
      ['nodo2', 'down'],
    ],
  )
  const text = toText(g)
  assert.match(text, /^Live: 1 up, 1 down \(nodo2\)$/m)
  assert.match(text, /^ {2}nodo2 .*\n(?: {9}.*\n)* {9}DOWN: cannot connect to 192\.168\.0\.28:22: EHOSTUNREACH$/m)
  assert.match(text, new RegExp(`^ {2}${VIP.replace(/\./g, '\\.')}.*\n(?: {4}.*\n)* {4}now held by: nodo1$`, 'm'))
  const dot = toDot(g)
  assert.match(vipEdge(dot, VIP, 'nodo1'), /penwidth=4[^]*holds it now/)
  assert.match(vipEdge(dot, VIP, 'nodo2'), /color="#95a5a6", style=dashed/)
  assert.doesNotMatch(vipEdge(dot, VIP, 'nodo2'), /holds it now/)
  const nodo2 = hostNode(dot, 'nodo2')
  assert.match(nodo2, /style="dashed"/)
  assert.match(nodo2, /<b>down<\/b>: cannot connect/)
  assert.doesNotMatch(hostNode(dot, 'nodo1'), /dashed|down/)
  assert.match(dot, /label="2-node — live"/)
})

test('after a failover the backup holds the VIP: its edge is the thick one, the preferred node’s dashed', async () => {
  const g = annotateLive(await twoNode(), seen({ nodo1: up(own('192.168.0.27')), nodo2: up(own(VIP)) }))
  assert.deepEqual(g.vips[0].live, { heldBy: ['nodo2'], state: 'held' })
  assert.match(toText(g), /now held by: nodo2$/m)
  assert.doesNotMatch(toText(g), /DOWN|Live: .*down/)
  const dot = toDot(g)
  assert.match(vipEdge(dot, VIP, 'nodo2'), /penwidth=4[^]*holds it now/)
  assert.match(vipEdge(dot, VIP, 'nodo1'), /style=dashed/)
})

test('nobody holds the VIP: said so, and the VIP is drawn grey', async () => {
  const g = annotateLive(await twoNode(), seen({ nodo1: up(own('192.168.0.27')), nodo2: up() }))
  assert.deepEqual(g.vips[0].live, { heldBy: [], state: 'nobody' })
  assert.match(toText(g), /now held by: nobody$/m)
  assert.match(vipNode(toDot(g), VIP), /fillcolor="#d5d8dc"[^]*now: nobody/)
})

test('two hosts hold the VIP: a split brain, flagged in the text and drawn red', async () => {
  const g = annotateLive(await twoNode(), seen({ nodo1: up(own(VIP)), nodo2: up(own(VIP, 'eth0')) }))
  assert.deepEqual(g.vips[0].live, { heldBy: ['nodo1', 'nodo2'], state: 'split-brain' })
  assert.match(toText(g), /now held by: nodo1, nodo2 — SPLIT BRAIN: 2 hosts hold it$/m)
  const dot = toDot(g)
  assert.match(vipNode(dot, VIP), /fillcolor="#ec7063"[^]*SPLIT BRAIN/)
  for (const h of ['nodo1', 'nodo2']) assert.match(vipEdge(dot, VIP, h), /holds it now/)
})

test('nobody seen holding it while a holder could not be asked: unknown, not nobody', async () => {
  const refused: HostObservation = { state: 'unknown', reason: 'refused our key' }
  const g = annotateLive(await twoNode(), seen({ nodo1: refused, nodo2: up() }))
  assert.equal(g.vips[0].live?.state, 'unknown')
  assert.match(toText(g), /Live: 1 up, 1 unknown \(nodo1\)/)
  assert.match(toText(g), /UNKNOWN: refused our key/)
})

test('LVS-DR real servers keep the VIP on lo on purpose: not holders; on another interface they are', async () => {
  const lvs = await topologyGraph(join(root, 'inventory/lvs-3rs'))
  const vip = '10.77.0.100'
  const onLo = own(vip, 'lo')
  const normal = { lb1: up(own(vip, 'ens3')), lb2: up(), web1: up(onLo), web2: up(onLo), web3: up(onLo) }
  assert.deepEqual(annotateLive(lvs, seen(normal)).vips[0].live, { heldBy: ['lb1'], state: 'held' })
  const arp = annotateLive(lvs, seen({ ...normal, web2: up(own(vip, 'ens3')) }))
  assert.deepEqual(arp.vips[0].live, { heldBy: ['lb1', 'web2'], state: 'split-brain' })
  assert.match(toText(arp), /now held by: lb1, web2 \(not one of its holders\) — SPLIT BRAIN/)
  assert.match(vipEdge(toDot(arp), vip, 'web2'), /color="#c0392b"[^]*not one of its holders/)
})

test('annotating leaves the topology as it was: the offline picture does not change', async () => {
  const g = await twoNode()
  const before = toDot(g)
  const live = annotateLive(g, seen({ nodo1: up(own(VIP)), nodo2: down }))
  assert.equal(toDot(g), before)
  assert.notEqual(toDot(live), before)
  assert.doesNotMatch(before, /live|holds it now|dashed"/)
})
