// The operations for real, on this machine through LocalTransport (or a real sshd), against files in a
// fresh temporary directory: the first run changes, the second plans nothing, check
// mode leaves every byte alone. (package, service and sysctl would change the machine
// itself: they are tested as data here and for real in throw-away lab hosts.)
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { HostContext } from '../../src/engine/host-context.ts'
import type { Plan, Task } from '../../src/engine/types.ts'
import { blockDevice } from '../../src/facts/block.ts'
import { kernelFilesystems, kernelModule } from '../../src/facts/kernel.ts'
import { mountAt, mounts } from '../../src/facts/mounts.ts'
import { networkInterfaces } from '../../src/facts/network.ts'
import { sysctlValue } from '../../src/facts/sysctl.ts'
import { initSystem, osRelease } from '../../src/facts/system.ts'
import { block } from '../../src/ops/block.ts'
import { command } from '../../src/ops/command.ts'
import { directory } from '../../src/ops/directory.ts'
import { file } from '../../src/ops/file.ts'
import { line } from '../../src/ops/line.ts'
import { mount } from '../../src/ops/mount.ts'
import { LocalTransport } from '../../src/transport/local.ts'
import { SshTransport } from '../../src/transport/ssh.ts'
import type { Transport } from '../../src/transport/types.ts'
import { sshTarget, startSshd, type TestSshd } from '../helpers/sshd.ts'

// The same tests run over SSH to a real sshd on loopback from ops-ssh.test.ts.
const overSsh = process.env.HALAB_OPS_TRANSPORT === 'ssh'
let transport: Transport
let sshd: TestSshd | undefined
let dir: string
const inventoryHost = { name: 'local', groups: ['all'], vars: {}, origins: {} }
const host = (check = false) => new HostContext(inventoryHost, transport, { check, diff: true }, new Map())

before(async () => {
  if (!overSsh) return void (transport = await new LocalTransport('local').open())
  sshd = await startSshd()
  transport = await new SshTransport(sshTarget(sshd)).open()
})
after(async () => {
  await transport.close()
  await sshd?.stop()
})
const created: string[] = []
beforeEach(() => {
  // A space in the path: every command must quote what it interpolates.
  dir = mkdtempSync(join(tmpdir(), 'halab ops-'))
  created.push(dir)
})

/** Plan the task as the engine does (facts in one batch), then apply each change. */
async function apply(task: Task, ctx = host()): Promise<Plan> {
  await ctx.prefetch(task.facts?.(ctx) ?? [])
  const plan = await task.plan(ctx)
  for (const change of plan.changes) {
    if (change.command) await ctx.run(change.command, { stdin: change.stdin })
    ctx.invalidateFacts()
  }
  return plan
}

/** Plan only, in check mode. */
async function checkPlan(task: Task): Promise<Plan> {
  const ctx = host(true)
  await ctx.prefetch(task.facts?.(ctx) ?? [])
  return task.plan(ctx)
}

/** Every entry under a directory with its type, mode and content: equal means untouched. */
function snapshot(root: string): string {
  const out: string[] = []
  const walk = (p: string) => {
    const st = lstatSync(p)
    const kind = st.isDirectory()
      ? 'd'
      : st.isSymbolicLink()
        ? `l>${readlinkSync(p)}`
        : `f:${readFileSync(p).toString('base64')}`
    out.push(`${p.slice(root.length)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${kind}`)
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e))
  }
  walk(root)
  return out.join('\n')
}

/** Check mode plans changes and touches nothing; then a run changes; then a run plans nothing. */
async function converge(task: Task): Promise<Plan> {
  const before = snapshot(dir)
  const planned = await checkPlan(task)
  assert.ok(planned.changes.length > 0, 'check mode plans the changes')
  assert.equal(snapshot(dir), before, 'check mode leaves the directory byte-identical')
  const first = await apply(task)
  assert.deepEqual(
    first.changes.map((c) => c.summary),
    planned.changes.map((c) => c.summary),
  )
  const second = await apply(task)
  assert.deepEqual(
    second.changes.map((c) => c.summary),
    [],
    'the second run plans no change',
  )
  assert.ok(second.noop, 'the second run says why nothing is to do')
  return first
}

const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8)

