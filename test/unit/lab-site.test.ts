// `lab site` up to lab up, on copies of the shipped inventories and a fake machine: the
// checks that stop it before anything starts (exit 3, "nothing was started"), each host's
// kernel from its roles' needs, and the phases' composition with fake phases (times, the
// final line, taking down what it made). Nothing here starts a lab or connects anywhere.
import assert from 'node:assert/strict'
import { copyFileSync, cpSync, mkdtempSync, readFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { HalabError } from '../../src/errors.ts'
import type { KernelFeature } from '../../src/engine/role.ts'
import { chooseKernels } from '../../src/lab/backend.ts'
import { routeConflicts } from '../../src/lab/safety.ts'
import { labSite, type SitePhases } from '../../src/lab/site.ts'
import { checkMemory, memoryNeed, LAB_OVERHEAD_MIB, NSPAWN_HOST_MIB } from '../../src/lab/site-checks.ts'
import { planSite, type MachineProbe } from '../../src/lab/site-plan.ts'
import { resolveInventory } from '../../src/lab/topologies.ts'
import { memorySink } from '../../src/output/sink.ts'
import { REPO } from '../helpers/cli.ts'

for (const k of [
  'KEEPALIVED_AUTH_PASS',
  'DRBD_SECRET',
  'DRUPAL_DB_PASSWORD',
  'DRUPAL_HASH_SALT',
  'DRUPAL_ADMIN_PASSWORD',
])
  delete process.env[k]

function copyInventory(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'halab-site-')), name)
  cpSync(join(REPO, 'inventory', name), dir, { recursive: true, filter: (src) => !src.endsWith('/.env') })
  return dir
}

/** A roomy root machine whose kernel has `features`, with only a default route and loopback. */
function machine(o: Partial<MachineProbe> & { features?: KernelFeature[] } = {}): MachineProbe {
  return {
    isRoot: () => true,
    kernelHas: async () => (f) => (o.features ?? []).includes(f),
    networks: async () => ({ routes: [{ dst: 'default', gateway: '172.31.0.1', dev: 'eth0' }], addrs: [] }),
    freeMemory: () => ({ available: 64 * 1024, shm: 32 * 1024 }),
    currentLab: () => undefined,
    ...o,
  }
}

const kernelsOf = async (name: string, probe: MachineProbe, kernel?: 'nspawn' | 'uml') => {
  const plan = await planSite({ inventory: copyInventory(name), kernel }, probe)
  return Object.fromEntries(plan.topology.hosts.map((h) => [h.name, h.kernel]))
}

test('each host gets the kernel its roles need: a real-kernel guest where this kernel lacks a feature', async () => {
  const bare = machine()
  assert.deepEqual(await kernelsOf('4-node', bare), { protoss: 'uml', supermente: 'uml', terran: 'uml', zerg: 'uml' })
  assert.deepEqual(await kernelsOf('2-node-web', bare), { 'master-cluster': 'nspawn', 'slave-cluster': 'nspawn' })
  assert.deepEqual(await kernelsOf('2-node', bare), { nodo1: 'uml', nodo2: 'uml' })
  // The DHCP server needs no kernel feature: it stays a container beside the guests.
  const five = await kernelsOf('5-node', bare)
  assert.equal(five.debdhcp, 'nspawn')
  assert.ok(Object.entries(five).every(([h, k]) => h === 'debdhcp' || k === 'uml'))
  // A kernel with everything: containers, but for 6-node's own lab_kernel: uml.
  const full = machine({ features: ['ip_vs', 'drbd', 'ocfs2', 'raid456', 'nfsd', 'nfs'] })
  assert.ok(Object.values(await kernelsOf('4-node', full)).every((k) => k === 'nspawn'))
  assert.ok(Object.values(await kernelsOf('6-node', full)).every((k) => k === 'uml'))
  // --kernel forces a kind.
  assert.ok(Object.values(await kernelsOf('4-node', bare, 'nspawn')).every((k) => k === 'nspawn'))
  assert.ok(Object.values(await kernelsOf('2-node-web', bare, 'uml')).every((k) => k === 'uml'))
})

