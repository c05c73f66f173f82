// The SSH transport against a real sshd on loopback: quoting under dash and bash, exit
// codes and stderr, host key checking, wrong keys, unreachable hosts.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { HostKeyError, UnreachableError } from '../../src/errors.ts'
import { sh } from '../../src/transport/quote.ts'
import { LocalTransport } from '../../src/transport/local.ts'
import { SshTransport, type SshTarget } from '../../src/transport/ssh.ts'
import { freePort, sshTarget, startSshd, type TestSshd } from '../helpers/sshd.ts'

let sshd: TestSshd
before(async () => {
  sshd = await startSshd()
})
after(async () => {
  await sshd?.stop()
})

const target = (over: Partial<SshTarget> = {}): SshTarget => sshTarget(sshd, over)

const NASTY = [
  'two words',
  "it's",
  '"double"',
  '$(touch /tmp/halab-injected)',
  '`touch /tmp/halab-injected`',
  'line one\nline two',
  'tab\there',
  'ñandú € 日本',
  '$HOME ${PATH} $$ $1',
  '\\backslash\\',
  '*?[a-z]',
  '; rm -rf /nonexistent-halab',
  '-n',
  '',
  "'",
  "a'b'c",
  '!bang',
]

for (const shell of ['sh', 'bash']) {
  test(`quoting: every awkward value arrives intact under ${shell} on a real sshd`, async () => {
    const t = await new SshTransport(target({ shell })).open()
    try {
      assert.equal(
        (await t.exec('readlink -f /proc/$$/exe')).stdout.trim().endsWith(shell === 'sh' ? 'dash' : 'bash'),
        true,
      )
      const results = await t.execBatch(NASTY.map((v) => ({ command: sh`printf %s ${v}` })))
      results.forEach((r, i) => assert.equal(r.stdout, NASTY[i], `value ${JSON.stringify(NASTY[i])}`))
      const args = await t.exec(sh`for a in ${NASTY}; do printf '<%s>' "$a"; done`)
      assert.equal(args.stdout, NASTY.map((v) => `<${v}>`).join(''))
      assert.equal((await t.exec('test -e /tmp/halab-injected')).code, 1, 'no value was executed')
    } finally {
      await t.close()
    }
  })
}

test('exit codes, stdout and stderr are kept apart; a syntax error does not kill the session', async () => {
  const t = await new SshTransport(target()).open()
  try {
    assert.deepEqual(await t.exec('echo out; echo err >&2; exit 3'), { code: 3, stdout: 'out\n', stderr: 'err\n' })
    assert.equal((await t.exec('if then')).code, 2)
    assert.equal((await t.exec('no-such-command-halab')).code, 127)
    assert.deepEqual(await t.exec('echo still here'), { code: 0, stdout: 'still here\n', stderr: '' })
    assert.equal((await t.exec('cat', { stdin: Buffer.from([0, 1, 2, 255]) })).stdout.length, 4)
    const before = t.stats.roundTrips
    const many = await t.execBatch(Array.from({ length: 30 }, (_, i) => ({ command: `echo ${i}` })))
    assert.equal(many[29].stdout, '29\n')
    assert.equal(t.stats.roundTrips - before, 1, 'a batch is one round trip')
    assert.equal(t.stats.connections, 1)
    assert.equal(t.stats.channels, 1)
  } finally {
    await t.close()
  }
})