describe('directory', () => {
  test('is created with its mode, then left alone', async () => {
    const path = join(dir, 'www data', 'site')
    await converge(directory({ path, mode: '0750' }))
    assert.equal(mode(path), '750')
    await converge(directory({ path, mode: '0705' }))
    assert.equal(mode(path), '705')
  })

  test('absent removes an empty directory and refuses one with data', async () => {
    const path = join(dir, 'data')
    mkdirSync(path)
    writeFileSync(join(path, 'precious'), 'keep me')
    await assert.rejects(
      apply(directory({ path, state: 'absent' })),
      /is not empty: halab removes only empty directories/,
    )
    assert.equal(readFileSync(join(path, 'precious'), 'utf8'), 'keep me')
    rmSync(join(path, 'precious'))
    await converge(directory({ path, state: 'absent' }))
    assert.equal(existsSync(path), false)
  })
})

describe('file', () => {
  test('is written atomically, then left alone', async () => {
    const path = join(dir, 'app.conf')
    await converge(file({ path, content: 'port = 80\n', mode: '0640' }))
    assert.equal(readFileSync(path, 'utf8'), 'port = 80\n')
    assert.equal(mode(path), '640')
  })

  test('a candidate its validator rejects never replaces the live file, and leaves no temp file', async () => {
    const path = join(dir, 'app.conf')
    writeFileSync(path, 'port = 80\n')
    const before = snapshot(dir)
    await assert.rejects(
      apply(file({ path, content: 'port = eighty\n', validate: "grep -q '^port = [0-9]*$' %s" })),
      /command failed on local/,
    )
    assert.equal(snapshot(dir), before)
    assert.deepEqual(readdirSync(dir), ['app.conf'])
    await converge(file({ path, content: 'port = 8080\n', validate: "grep -q '^port = [0-9]*$' %s" }))
    assert.equal(readFileSync(path, 'utf8'), 'port = 8080\n')
    assert.equal(readFileSync(path + '.halab-bak', 'utf8'), 'port = 80\n')
  })

  test('a sensitive file replaced leaves no backup of its old secrets', async () => {
    const path = join(dir, 'secret.conf')
    writeFileSync(path, 'password = old\n')
    await converge(file({ path, content: 'password = new\n', mode: '0600', sensitive: true }))
    assert.equal(readFileSync(path, 'utf8'), 'password = new\n')
    assert.equal(existsSync(path + '.halab-bak'), false)
  })
})

describe('line', () => {
  test('replaces the last matching line, then left alone', async () => {
    const path = join(dir, 'hosts')
    writeFileSync(path, '127.0.0.1 localhost\n10.0.0.1 a\n10.0.0.1 b\n')
    await converge(line({ path, regexp: '^10\\.0\\.0\\.1\\s', line: '10.0.0.1 web1', backup: false }))
    assert.equal(readFileSync(path, 'utf8'), '127.0.0.1 localhost\n10.0.0.1 a\n10.0.0.1 web1\n')
  })

  test('creates a missing file, appends, and removes', async () => {
    const path = join(dir, 'sub.conf')
    await converge(line({ path, line: 'a = 1' }))
    await converge(line({ path, line: "b = 'two words' $(no)" }))
    assert.equal(readFileSync(path, 'utf8'), "a = 1\nb = 'two words' $(no)\n")
    await converge(line({ path, regexp: '^a ', state: 'absent' }))
    assert.equal(readFileSync(path, 'utf8'), "b = 'two words' $(no)\n")
  })
})

describe('block', () => {
  test('is inserted, replaced in place, and removed', async () => {
    const path = join(dir, 'hosts')
    writeFileSync(path, '127.0.0.1 localhost\n')
    await converge(block({ path, marker: 'cluster', content: '10.0.0.1 web1\n' }))
    writeFileSync(path, readFileSync(path, 'utf8') + '::1 localhost\n')
    await converge(block({ path, marker: 'cluster', content: '10.0.0.1 web1\n10.0.0.2 web2\n' }))
    assert.equal(
      readFileSync(path, 'utf8'),
      '127.0.0.1 localhost\n# BEGIN halab cluster\n10.0.0.1 web1\n10.0.0.2 web2\n# END halab cluster\n::1 localhost\n',
    )
    await converge(block({ path, marker: 'cluster', state: 'absent' }))
    assert.equal(readFileSync(path, 'utf8'), '127.0.0.1 localhost\n::1 localhost\n')
  })
})

