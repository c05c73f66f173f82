// The benchmark's peers on loopback: pyinfra (bench/pyinfra/workload_a.py, through the
// inventory, command line and output parser bench/run.ts uses) and Ansible with Mitogen
// (the ansible.cfg bench/run.ts writes) run workload A against two sshd on this machine,
// one per host, as the lab's hosts each have their own. Each converges to the state halab
// leaves (and halab to theirs), a first run changes the four tasks on every host, and
// both keep one SSH connection per host. pyinfra's site deploy (workload B) puts a
// manifest's files, link and absence, and a second run changes nothing. Needs root (it
// creates two users, removed after), Debian's ansible-core and the peers
// (bench/peers/install.sh); skipped without them.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ANSIBLE_DIR, ansibleEnv, parseRecap, writeAnsibleConfig, type RecapLine } from '../../bench/lib/ansible.ts'
import {
  MITOGEN_STRATEGY,
  PYINFRA,
  PYINFRA_DEPLOYS,
  parsePyinfraOutput,
  pyinfraRun,
  writePyinfraInventory,
} from '../../bench/lib/peers.ts'
import { run, type RunSpec } from '../../bench/lib/proc.ts'
import type { SiteManifest } from '../../bench/lib/site-manifest.ts'
import { REPO, runCli } from '../helpers/cli.ts'
import { sshdAvailable, startSshd, type TestSshd } from '../helpers/sshd.ts'

const USERS = ['hbpeer1', 'hbpeer2']
const skip =
  process.getuid?.() !== 0
    ? 'needs root (workload A creates users)'
    : (sshdAvailable() ??
      (!existsSync('/usr/bin/ansible-playbook')
        ? 'ansible-core is not installed (apt-get install ansible-core)'
        : !existsSync(PYINFRA) || !existsSync(join(MITOGEN_STRATEGY, 'mitogen_linear.py'))
          ? 'the peers are not installed (sh bench/peers/install.sh)'
          : undefined))

let sshds: TestSshd[] = []
let work: string
let pyinfraInventory: string
let mitogenEnv: Record<string, string>

const hostName = (i: number) => `loop${i + 1}`
const logOf = (i: number) => join(work, `${USERS[i]}.log`)

function removeUsers(): void {
  for (const u of USERS) spawnSync('userdel', ['-r', u], { stdio: 'ignore' })
}

/** halab's and Ansible's inventory: each host its own sshd, user and log. */
function writeInventory(dir: string): void {
  const hosts = sshds.map((s, i) =>
    [
      `    ${hostName(i)}:`,
      '      ansible_host: 127.0.0.1',
      `      ansible_port: ${s.port}`,
      `      ansible_user: ${s.user}`,
      `      ansible_ssh_private_key_file: ${s.keyPath}`,
      `      workload_user: ${USERS[i]}`,
      `      workload_log: ${logOf(i)}`,
    ].join('\n'),
  )
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'hosts.yml'), ['all:', '  hosts:', ...hosts, ''].join('\n'))
  writeFileSync(join(dir, 'known_hosts'), sshds.map((s) => readFileSync(s.knownHostsPath, 'utf8')).join(''))
}

/**
 * Logins (authenticated connections: the helper's port probe is a connection too) and
 * sessions each sshd logged while `fn` ran.
 */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; connections: number[]; sessions: number[] }> {
  const count = (re: RegExp) => sshds.map((s) => (readFileSync(s.logPath, 'utf8').match(re) ?? []).length)
  const [c0, s0] = [count(/Accepted publickey for /g), count(/Starting session: /g)]
  const result = await fn()
  await new Promise((r) => setTimeout(r, 300))
  const [c1, s1] = [count(/Accepted publickey for /g), count(/Starting session: /g)]
  return { result, connections: c1.map((x, i) => x - c0[i]), sessions: s1.map((x, i) => x - s0[i]) }
}

function changedPerHost(recap: Map<string, RecapLine>): Record<string, number> {
  return Object.fromEntries([...recap].map(([h, r]) => [h, r.failed + r.unreachable ? -1 : r.changed]))
}

const each = (n: number) => Object.fromEntries(sshds.map((_, i) => [hostName(i), n]))

async function pyinfra(): Promise<{ changed: Record<string, number>; connections: number[] }> {
  const spec = pyinfraRun(pyinfraInventory, join(PYINFRA_DEPLOYS, 'workload_a.py'), 'loop', sshds.length)
  const r = await counted(() => run({ ...spec, timeoutMs: 300_000 }))
  assert.equal(r.result.code, 0, r.result.stdout + r.result.stderr)
  return { changed: changedPerHost(parsePyinfraOutput(r.result.stdout + r.result.stderr)), connections: r.connections }
}

async function mitogen(): Promise<{ changed: Record<string, number>; sessions: number[] }> {
  const playbook = join(ANSIBLE_DIR, 'workload-a.yml')
  const spec: RunSpec = { argv: ['ansible-playbook', '-i', join(work, 'inv', 'hosts.yml'), playbook], env: mitogenEnv }
  const r = await counted(() => run({ ...spec, cwd: REPO, timeoutMs: 300_000 }))
  assert.equal(r.result.code, 0, r.result.stdout + r.result.stderr)
  return { changed: changedPerHost(parseRecap(r.result.stdout)), sessions: r.sessions }
}