test('only the features the roles declare count: IPVS on directors, DRBD and OCFS2 on the real servers', async () => {
  const plan = await planSite({ inventory: copyInventory('4-node') }, machine({ features: ['drbd', 'ocfs2'] }))
  const kernels = Object.fromEntries([...plan.kernels].map(([h, c]) => [h, `${c.kernel} ${c.lacking.join(',')}`]))
  assert.deepEqual(kernels, {
    protoss: 'nspawn ',
    supermente: 'uml ip_vs',
    terran: 'nspawn ',
    zerg: 'uml ip_vs',
  })
  const choice = chooseKernels(new Map([['a', ['drbd', 'drbd'] as KernelFeature[]]]), () => false)
  assert.deepEqual(choice.get('a'), { kernel: 'uml', lacking: ['drbd'] })
})

test('an unknown topology names the ones there are', () => {
  assert.throws(
    () => resolveInventory('7-node', undefined),
    (e: unknown) =>
      e instanceof HalabError &&
      /no topology "7-node": the topologies are 2-node, 2-node-web, 4-node, 5-node/.test(e.message),
  )
})

const rejects = (probe: MachineProbe, re: RegExp, name = '4-node') =>
  assert.rejects(planSite({ inventory: copyInventory(name) }, probe), (e: unknown) => {
    assert.ok(e instanceof HalabError, String(e))
    assert.match(e.render(), re)
    return true
  })

test('not root, another lab up, a route over a lab subnet, too little memory: refused before any start', async () => {
  await rejects(machine({ isRoot: () => false }), /needs root[\s\S]*sudo npx run-playbook lab site -i/)
  await rejects(
    machine({ currentLab: () => '/elsewhere/inventory' }),
    /already up for another inventory[\s\S]*lab down/,
  )
  const routes = [{ dst: '10.0.0.0/16', dev: 'wg0' }]
  await rejects(
    machine({ networks: async () => ({ routes, addrs: [] }) }),
    /10\.0\.0\.0\/24 \(hosts protoss, supermente, terran, zerg\) overlaps this machine's route 10\.0\.0\.0\/16 dev wg0/,
  )
  await rejects(machine({ freeMemory: () => ({ available: 900, shm: 4096 }) }), /not enough free memory for 4 hosts/)
  await rejects(machine({ freeMemory: () => ({ available: 9000, shm: 512 }) }), /\/dev\/shm, which has 512 MiB free/)
})

test('the memory estimate counts containers, guests by their lab_memory, and the lab once', () => {
  const need = memoryNeed([{ kernel: 'nspawn' }, { kernel: 'uml', memory: '640M' }, { kernel: 'uml' }])
  assert.equal(need.shm, 640 + 256)
  assert.ok(need.total > LAB_OVERHEAD_MIB + NSPAWN_HOST_MIB + need.shm)
  assert.doesNotThrow(() => checkMemory([{ name: 'a', kernel: 'nspawn' }], { available: 1024, shm: 0 }))
})

test('routes of the lab itself, the default route and the local table never count as overlaps', () => {
  const bridges = [{ subnet: '192.168.0.0/24', hosts: ['a'] }]
  const routes = [
    { dst: 'default', gateway: '192.168.0.1' },
    { dst: '192.168.0.0/24', dev: 'halab-br0' },
    { dst: '192.168.0.5', table: 'local', dev: 'lo' },
  ]
  assert.deepEqual(routeConflicts(bridges, { routes, addrs: [] }), [])
  const addrs = [{ ifname: 'eth0', addr_info: [{ family: 'inet', local: '192.168.0.9', prefixlen: 16 }] }]
  assert.match(routeConflicts(bridges, { routes: [], addrs })[0], /address 192\.168\.0\.9\/16 on eth0/)
})