describe('mount', () => {
  const skip = process.getuid?.() !== 0 ? 'needs root to mount' : undefined

  test('a bind mount: mount point created, mounted, in fstab; then unmounted and removed', { skip }, async () => {
    const src = join(dir, 'data')
    const path = join(dir, 'www root')
    const fstab = join(dir, 'fstab')
    mkdirSync(src)
    writeFileSync(join(src, 'index.html'), 'hello\n')
    writeFileSync(fstab, '# test fstab\n')
    const spec = { src, path, fstype: 'none', opts: 'bind', fstab }
    try {
      const first = await converge(mount(spec))
      assert.deepEqual(
        first.changes.map((c) => c.summary.replaceAll(dir, 'DIR')),
        [
          `create mount point DIR/www root`,
          `mount DIR/data on DIR/www root`,
          `update DIR/fstab (line for DIR/www root)`,
        ],
      )
      assert.equal(readFileSync(join(path, 'index.html'), 'utf8'), 'hello\n')
      assert.equal(
        readFileSync(fstab, 'utf8'),
        `# test fstab\n${src.replace(/ /g, '\\040')} ${path.replace(/ /g, '\\040')} none bind 0 0\n`,
      )
      const again = await apply(mount(spec))
      assert.equal(again.warnings, undefined, 'the bind mount found is the wanted one')

      await converge(mount({ ...spec, state: 'absent' }))
      assert.equal(mountAt(await host().fact(mounts()), path), undefined)
      assert.equal(readFileSync(fstab, 'utf8'), '# test fstab\n')
      assert.equal(existsSync(path), true, 'the mount point itself is left')
    } finally {
      spawnSync('umount', [path])
    }
  })
})

describe('command', () => {
  test('creates: runs once, then skipped', async () => {
    const out = join(dir, 'made')
    const first = await converge(command({ command: `echo made > '${out}'`, creates: out }))
    assert.doesNotMatch(first.changes[0].summary, /non-idempotent/)
    assert.equal(readFileSync(out, 'utf8'), 'made\n')
  })

  test('removes: runs while the path exists', async () => {
    const flag = join(dir, 'flag')
    writeFileSync(flag, '')
    await converge(command({ command: 'rm flag', chdir: dir, removes: 'flag' }))
    assert.equal(existsSync(flag), false)
  })

  test('unless: skipped once the check succeeds; chdir and env arrive intact', async () => {
    const value = `it's "quoted" $(not run) \`nor this\`\nsecond line`
    const task = command({
      command: 'printf %s "$GREETING" > greeting.txt',
      chdir: dir,
      env: { GREETING: value },
      unless: 'grep -q second greeting.txt',
    })
    await converge(task)
    assert.equal(readFileSync(join(dir, 'greeting.txt'), 'utf8'), value)
  })

  test('without a guard: changed on every run, and says so', async () => {
    const task = command({ command: 'echo run >> log', chdir: dir })
    for (let i = 0; i < 2; i++) {
      const plan = await apply(task)
      assert.equal(
        plan.changes[0].summary,
        'run: echo run >> log — non-idempotent command (no creates/removes/unless guard)',
      )
    }
    assert.equal(readFileSync(join(dir, 'log'), 'utf8'), 'run\nrun\n')
  })
})

test('the read-only facts run on a real shell and parse', async () => {
  const ctx = host()
  const facts = [
    osRelease(),
    initSystem(),
    networkInterfaces(),
    kernelFilesystems(),
    kernelModule('ext4'),
    mounts(),
    blockDevice(join(dir, 'nothing')),
    sysctlValue('kernel.ostype'),
    sysctlValue('no.such.key'),
  ]
  await ctx.prefetch(facts)
  assert.match((await ctx.fact(osRelease())).id, /^[a-z]/)
  assert.equal(typeof (await ctx.fact(initSystem())).systemd, 'boolean')
  assert.ok(
    (await ctx.fact(networkInterfaces())).some(
      (i) => i.name === 'lo' && i.addresses.some((a) => a.cidr === '127.0.0.1/8'),
    ),
  )
  assert.ok((await ctx.fact(kernelFilesystems())).some((f) => f.name === 'proc' && f.nodev))
  assert.equal((await ctx.fact(kernelModule('ext4'))).name, 'ext4')
  assert.ok(mountAt(await ctx.fact(mounts()), '/'))
  assert.deepEqual(await ctx.fact(blockDevice(join(dir, 'nothing'))), { exists: false, readable: false })
  assert.deepEqual(await ctx.fact(sysctlValue('kernel.ostype')), { exists: true, value: 'Linux' })
  assert.deepEqual(await ctx.fact(sysctlValue('no.such.key')), { exists: false })
})

after(() => {
  // Never delete through a mount left behind: its source would go with it.
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
  for (const d of created) if (!mounted.includes(d.replace(/ /g, '\\040'))) rmSync(d, { recursive: true, force: true })
})
