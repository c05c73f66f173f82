// The local lab end to end: real nspawn hosts for the 2-node and 4-node inventories,
// reached by name and by address, seeing their peers and nothing else, installing a
// package through the lab's apt proxy, and leaving nothing behind after `lab down`.
// Needs root. Without root the lab tests are skipped with the reason — except in CI
// (CI=true), where they fail instead: CI runs them as root.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadInventory } from '../../src/inventory/load.ts'
import { labConnectionFor } from '../../src/lab/state.ts'
import { topologyFromInventory } from '../../src/lab/topology.ts'
import { REPO, runCli, type CliResult } from '../helpers/cli.ts'
import { onHost } from '../helpers/lab.ts'

const isRoot = process.getuid?.() === 0
const inCi = process.env.CI === 'true'
const skip =
  !isRoot && !inCi ? 'the lab needs root (namespaces, bridges, mounts): run the tests as root, as CI does' : false

const KEY = '/var/lib/halab/lab/id_ed25519'
const KNOWN_HOSTS = '/var/lib/halab/lab/known_hosts'

const lab = (...args: string[]): Promise<CliResult> => runCli(['lab', ...args])

function sh(cmd: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return { code: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? '') }
}

/** Each host's addresses, read from the inventory itself. */
async function hostsOf(topology: string): Promise<{ name: string; addresses: string[] }[]> {
  const inv = await loadInventory(join(REPO, 'inventory', topology), { skipSecrets: true })
  return [...inv.hosts.values()].map((h) => ({
    name: h.name,
    addresses: (h.vars.interfaces as { address: string }[]).map((i) => i.address),
  }))
}