async function halab(): Promise<Record<string, number>> {
  const r = await runCli(['workload-a', '-i', join(work, 'inv')], { cwd: join(REPO, 'bench', 'project') })
  assert.equal(r.code, 0, r.stdout + r.stderr)
  return changedPerHost(parseRecap(r.stdout))
}

describe('the bench peers on loopback', { skip }, () => {
  before(async () => {
    removeUsers()
    sshds = [await startSshd(), await startSshd()]
    work = mkdtempSync(join(tmpdir(), 'halab-bench-peers-'))
    writeInventory(join(work, 'inv'))
    const hosts = sshds.map((s, i) => ({
      name: hostName(i),
      address: '127.0.0.1',
      port: s.port,
      user: s.user,
      key: s.keyPath,
      knownHosts: join(work, 'inv', 'known_hosts'),
      data: { workload_user: USERS[i], workload_log: logOf(i) },
    }))
    pyinfraInventory = writePyinfraInventory(join(work, 'inventory.py'), hosts, { loop: hosts.map((h) => h.name) })
    const cfg = writeAnsibleConfig(join(work, 'mitogen'), 5, {
      mitogenStrategy: MITOGEN_STRATEGY,
      key: sshds[0].keyPath,
      knownHosts: join(work, 'inv', 'known_hosts'),
    })
    mitogenEnv = ansibleEnv(cfg)
  })
  after(async () => {
    removeUsers()
    for (const s of sshds) await s.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('pyinfra: the four operations change on a first run, nothing on the second, one connection per host', async () => {
    const first = await pyinfra()
    assert.deepEqual(first.changed, each(4))
    assert.deepEqual(first.connections, [1, 1])
    assert.equal(readFileSync(logOf(1), 'utf8'), 'halab benchmark log\n')
    assert.deepEqual((await pyinfra()).changed, each(0))
  })

  it('halab and Ansible+Mitogen find the state pyinfra left as their own (changed=0)', async () => {
    assert.deepEqual(await halab(), each(0))
    assert.deepEqual((await mitogen()).changed, each(0))
  })

  it('Ansible+Mitogen: a first run changes four tasks in one session per host; halab then none', async () => {
    removeUsers()
    rmSync(logOf(0), { force: true })
    rmSync(logOf(1), { force: true })
    const first = await mitogen()
    assert.deepEqual(first.changed, each(4))
    assert.deepEqual(first.sessions, [1, 1], 'mitogen_linear: one SSH session carries every task (pipelining needs 4+)')
    assert.deepEqual(await halab(), each(0))
  })

  it("pyinfra's site deploy puts a manifest's files, link and absence, then changes nothing", async () => {
    const [src, dest] = [join(work, 'site-src'), join(work, 'site')]
    mkdirSync(src)
    mkdirSync(dest)
    writeFileSync(join(src, 'ha.conf'), 'Listen 80\n')
    writeFileSync(join(src, 'authkeys'), 'auth 1\n1 sha1 not-a-real-one\n', { mode: 0o600 })
    writeFileSync(join(dest, '000-default.conf'), 'stock\n')
    const file = (name: string, mode: string) => ({ path: join(dest, name), src: join(src, name), mode })
    const site: SiteManifest = {
      files: [file('ha.conf', '644'), file('authkeys', '600')].map((f) => ({ ...f, user: 'root', group: 'root' })),
      links: [{ path: join(dest, '000-ha.conf'), target: 'ha.conf' }],
      absent: [join(dest, '000-default.conf')],
      packages: [],
      services: [],
    }
    const s = sshds[0]
    const host = { name: 'site1', address: '127.0.0.1', port: s.port, user: s.user, key: s.keyPath, data: { site } }
    const inventory = writePyinfraInventory(join(work, 'site.py'), [{ ...host, knownHosts: s.knownHostsPath }], {
      one: ['site1'],
    })
    const deploy = async () => {
      const r = await run({
        ...pyinfraRun(inventory, join(PYINFRA_DEPLOYS, 'site_2node.py'), 'one', 1),
        timeoutMs: 300_000,
      })
      assert.equal(r.code, 0, r.stdout + r.stderr)
      return changedPerHost(parsePyinfraOutput(r.stdout + r.stderr))
    }
    assert.deepEqual(await deploy(), { site1: 4 })
    assert.equal(readFileSync(join(dest, 'authkeys'), 'utf8'), 'auth 1\n1 sha1 not-a-real-one\n')
    assert.equal(statSync(join(dest, 'authkeys')).mode & 0o777, 0o600)
    assert.equal(readlinkSync(join(dest, '000-ha.conf')), 'ha.conf')
    assert.equal(existsSync(join(dest, '000-default.conf')), false)
    assert.deepEqual(await deploy(), { site1: 0 })
  })
})
