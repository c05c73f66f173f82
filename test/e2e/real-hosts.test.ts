// Reaching real hosts the way their owners' ssh does, on loopback sshds: through a second
// sshd as the jump host (~/.ssh/config's ProxyJump, and a chain with -J), with a password
// and keyboard-interactive login for a throw-away user, and sudo with a password.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { UnreachableError } from '../../src/errors.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { redact } from '../../src/secrets.ts'
import { connectHost } from '../../src/transport/connect.ts'
import { Tunnels } from '../../src/transport/jump.ts'
import type { Transport } from '../../src/transport/types.ts'
import { REPO, runCli } from '../helpers/cli.ts'
import { sshdAvailable, startSshd, type TestSshd } from '../helpers/sshd.ts'
import { createTestUser, testUserUnavailable, type TestUser } from '../helpers/test-user.ts'

const skip = sshdAvailable()
const noUser = skip ?? testUserUnavailable()
let target: TestSshd, jump: TestSshd, byPassword: TestSshd, byKeyboard: TestSshd
let user: TestUser | undefined
const dirs: string[] = []
// A password that would run a command if a shell ever read it: sudo must take it, never sh.
const marker = join(tmpdir(), `halab-pw-ran-${randomBytes(4).toString('hex')}`)
const PASSWORD = `pw ${randomBytes(6).toString('hex')}; touch ${marker}`

before(async () => {
  if (skip) return
  target = await startSshd()
  jump = await startSshd()
  if (noUser) return
  byPassword = await startSshd(['PasswordAuthentication yes'])
  byKeyboard = await startSshd(['UsePAM yes', 'KbdInteractiveAuthentication yes'])
  user = createTestUser(PASSWORD)
})
after(async () => {
  user?.remove()
  for (const s of [target, jump, byPassword, byKeyboard]) await s?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  rmSync(marker, { force: true })
})