function sshByAddress(address: string, command: string): { code: number; out: string } {
  return sh('ssh', [
    '-F',
    '/dev/null',
    '-i',
    KEY,
    '-o',
    `UserKnownHostsFile=${KNOWN_HOSTS}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    `root@${address}`,
    command,
  ])
}

/** Everything a lab could leave behind, checked with the system's own tools. */
function leftovers(): string[] {
  const found: string[] = []
  const netns = sh('ip', ['netns', 'list']).out
  if (/halab-/.test(netns)) found.push(`netns: ${netns.trim()}`)
  const links = sh('ip', ['-br', 'link'])
    .out.split('\n')
    .filter((l) => l.startsWith('halab-'))
  if (links.length) found.push(`links: ${links.join('; ')}`)
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes('/var/lib/halab/lab'))
  if (mounts.length) found.push(`mounts: ${mounts.join('; ')}`)
  const procs = sh('ps', ['-eo', 'pid,stat,args'])
    .out.split('\n')
    .filter((l) => /systemd-nspawn|apt-cacher-ng -c \/var\/cache\/halab/.test(l) && !/^\s*\d+\s+Z/.test(l))
  if (procs.length) found.push(`processes: ${procs.join('; ')}`)
  for (const cg of ['/sys/fs/cgroup/unified/lab', '/sys/fs/cgroup/systemd/lab'])
    if (existsSync(cg)) found.push(`cgroup ${cg}`)
  const loops = sh('losetup', ['-l'])
    .out.split('\n')
    .filter((l) => l.includes('/var/lib/halab/lab'))
  if (loops.length) found.push(`loop devices: ${loops.join('; ')}`)
  if (/lookup 1999/.test(sh('ip', ['rule']).out)) found.push('ip rule 1999')
  if (existsSync('/var/lib/halab/lab/state.json')) found.push('state.json')
  return found
}

function requireRootInCi(): void {
  if (!isRoot)
    throw new Error('CI=true but not root: the lab e2e tests must run as root in CI, they are not skipped there')
}

/** The checks both topologies share: by name, by address, peers and nothing else. */
function reachabilityTests(topology: string): void {
  it('reaches every host by name through lab exec', async () => {
    for (const h of await hostsOf(topology)) {
      const r = await lab('exec', h.name, '--', 'hostname')
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout.trim(), h.name)
    }
  })

  it('reaches every host by each address with the lab key, its known_hosts and strict host key checking', async () => {
    for (const h of await hostsOf(topology))
      for (const a of h.addresses) {
        const r = sshByAddress(a, 'hostname')
        assert.equal(r.code, 0, `${h.name} at ${a}: ${r.out}`)
        assert.equal(r.out.trim(), h.name)
      }
  })

  it('lets each host reach its peers on every subnet, with no route anywhere else', async () => {
    const hosts = await hostsOf(topology)
    for (const h of hosts) {
      const peers = hosts.filter((p) => p !== h).flatMap((p) => p.addresses)
      // bash's /dev/tcp: a TCP connect to each peer's sshd, inside the lab only.
      const probe = peers
        .map((a) => `(exec 3<>/dev/tcp/${a}/22) 2>/dev/null && echo ok ${a} || echo FAIL ${a}`)
        .join('; ')
      const r = await lab(
        'exec',
        h.name,
        '--',
        'bash',
        '-c',
        `${probe}; echo ---; ip -4 route; echo ---; ip route get 192.0.2.1 2>&1; ip route get 8.8.8.8 2>&1; true`,
      )
      assert.equal(r.code, 0, r.stderr)
      const [reach, routes, off] = r.stdout.split('---\n')
      assert.deepEqual(
        reach
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('ok ')),
        [],
        `${h.name} cannot reach some peers`,
      )
      const routeLines = routes.trim().split('\n')
      assert.ok(
        routeLines.every((l) => / proto kernel scope link /.test(l)),
        `${h.name} has a route that is not its own subnet:\n${routes}`,
      )
      assert.equal(routeLines.length, h.addresses.length)
      assert.doesNotMatch(routes, /default/)
      assert.match(off, /unreachable/i, `${h.name} has a route off the lab: ${off}`)
    }
  })
}

describe('lab plan from the inventories (no root needed)', () => {
  it('gives the 4-node public bridge the inventory gateway and the back end its highest free address', async () => {
    const topo = topologyFromInventory(await loadInventory(join(REPO, 'inventory', '4-node'), { skipSecrets: true }))
    assert.deepEqual(
      topo.bridges.map((b) => [b.subnet, b.address, b.hosts.length]),
      [
        ['10.0.0.0/24', '10.0.0.128', 4],
        ['192.168.10.0/24', '192.168.10.254', 4],
      ],
    )
    assert.deepEqual(
      topo.hosts.find((h) => h.name === 'protoss')?.disks.map((d) => [d.name, d.bytes]),
      [['/dev/vdb1', 2 ** 30]],
    )
  })

  it('puts 2-node-web on ens18 and 2-node on one bridge with disks', async () => {
    const web = topologyFromInventory(await loadInventory(join(REPO, 'inventory', '2-node-web'), { skipSecrets: true }))
    assert.deepEqual(
      web.hosts.map((h) => [h.name, h.interfaces.map((i) => `${i.name} ${i.address}/${i.prefix}`)]),
      [
        ['master-cluster', ['ens18 172.23.19.46/24']],
        ['slave-cluster', ['ens18 172.23.19.47/24']],
      ],
    )
    const two = topologyFromInventory(await loadInventory(join(REPO, 'inventory', '2-node'), { skipSecrets: true }))
    assert.deepEqual(
      two.bridges.map((b) => b.address),
      ['192.168.0.254'],
    )
  })
})

describe('lab with the 2-node inventory', { skip }, () => {
  let up: CliResult
  before(async () => {
    requireRootInCi()
    await lab('down') // the tests own the lab on this machine
    up = await lab('up', '2-node')
  })
  after(async () => {
    if (isRoot) await lab('down')
  })

  it('starts both hosts and prints each with its interface, address and how to reach it', () => {
    assert.equal(up.code, 0, up.stderr)
    assert.match(up.stdout, /nodo1\s+eth0\s+192\.168\.0\.27\/24\s+up\s+run-playbook lab ssh nodo1/)
    assert.match(up.stdout, /nodo2\s+eth0\s+192\.168\.0\.28\/24\s+up/)
    assert.match(up.stdout, /ssh -i \/var\/lib\/halab\/lab\/id_ed25519 root@192\.168\.0\.28/)
  })

  reachabilityTests('2-node')

  it('gives each host its lab_disks as a writable block device', async () => {
    const r = await lab(
      'exec',
      'nodo1',
      '--',
      'sh',
      '-c',
      'test -b /dev/sda6 && blockdev --getsize64 /dev/sda6 && dd if=/dev/zero of=/dev/sda6 bs=4096 count=1 2>/dev/null && echo written',
    )
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.stdout.trim().split('\n'), [String(256 * 2 ** 20), 'written'])
  })

  it('installs a package inside a host through the lab apt proxy', async () => {
    const r = await lab(
      'exec',
      'nodo2',
      '--',
      'sh',
      '-c',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl >/dev/null && curl --version | head -1',
    )
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^curl \d/)
  })

  it('lab exec passes each argument intact and fails when the command fails', async () => {
    const odd = `it's a "test" $(id) \`x\` ; * \n done`
    const ok = await lab('exec', 'nodo1', '--', 'printf', '%s', odd)
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stdout, odd)
    const bad = await lab('exec', 'nodo1', '--', 'sh', '-c', 'exit 3')
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /nodo1: the command exited with code 3/)
  })

  it('hands the runner the lab key and known_hosts for this inventory only', () => {
    assert.deepEqual(labConnectionFor(join(REPO, 'inventory', '2-node')), {
      privateKeyPath: KEY,
      knownHostsPath: KNOWN_HOSTS,
    })
    assert.deepEqual(labConnectionFor(join(REPO, 'inventory', '2-node', 'hosts.yml')), {
      privateKeyPath: KEY,
      knownHostsPath: KNOWN_HOSTS,
    })
    assert.equal(labConnectionFor(join(REPO, 'inventory', '4-node')), undefined)
    const known = readFileSync(KNOWN_HOSTS, 'utf8')
    assert.match(known, /^nodo1,192\.168\.0\.27 ssh-ed25519 AAAA/m)
    assert.match(known, /^nodo2,192\.168\.0\.28 ssh-ed25519 AAAA/m)
  })

  it('reports the lab as up when asked again for the same inventory, and refuses another inventory', async () => {
    const again = await lab('up', '-i', 'inventory/2-node')
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /already up/)
    const other = await lab('up', '4-node')
    assert.equal(other.code, 1)
    assert.match(other.stderr, /already up for another inventory[\s\S]*lab down/)
  })

  it('tells a user who is not root to run it as root, and changes nothing', async () => {
    const r = sh('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      join(REPO, 'bin', 'run-playbook.js'),
      'lab',
      'up',
      '2-node',
    ])
    assert.equal(r.code, 1, r.out)
    assert.match(r.out, /needs root[\s\S]*sudo npx run-playbook lab up/)
    assert.equal((await lab('status')).code, 0)
  })

  it('lab stop powers a host off and lab start brings it back with its root and disk (clean and --hard)', async () => {
    await onHost(
      'nodo2',
      'echo kept > /root/before-stop && printf disk-kept | dd of=/dev/sda6 bs=512 seek=8 conv=notrunc 2>/dev/null && sync',
    )
    for (const how of [[], ['--hard']]) {
      const stop = await lab('stop', 'nodo2', ...how)
      assert.equal(stop.code, 0, stop.stderr)
      assert.match(stop.stdout, /nodo2 stopped/)
      const after = sshByAddress('192.168.0.28', 'hostname; ps -eo pid,args | head -20')
      assert.notEqual(after.code, 0, `nodo2 still answers after lab stop: ${stop.stdout} ${after.out}`)
      const status = await lab('status')
      assert.equal(status.code, 0, status.stderr)
      assert.match(status.stdout, /nodo2\s+eth0\s+192\.168\.0\.28\/24\s+stopped/)
      assert.match(status.stdout, /powered off by lab stop: nodo2/)
      assert.equal((await lab('exec', 'nodo1', '--', 'true')).code, 0, 'the other host is untouched')
      assert.match((await lab('stop', 'nodo2')).stdout, /already stopped/)
      const start = await lab('start', 'nodo2')
      assert.equal(start.code, 0, start.stderr)
      assert.match(start.stdout, /nodo2 up again: ssh answered/)
      assert.equal(
        await onHost('nodo2', 'cat /root/before-stop; dd if=/dev/sda6 bs=512 skip=8 count=1 2>/dev/null | head -c 9'),
        'kept\ndisk-kept',
      )
    }
    assert.match((await lab('start', 'nodo2')).stdout, /already running/)
  })

  it('lab down leaves no namespace, link, mount, process, cgroup or loop device behind', async () => {
    const down = await lab('down')
    assert.equal(down.code, 0, down.stderr)
    assert.deepEqual(leftovers(), [])
    const again = await lab('down')
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /nothing to remove/)
  })
})