/** Phases that record what ran and answer with the given exit codes. */
function fakePhases(o: {
  probe?: MachineProbe
  site?: number
  verify?: number
  alreadyUp?: boolean
  upFails?: boolean
}) {
  const ran: string[] = []
  const phases: SitePhases = {
    probe: o.probe ?? machine(),
    up: async () => {
      ran.push('up')
      if (o.upFails) throw new Error('zerg did not boot')
      return { alreadyUp: !!o.alreadyUp }
    },
    site: async () => (ran.push('site'), o.site ?? 0),
    verify: async (_dir, _sink, load) => (ran.push(load ? `verify --load ${load}` : 'verify'), o.verify ?? 0),
    down: async () => void ran.push('down'),
  }
  return { phases, ran }
}

test('lab site: bad input exits 3 having started nothing; the .env it found is left as it was', async () => {
  const dir = copyInventory('2-node-web')
  copyFileSync(join(dir, '.env.example'), join(dir, '.env'))
  chmodSync(join(dir, '.env'), 0o600)
  const before = readFileSync(join(dir, '.env'), 'utf8')
  const { phases, ran } = fakePhases({})
  const sink = memorySink()
  assert.equal(await labSite({ inventory: dir }, phases, sink), 3)
  assert.deepEqual(ran, [])
  assert.match(sink.text(), /still the placeholder from \.env\.example[\s\S]*lab site: nothing was started/)
  assert.equal(readFileSync(join(dir, '.env'), 'utf8'), before)
  assert.equal(await labSite({ topology: 'no-such' }, phases, sink), 3)
  assert.deepEqual(ran, [])
})

test('lab site: lab up → site → verify, each timed, then what runs and how to explore it', async () => {
  const { phases, ran } = fakePhases({})
  const sink = memorySink()
  assert.equal(await labSite({ inventory: copyInventory('4-node') }, phases, sink), 0)
  assert.deepEqual(ran, ['up', 'site', 'verify'])
  const out = sink.text()
  assert.match(out, /wrote .*\.env \(mode 0600\) with new random KEEPALIVED_AUTH_PASS/)
  assert.match(out, /zerg: real-kernel guest \(user-mode-linux\) \(this machine's kernel lacks ip_vs\)/)
  assert.match(out, /lab site: checks [\d.]+ s · lab up [\d.]+ s · site [\d.]+ s · verify [\d.]+ s/)
  assert.match(out, /Running now: protoss, supermente, terran, zerg .*lab ssh protoss · .*verify -i .*lab down/)
})

test('lab site --load: verify measures the load in its one pass', async () => {
  const { phases, ran } = fakePhases({})
  assert.equal(await labSite({ inventory: copyInventory('2-node-web'), load: '5' }, phases, memorySink()), 0)
  assert.deepEqual(ran, ['up', 'site', 'verify --load 5'])
})

test('lab site: a failed phase takes down the lab it made and says so; a lab it found, or --keep, stays', async () => {
  const failedSite = fakePhases({ site: 2 })
  const sink = memorySink()
  assert.equal(await labSite({ inventory: copyInventory('2-node-web') }, failedSite.phases, sink), 2)
  assert.deepEqual(failedSite.ran, ['up', 'site', 'down'])
  assert.match(
    sink.text(),
    /site failed \(exit 2\): taking down the lab[\s\S]*the lab is down: nothing is left running/,
  )

  const kept = fakePhases({ verify: 2 })
  assert.equal(await labSite({ inventory: copyInventory('2-node-web'), keep: true }, kept.phases, memorySink()), 2)
  assert.deepEqual(kept.ran, ['up', 'site', 'verify'])

  const found = fakePhases({ verify: 2, alreadyUp: true })
  assert.equal(await labSite({ inventory: copyInventory('2-node-web') }, found.phases, memorySink()), 2)
  assert.deepEqual(found.ran, ['up', 'site', 'verify'])

  const upFails = fakePhases({ upFails: true })
  const s2 = memorySink()
  assert.equal(await labSite({ inventory: copyInventory('2-node-web') }, upFails.phases, s2), 1)
  assert.deepEqual(upFails.ran, ['up'])
  assert.match(s2.text(), /zerg did not boot\nlab site: lab up failed, and took down what it had started/)
})