/** An inventory folder (hosts.yml, .env, known_hosts trusting `trusted`) and its ssh config. */
function site(hostsYml: string, trusted: TestSshd[], sshConfig = '', env = '') {
  const dir = mkdtempSync(join(tmpdir(), 'halab-real-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'hosts.yml'), hostsYml)
  writeFileSync(join(dir, '.env'), env, { mode: 0o600 })
  writeFileSync(join(dir, 'known_hosts'), trusted.map((s) => readFileSync(s.knownHostsPath, 'utf8')).join(''))
  writeFileSync(join(dir, 'ssh_config'), sshConfig)
  return { dir, sshConfigPath: join(dir, 'ssh_config') }
}

async function connect(s: ReturnType<typeof site>, name: string, tunnels = new Tunnels()): Promise<Transport> {
  const inv = await loadInventory(s.dir)
  const host = inv.hosts.get(name)!
  return connectHost(host, { inventoryDir: s.dir, projectRoot: s.dir, acceptNewHosts: false, tunnels, ...s })
}

const accepted = (sshd: TestSshd) => (readFileSync(sshd.logPath, 'utf8').match(/Accepted \S+ for/g) ?? []).length

/** The process that holds our TCP connection to `sshd`: an sshd when it went through a jump host. */
function clientOf(sshd: TestSshd): string {
  const out = spawnSync('ss', ['-tnpH', 'state', 'established', `( dport = :${sshd.port} )`], { encoding: 'utf8' })
  return out.stdout
}

test(
  'a host behind a jump host from ~/.ssh/config: two hosts share one login on the jump host',
  {
    skip,
  },
  async () => {
    const config = [
      'Host web1 web2',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      `  IdentityFile ${target.keyPath}`,
      '  ProxyJump bastion',
      'Host bastion',
      '  HostName 127.0.0.1',
      `  Port ${jump.port}`,
      `  IdentityFile ${jump.keyPath}`,
      '',
    ].join('\n')
    const s = site('all:\n  hosts:\n    web1:\n    web2:\n', [target, jump], config)
    const tunnels = new Tunnels()
    const [jumpBefore, targetBefore] = [accepted(jump), accepted(target)]
    const a = await connect(s, 'web1', tunnels)
    const b = await connect(s, 'web2', tunnels)
    try {
      assert.equal((await a.exec('echo $SSH_CONNECTION')).stdout.split(' ')[3].trim(), String(target.port))
      assert.equal((await b.exec('echo ok')).stdout, 'ok\n')
      assert.equal(accepted(target) - targetBefore, 2)
      assert.equal(accepted(jump) - jumpBefore, 1, 'one connection to the jump host for both')
      assert.equal(tunnels.size, 1)
      const holders = clientOf(target)
      assert.match(holders, /"sshd"/, `the jump host's sshd connects to the target: ${holders}`)
      assert.doesNotMatch(holders, /"node"/, 'halab did not connect to the target directly')
    } finally {
      await a.close()
      await b.close()
    }
    assert.equal(tunnels.size, 0, 'the jump connection is closed with its last host')
  },
)

test('a chain of jump hosts from ansible_ssh_common_args -J, with a user and port in the spec', { skip }, async () => {
  const config = `Host bastion\n  HostName 127.0.0.1\n  IdentityFile ${jump.keyPath}\n`
  const hop = `${jump.user}@bastion:${jump.port}`
  const s = site(
    'all:\n  hosts:\n    app:\n' +
      `      ansible_host: 127.0.0.1\n      ansible_port: ${target.port}\n` +
      `      ansible_ssh_private_key_file: ${target.keyPath}\n` +
      `      ansible_ssh_common_args: "-o StrictHostKeyChecking=no -J ${hop},${hop}"\n`,
    [target, jump],
    config,
  )
  const before = accepted(jump)
  const t = await connect(s, 'app')
  try {
    assert.equal((await t.exec('echo chained')).stdout, 'chained\n')
    assert.equal(accepted(jump) - before, 2, 'the second hop is the jump host reached through itself')
  } finally {
    await t.close()
  }
})

test('a jump host that cannot reach the target is named in the error, with what to check', { skip }, async () => {
  const config = `Host bastion\n  HostName 127.0.0.1\n  Port ${jump.port}\n  IdentityFile ${jump.keyPath}\n`
  const s = site(
    'all:\n  hosts:\n    gone:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n' +
      `      ansible_ssh_common_args: -J bastion\n      ansible_ssh_private_key_file: ${target.keyPath}\n`,
    [jump],
    config,
  )
  await assert.rejects(connect(s, 'gone'), (e: unknown) => {
    assert.ok(e instanceof UnreachableError)
    assert.match(e.message, /gone: unreachable: the jump host bastion could not reach 127\.0\.0\.1:1/)
    return true
  })
})

test(
  'a jump host that refuses our key: the target is unreachable, through the jump host, with what to check there',
  {
    skip,
  },
  async () => {
    // The target's key is not in the jump host's authorized_keys.
    const config = `Host bastion\n  HostName 127.0.0.1\n  Port ${jump.port}\n  IdentityFile ${target.keyPath}\n`
    const s = site(
      'all:\n  hosts:\n    web1:\n      ansible_host: 127.0.0.1\n' +
        `      ansible_port: ${target.port}\n      ansible_ssh_common_args: -J bastion\n` +
        `      ansible_ssh_private_key_file: ${target.keyPath}\n`,
      [jump, target],
      config,
    )
    await assert.rejects(connect(s, 'web1'), (e: unknown) => {
      assert.ok(e instanceof UnreachableError)
      assert.equal(e.host, 'web1')
      assert.match(e.message, /^web1: unreachable: through jump host bastion: \S+@127\.0\.0\.1:\d+ refused our key/)
      assert.match(e.hint ?? '', /User\/IdentityFile for Host bastion in ~\/\.ssh\/config, or the -J value/)
      assert.doesNotMatch(e.render(), /ansible_password/, 'no password was set')
      return true
    })
  },
)

const passwordInventory = (sshd: TestSshd, extra = '') =>
  'all:\n  hosts:\n    pw:\n' +
  `      ansible_host: 127.0.0.1\n      ansible_port: ${sshd.port}\n      ansible_user: ${user!.name}\n` +
  `      ansible_password: "\${HALAB_T_PASSWORD}"\n${extra}`

const envOf = (password: string) => `HALAB_T_PASSWORD='${password}'\nHALAB_T_SUDO='${password}'\n`

test('password login with ansible_password from .env, and a wrong one refused by name', { skip: noUser }, async () => {
  const s = site(passwordInventory(byPassword), [byPassword], '', envOf(PASSWORD))
  const t = await connect(s, 'pw')
  try {
    assert.equal((await t.exec('id -un')).stdout.trim(), user!.name)
  } finally {
    await t.close()
  }
  assert.match(readFileSync(byPassword.logPath, 'utf8'), new RegExp(`Accepted password for ${user!.name}`))
  assert.equal(redact(`x ${PASSWORD} y`), 'x ******** y', 'the password from .env is masked')
  const wrong = site(passwordInventory(byPassword), [byPassword], '', envOf('not-the-password'))
  await assert.rejects(connect(wrong, 'pw'), /refused our key and password \(ansible_password\)/)
})

test('keyboard-interactive login answers the prompts with ansible_password', { skip: noUser }, async () => {
  const s = site(passwordInventory(byKeyboard), [byKeyboard], '', envOf(PASSWORD))
  const t = await connect(s, 'pw')
  try {
    assert.equal((await t.exec('id -un')).stdout.trim(), user!.name)
  } finally {
    await t.close()
  }
  assert.match(readFileSync(byKeyboard.logPath, 'utf8'), /Accepted keyboard-interactive\/pam for/)
})

test(
  'sudo with ansible_become_password: fed on stdin, never on a command line, never run as a command',
  {
    skip: noUser,
  },
  async () => {
    const become = '      ansible_become: true\n      ansible_become_password: "${HALAB_T_SUDO}"\n'
    const s = site(passwordInventory(byPassword, become), [byPassword], '', envOf(PASSWORD))
    for (const kind of ['password', 'nopasswd'] as const) {
      user!.sudo(kind)
      const t = await connect(s, 'pw')
      try {
        assert.equal((await t.exec('id -u')).stdout, '0\n', `root through sudo (${kind})`)
        assert.equal((await t.exec('cat', { stdin: 'after the password\n' })).stdout, 'after the password\n')
        const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout
        assert.ok(!ps.includes(PASSWORD.split(';')[0]), 'no process shows the password')
      } finally {
        await t.close()
      }
      assert.equal(existsSync(marker), false, `the password line never reached a shell (${kind})`)
    }
    user!.sudo('password')
    const wrong = site(passwordInventory(byPassword, become.replace('HALAB_T_SUDO', 'HALAB_T_WRONG')), [byPassword], '')
    writeFileSync(join(wrong.dir, '.env'), `${envOf(PASSWORD)}HALAB_T_WRONG=wrong-sudo-pw\n`, { mode: 0o600 })
    await assert.rejects(connect(wrong, 'pw'), (e: unknown) => {
      assert.ok(e instanceof UnreachableError)
      assert.match(e.render(), /check ansible_become_password for pw/)
      assert.doesNotMatch(e.render(), /wrong-sudo-pw/)
      return true
    })
  },
)

test(
  'a run through the CLI: password login, sudo with a password, root-owned files, no password in any output',
  {
    skip: noUser,
  },
  async () => {
    user!.sudo('password')
    const become = '      ansible_become: true\n      ansible_become_password: "${HALAB_T_SUDO}"\n'
    const s = site(passwordInventory(byPassword, become), [byPassword], '', envOf(PASSWORD))
    const root = join(s.dir, 'demo-root')
    writeFileSync(
      join(s.dir, 'hosts.yml'),
      readFileSync(join(s.dir, 'hosts.yml'), 'utf8') + `      demo_root: ${root}\n`,
    )
    const project = join(REPO, 'test', 'fixtures', 'project')
    // An empty home: the run must not read this machine's ~/.ssh/config, keys or known_hosts.
    const env = { HOME: mkdtempSync(join(s.dir, 'home-')) }
    const r = await runCli(['demo', '-i', s.dir, '--diff'], { cwd: project, env })
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(statSync(join(root, 'demo.conf')).uid, 0, 'written by root through sudo')
    const secretPart = PASSWORD.split(';')[0]
    assert.ok(!(r.stdout + r.stderr).includes(secretPart), 'the password appears in no output')
    const json = await runCli(['demo', '-i', s.dir, '--json'], { cwd: project, env })
    assert.equal(json.code, 0, json.stdout + json.stderr)
    assert.ok(!json.stdout.includes(secretPart), 'nor in the JSON events')
    assert.equal(existsSync(marker), false)
  },
)