describe('lab safety', { skip }, () => {
  before(async () => {
    requireRootInCi()
    await lab('down')
  })

  it('refuses a topology whose subnet overlaps a route this machine has, and creates nothing', async () => {
    // Overlap with the subnet of this machine's default route, whatever it is here.
    const route = /^default via (\d+\.\d+\.\d+)\.\d+/m.exec(sh('ip', ['-4', 'route']).out)
    const net = route ? route[1] : '127.1.2' // no default route: loopback, refused as reserved
    const dir = mkdtempSync(join(tmpdir(), 'halab-overlap-'))
    writeFileSync(
      join(dir, 'hosts.yml'),
      `all:\n  hosts:\n    a:\n      interfaces:\n        - { name: eth0, address: ${net}.250, prefix: 24 }\n`,
    )
    try {
      const r = await lab('up', '-i', dir)
      assert.equal(r.code, 1, r.stdout)
      assert.match(r.stderr, route ? /refuses to start[\s\S]*overlaps this machine's route/ : /reserved range/)
      assert.deepEqual(leftovers(), [])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('lab with the 4-node inventory', { skip }, () => {
  let up: CliResult
  before(async () => {
    requireRootInCi()
    await lab('down')
    up = await lab('up', '-i', 'inventory/4-node')
  })
  after(async () => {
    if (isRoot) await lab('down')
  })

  it('starts the four hosts with two interfaces each', () => {
    assert.equal(up.code, 0, up.stderr)
    for (const name of ['zerg', 'supermente', 'protoss', 'terran'])
      assert.match(up.stdout, new RegExp(`^${name}\\s+eth0\\s+10\\.0\\.0\\.\\d+/24\\s+up`, 'm'))
    assert.match(up.stdout, /^\s+eth1\s+192\.168\.10\.1\/24/m)
    assert.match(up.stdout, /halab-br0 10\.0\.0\.128\/24/)
  })

  reachabilityTests('4-node')

  it('gives the real servers /dev/vdb1 and the directors no disk', async () => {
    for (const [host, want] of [
      ['protoss', 'yes'],
      ['terran', 'yes'],
      ['zerg', 'no'],
    ]) {
      const r = await lab('exec', host, '--', 'sh', '-c', 'test -b /dev/vdb1 && echo yes || echo no')
      assert.equal(r.stdout.trim(), want, host)
    }
  })

  it('lab down leaves nothing behind', async () => {
    const down = await lab('down')
    assert.equal(down.code, 0, down.stderr)
    assert.deepEqual(leftovers(), [])
  })
})
