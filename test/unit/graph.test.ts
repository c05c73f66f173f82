// `run-playbook graph`: the model drawn from each inventory has every host, network and
// VIP of the topology, with the right holders and links; the text, DOT and SVG show them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { topologyGraph, renderGraph } from '../../src/cli/graph-command.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { interfacesOf } from '../../src/inventory/addresses.ts'
import { networkOf } from '../../src/graph/model.ts'

const root = join(import.meta.dirname, '../..')
const VIPS: Record<string, Record<string, string[]>> = {
  '2-node': { '192.168.0.29': ['nodo1', 'nodo2'] },
  '2-node-web': { '172.23.19.48': ['master-cluster', 'slave-cluster'] },
  '4-node': { '10.0.0.4': ['zerg', 'supermente'] },
  '5-node': { '10.0.2.10': ['cluster', 'empresa1'] },
  '6-node': { '192.168.1.200': ['master', 'standby'], '10.0.10.200': ['master', 'standby'] },
  'lvs-3rs': { '10.77.0.100': ['lb1', 'lb2'] },
}

test('the six inventories are the ones this test knows', () => {
  assert.deepEqual(readdirSync(join(root, 'inventory')).sort(), Object.keys(VIPS).sort())
})

for (const topology of Object.keys(VIPS))
  test(`graph of ${topology}: every host, network and VIP with its holders`, async () => {
    const dir = join(root, 'inventory', topology)
    const g = await topologyGraph(dir)
    const inv = await loadInventory(dir, { skipSecrets: true })
    assert.deepEqual(g.hosts.map((h) => h.name).sort(), [...inv.hosts.keys()].sort())
    const nets = [...inv.hosts.values()].flatMap((h) => interfacesOf(h).map((i) => networkOf(i.address!, i.prefix!)))
    assert.deepEqual(g.networks.map((n) => n.cidr).sort(), [...new Set(nets)].sort())
    const vips = Object.fromEntries(
      g.vips.map((v) => [
        v.address,
        v.holders
          .filter((h) => h.kind === 'holder')
          .map((h) => h.host)
          .sort(),
      ]),
    )
    assert.deepEqual(vips, Object.fromEntries(Object.entries(VIPS[topology]).map(([k, v]) => [k, [...v].sort()])))
    for (const v of g.vips) assert.ok(v.network, `${v.address} lies on a network of the inventory`)
    for (const h of g.hosts) assert.ok(h.roles.includes('base'), `${h.name} gets the base role`)
    const text = (await renderGraph(g, 'text')) as string
    const dot = (await renderGraph(g, 'dot')) as string
    for (const name of [...inv.hosts.keys(), ...Object.keys(VIPS[topology]), ...g.networks.map((n) => n.cidr)]) {
      assert.ok(text.includes(name), `text names ${name}`)
      assert.ok(dot.includes(name), `DOT names ${name}`)
    }
  })

test('links and real servers: DRBD + OCFS2 (4-node), NFS (6-node), DHCP (5-node), weights (lvs-3rs)', async () => {
  const four = await topologyGraph(join(root, 'inventory/4-node'))
  assert.deepEqual(
    four.links.filter((l) => l.kind === 'drbd').map((l) => [l.from, l.to, l.label]),
    [['protoss', 'terran', 'DRBD drbd dual-primary :7789 + OCFS2 /opt']],
  )
  const real = (g: typeof four) => g.vips[0].holders.filter((h) => h.kind === 'realserver').map((h) => h.host)
  assert.deepEqual(real(four), ['protoss', 'terran'])
  const six = await topologyGraph(join(root, 'inventory/6-node'))
  assert.deepEqual(
    six.links.filter((l) => l.kind === 'nfs').map((l) => l.from + '>' + l.to),
    ['server1>nas', 'server2>nas', 'server3>nas'],
  )
  assert.ok(six.hosts.find((h) => h.name === 'nas')!.notes.includes('RAID 6 /dev/md0 (5 disks) → /mnt/raid'))
  const five = await topologyGraph(join(root, 'inventory/5-node'))
  assert.equal(five.links.filter((l) => l.kind === 'dhcp').length, 4)
  const lvs = await topologyGraph(join(root, 'inventory/lvs-3rs'))
  assert.deepEqual(
    lvs.vips[0].holders.filter((h) => h.kind === 'realserver').map((h) => `${h.host} ${h.label}`),
    ['web1 VIP on lo, :80 w=1', 'web2 VIP on lo, :80 w=1', 'web3 VIP on lo, :80 w=2'],
  )
})

test('the SVG is drawn by Graphviz (wasm) and names every host', async () => {
  const g = await topologyGraph(join(root, 'inventory/6-node'))
  const svg = (await renderGraph(g, 'svg')) as string
  assert.match(svg, /^<\?xml|<svg/)
  for (const h of g.hosts) assert.ok(svg.includes(`>${h.name}<`), h.name)
  const png = (await renderGraph(g, 'png')) as Buffer
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47])
})