test('an unknown host key is refused with its fingerprint and the flag to trust it', async () => {
  const empty = join(sshd.dir, 'empty_known_hosts')
  writeFileSync(empty, '')
  await assert.rejects(new SshTransport(target({ knownHostsFiles: [empty] })).open(), (e: unknown) => {
    assert.ok(e instanceof HostKeyError)
    assert.match(e.render(), /unknown host key for \[127\.0\.0\.1\]:\d+: ssh-ed25519 SHA256:/)
    assert.match(e.render(), /--accept-new-hosts/)
    return true
  })
  const t = await new SshTransport(target({ knownHostsFiles: [empty], acceptNewInto: empty })).open()
  await t.close()
  assert.match(readFileSync(empty, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `))
  const again = await new SshTransport(target({ knownHostsFiles: [empty] })).open()
  await again.close()
})

test('a changed host key is always refused, even with --accept-new-hosts', async () => {
  const other = join(sshd.dir, 'other_key')
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other])
  const [type, key] = readFileSync(`${other}.pub`, 'utf8').split(' ')
  const changed = join(sshd.dir, 'changed_known_hosts')
  writeFileSync(changed, `[127.0.0.1]:${sshd.port} ${type} ${key}\n`)
  await assert.rejects(
    new SshTransport(target({ knownHostsFiles: [changed], acceptNewInto: changed })).open(),
    (e: unknown) => {
      assert.ok(e instanceof HostKeyError)
      assert.match(e.message, /HOST KEY CHANGED/)
      assert.match(e.render(), /ssh-keygen -R/)
      return true
    },
  )
})

test('hashed known_hosts entries are understood', async () => {
  const hashed = join(sshd.dir, 'hashed_known_hosts')
  writeFileSync(hashed, readFileSync(sshd.knownHostsPath))
  spawnSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' })
  assert.match(readFileSync(hashed, 'utf8'), /^\|1\|/)
  const t = await new SshTransport(target({ knownHostsFiles: [hashed] })).open()
  await t.close()
})

test('a wrong key is refused with a message naming user, host and key', async () => {
  const wrong = join(sshd.dir, 'wrong_key')
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrong])
  await assert.rejects(new SshTransport(target({ privateKeyPath: wrong })).open(), (e: unknown) => {
    assert.ok(e instanceof UnreachableError)
    assert.match(e.render(), /refused our key/)
    assert.match(e.render(), /authorized_keys/)
    return true
  })
})

test('an unreachable host fails fast with what to check', async () => {
  const closed = await freePort()
  const t0 = Date.now()
  await assert.rejects(
    new SshTransport(target({ port: closed })).open(),
    (e: unknown) => e instanceof UnreachableError && /ECONNREFUSED/.test(e.message),
  )
  assert.ok(Date.now() - t0 < 2000)
})

test('a remote shell that dies fails the pending command instead of hanging', async () => {
  const t = await new SshTransport(target()).open()
  await assert.rejects(t.exec('kill -9 $PPID; sleep 5'), /remote shell|connection/)
  await t.close()
})

test('100 MB of stdout arrives whole (output is buffered in linear time)', { timeout: 180_000 }, async (t) => {
  const ssh = await new SshTransport(target()).open()
  try {
    const started = Date.now()
    const r = await ssh.exec('head -c 100000000 /dev/zero | tr "\\0" a; echo done >&2')
    t.diagnostic(`100 MB of stdout through one command in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    assert.equal(r.code, 0)
    assert.equal(r.stdout.length, 100_000_000)
    assert.equal(r.stdout.replaceAll('a', ''), '')
    assert.equal(r.stderr, 'done\n')
    assert.equal((await ssh.exec('echo next')).stdout, 'next\n', 'the shell goes on after it')
  } finally {
    await ssh.close()
  }
})

test('output past the cap is dropped with a message, and the frame still ends', async () => {
  const ssh = await new SshTransport(target({ maxOutputBytes: 2 ** 20 })).open()
  try {
    const r = await ssh.exec('head -c 3000000 /dev/zero | tr "\\0" b; printf END')
    assert.equal(r.code, 0)
    const m =
      /^(b*END)\n\[halab: (\d+) more bytes of output were dropped: a command's output is kept up to 1 MiB\]\n$/.exec(
        r.stdout,
      )
    assert.ok(m, r.stdout.slice(-200))
    assert.ok(m[1].length >= 2 ** 20 && m[1].length < 2 ** 20 + 100, `kept ${m[1].length} bytes: the cap and the end`)
    assert.equal(m[1].length + Number(m[2]), 3_000_003, 'what was kept and what was dropped add up to the output')
    assert.equal((await ssh.exec('echo next')).stdout, 'next\n')
  } finally {
    await ssh.close()
  }
})

test('stdin reaches the command without a file on the host or a process showing it', async () => {
  const ssh = await new SshTransport(target()).open()
  try {
    // A fresh tag each run: no copy of this file (tsx's cache, a worktree) can hold it.
    const tag = randomBytes(6).toString('hex')
    const secret = `S3CRET-${tag}-%d-$HOME-"q"-\\`
    // The pattern matches the secret but not itself ([S]), so grep never finds its own argv.
    const probe =
      `grep -rlE '[S]3CRET-${tag}' /tmp /var/tmp /dev/shm 2>/dev/null; ` +
      `ps -eo args | grep -cE '[S]3CRET-${tag}'; true`
    const r = await ssh.exec(`cat; echo; ${probe}`, { stdin: secret })
    assert.equal(r.stdout, `${secret}\n0\n`, 'the secret is read back, no file holds it and no command line shows it')
  } finally {
    await ssh.close()
  }
})

/** Processes on this machine (the loopback sshd's host) whose command line matches. */
function running(pattern: string): string[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (what()) return true
    await new Promise((r) => setTimeout(r, 200))
  }
  return what()
}

test('a command past its timeout is stopped with all it started; the commands behind it still run', async () => {
  const ssh = await new SshTransport(target()).open()
  try {
    const started = Date.now()
    const [late, next] = await ssh.execBatch([
      { command: 'sh -c "sleep 987651; echo never" & wait', timeoutMs: 1500 },
      { command: 'echo after' },
    ])
    assert.equal(late.code, 124)
    assert.match(late.stderr, /ran longer than its timeout \(1\.5 s\): it was stopped, with everything it started/)
    assert.ok(
      Date.now() - started < 60_000,
      'stopped at its timeout, not left to run (a loaded machine may take seconds)',
    )
    assert.deepEqual(next, { code: 0, stdout: 'after\n', stderr: '' }, 'the next command ran in a new shell')
    assert.ok(await until(() => running('sleep 98765[1]').length === 0, 5000), 'nothing it started is left on the host')
    assert.equal((await ssh.exec('echo still')).stdout, 'still\n')
    assert.equal(ssh.stats.connections, 1, 'the same connection')
  } finally {
    await ssh.close()
  }
})

test('when the run is killed, what it left running on the host is stopped', { timeout: 60_000 }, async () => {
  const script = `
    import { SshTransport } from ${JSON.stringify(join(import.meta.dirname, '../../src/transport/ssh.ts'))}
    const t = await new SshTransport(${JSON.stringify(target())}).open()
    process.stdout.write('open\\n')
    await t.exec('sleep 987652')
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (b: Buffer) => b.toString().includes('open') && resolve()),
    )
    assert.ok(await until(() => running('^sleep 98765[2]').length === 1, 10_000), 'the command runs')
    child.kill('SIGKILL')
    assert.ok(
      await until(() => running('^sleep 98765[2]').length === 0, 20_000),
      'the command was stopped after the runner died',
    )
  } finally {
    child.kill('SIGKILL')
  }
})

test('the local transport stops a command past its timeout the same way, and never this process', async () => {
  const local = await new LocalTransport('controller').open()
  try {
    const r = await local.exec('sleep 987653', { timeoutMs: 1000 })
    assert.equal(r.code, 124)
    assert.ok(await until(() => running('^sleep 98765[3]').length === 0, 5000), 'the command is gone')
    assert.equal((await local.exec('echo next')).stdout, 'next\n')
  } finally {
    await local.close()
  }
})
