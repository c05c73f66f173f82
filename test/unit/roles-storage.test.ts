// The 4-node storage stack through the real site playbook, without any host: DRBD
// dual-primary (resource drbd on /dev/vdb1, allow-two-primaries and the seed's split-brain
// policies), OCFS2 (cluster.conf from the inventory, /etc/default/o2cb, format only when
// blkid finds nothing), and the shared state on it (copied once, by one node, then
// bind-mounted). Plans are decided against facts given as data.
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadPlaybook, prepareRun, type PreparedRun } from '../../src/engine/prepare.ts'
import type { Task } from '../../src/engine/types.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { mountUnitName } from '../../src/ops/systemd-unit-name.ts'
import { planInitialSync, planPrimary, type BringUpSpec } from '../../roles/drbd/bring-up.ts'
import type { DrbdState } from '../../roles/drbd/facts.ts'
import { planAwaitFilesystem, planFormat, type FormatSpec } from '../../roles/ocfs2/format.ts'
import { planAwaitCopy, planCopy } from '../../roles/shared-state/copy.ts'
import { REPO } from '../helpers/cli.ts'
import { notesOf, prepareSite as prepare, rendered, tasksOf } from '../helpers/site-plan.ts'

const copies: string[] = []
after(() => copies.forEach((d) => rmSync(d, { recursive: true, force: true })))
function inventoryCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'halab-4-node-'))
  cpSync(join(REPO, 'inventory', '4-node'), dir, { recursive: true })
  edit(dir)
  copies.push(dir)
  return dir
}

test('site: storage, then the cluster filesystem, web, the shared state on it, before the directors', async () => {
  const run = await prepare('4-node')
  const names = run.plays.map((p) => p.name)
  for (const [a, b] of [
    ['storage', 'cluster filesystem'],
    ['cluster filesystem', 'web'],
    ['web', 'shared state'],
    ['shared state', 'directors'],
  ])
    assert.ok(names.indexOf(a) < names.indexOf(b), `${a} before ${b}: ${names.join(', ')}`)
  for (const play of ['storage', 'cluster filesystem', 'shared state'])
    assert.deepEqual([...run.plays.find((p) => p.name === play)!.hosts.keys()].sort(), ['protoss', 'terran'])
  assert.deepEqual([...run.plays.find((p) => p.name === 'sorry page')!.hosts.keys()].sort(), ['supermente', 'zerg'])
})

test('4-node: DRBD resource drbd as the seed gives it, dual primary with its split-brain policies', async () => {
  const run = await prepare('4-node')
  const res = rendered(run, 'terran', '/etc/drbd.d/drbd.res')
  assert.match(
    res,
    /on protoss \{\n\t\tdevice \/dev\/drbd1;\n\t\tdisk \/dev\/vdb1;\n\t\taddress 10\.0\.0\.2:7789;\n\t\tmeta-disk internal;/,
  )
  assert.match(res, /on terran \{\n\t\tdevice \/dev\/drbd1;\n\t\tdisk \/dev\/vdb1;\n\t\taddress 10\.0\.0\.3:7789;/)
  const common = rendered(run, 'protoss', '/etc/drbd.d/global_common.conf')
  assert.match(common, /startup \{\n\t\tbecome-primary-on both;\n\t\}/)
  assert.match(
    common,
    /allow-two-primaries;\n\t\tafter-sb-0pri discard-zero-changes;\n\t\tafter-sb-1pri discard-secondary;\n\t\tafter-sb-2pri disconnect;/,
  )
  const names = tasksOf(run, 'terran', 'drbd').map((t) => t.name)
  assert.deepEqual(names.slice(-7), [
    'drbd drbd metadata',
    'drbd drbd up',
    'drbd drbd first bring-up',
    'drbd drbd Primary (dual primary)',
    'template /etc/systemd/system/halab-drbd-drbd.service',
    'systemd reads halab-drbd-drbd.service',
    'service halab-drbd-drbd started, enabled',
  ])
  assert.match(
    rendered(run, 'terran', '/etc/systemd/system/halab-drbd-drbd.service'),
    /ExecStart=\/usr\/local\/sbin\/halab-drbd-ready drbd 120\n/,
  )
})

test('dual primary without allow-two-primaries, or with a filesystem for the drbd role to make, is refused', async () => {
  const noAllow = inventoryCopy((d) => {
    const f = join(d, 'group_vars/all/main.yml')
    writeFileSync(f, readFileSync(f, 'utf8').replace('    allow-two-primaries: true\n', ''))
  })
  await assert.rejects(prepare(noAllow), /drbd resource drbd: dual_primary needs net \{ allow-two-primaries \}/)
  const withFs = inventoryCopy((d) => {
    const f = join(d, 'group_vars/all/main.yml')
    writeFileSync(
      f,
      readFileSync(f, 'utf8').replace('    dual_primary: true\n', '    dual_primary: true\n    filesystem: ext4\n'),
    )
  })
  await assert.rejects(prepare(withFs), /dual_primary with filesystem ext4: .*cluster filesystem/)
})

const spec: BringUpSpec = {
  resource: 'drbd',
  device: '/dev/drbd1',
  disk: '/dev/vdb1',
  initialPrimary: 'protoss',
  peer: 'terran',
  mkfsOptions: [],
  connectTimeout: 60,
  dualPrimary: true,
  syncTimeout: 300,
}
const st = (cstate: string, disk: string, peerDisk: string, role = 'Secondary'): DrbdState => ({
  up: true,
  cstate,
  disk,
  peerDisk,
  role,
  peerRole: 'Secondary',
  metadata: 'attached',
})

test('dual primary: the first bring-up leaves the initial primary Primary; only that, only when both are Inconsistent', () => {
  const plan = planInitialSync(st('Connected', 'Inconsistent', 'Inconsistent'), { readable: true, blkid: 2 }, spec, {
    host: 'protoss',
    check: false,
  })
  assert.equal(plan.changes[0].command, 'drbdadm primary --force drbd')
  assert.match(plan.changes[0].summary, /protoss overwrites terran .*stays Primary \(dual primary\)/)
  assert.equal(
    planInitialSync(st('Connected', 'UpToDate', 'UpToDate', 'Primary'), undefined, spec, {
      host: 'protoss',
      check: false,
    }).changes.length,
    0,
  )
})

test('dual primary: promoted only when Connected and UpToDate on both; a node that cannot see its peer is never promoted', () => {
  const run = { host: 'terran', check: false }
  assert.deepEqual(
    planPrimary(st('Connected', 'UpToDate', 'UpToDate'), spec, run).changes.map((c) => c.command),
    ['drbdadm primary drbd'],
  )
  assert.equal(planPrimary(st('Connected', 'UpToDate', 'UpToDate', 'Primary'), spec, run).changes.length, 0)
  assert.throws(
    () => planPrimary(st('WFConnection', 'UpToDate', 'DUnknown'), spec, run),
    /drbd on terran is WFConnection, UpToDate\/DUnknown .*only when it is Connected.*Nothing was changed/,
  )
  assert.throws(
    () => planPrimary(st('SyncTarget', 'Inconsistent', 'UpToDate'), spec, run),
    /SyncTarget, Inconsistent\/UpToDate/,
  )
  assert.throws(() => planPrimary({ up: false, metadata: 'present' }, spec, run), /not up on terran/)
  assert.equal(planPrimary({ up: false, metadata: 'absent' }, spec, { ...run, check: true }).changes.length, 1)
})

test('4-node: cluster.conf names the hosts, numbers them, on the cluster network, port 7777; o2cb from variables', async () => {
  const run = await prepare('4-node')
  const conf = rendered(run, 'protoss', '/etc/ocfs2/cluster.conf')
  assert.match(
    conf,
    /node:\n\tip_port = 7777\n\tip_address = 192\.168\.10\.2\n\tnumber = 0\n\tname = protoss\n\tcluster = ocfs2\n/,
  )
  assert.match(
    conf,
    /node:\n\tip_port = 7777\n\tip_address = 192\.168\.10\.3\n\tnumber = 1\n\tname = terran\n\tcluster = ocfs2\n/,
  )
  assert.match(conf, /cluster:\n\tnode_count = 2\n\tname = ocfs2\n$/)
  assert.equal(conf, rendered(run, 'terran', '/etc/ocfs2/cluster.conf'), 'the same file on every node')
  const o2cb = rendered(run, 'terran', '/etc/default/o2cb')
  for (const line of [
    'O2CB_ENABLED=true',
    'O2CB_BOOTCLUSTER=ocfs2',
    'O2CB_HEARTBEAT_THRESHOLD=31',
    'O2CB_IDLE_TIMEOUT_MS=20000',
    'O2CB_KEEPALIVE_DELAY_MS=2000',
    'O2CB_RECONNECT_DELAY_MS=2000',
  ])
    assert.match(o2cb, new RegExp(`^${line}$`, 'm'))
  const order = rendered(run, 'terran', '/etc/systemd/system/opt.mount.d/halab-ocfs2.conf')
  assert.match(order, /^Requires=o2cb\.service halab-drbd-drbd\.service$/m)
  assert.match(order, /^After=o2cb\.service halab-drbd-drbd\.service$/m)
})

const fmt: FormatSpec = { device: '/dev/drbd1', cluster: 'ocfs2', slots: 2, formatNode: 'protoss', waitSeconds: 120 }

test('ocfs2: mkfs only when blkid finds nothing on a readable device; never over a filesystem', () => {
  const plan = planFormat({ readable: true, blkid: 2 }, fmt, 'protoss', false)
  assert.match(
    plan.changes[0].command!,
    /^if blkid -p -u filesystem \/dev\/drbd1 .*exit 1; fi && mkfs\.ocfs2 -q -N 2 --cluster-stack=o2cb --cluster-name=ocfs2 \/dev\/drbd1 <\/dev\/null$/,
  )
  assert.equal(planFormat({ readable: true, blkid: 0, fstype: 'ocfs2' }, fmt, 'protoss', false).changes.length, 0)
  assert.throws(
    () => planFormat({ readable: true, blkid: 0, fstype: 'ext4' }, fmt, 'protoss', false),
    /holds a ext4 filesystem, not ocfs2: halab does not format it/,
  )
  assert.throws(
    () => planFormat({ readable: false }, fmt, 'protoss', false),
    /cannot read \/dev\/drbd1 .*not formatted/,
  )
  assert.throws(() => planFormat({ readable: true, blkid: 4 }, fmt, 'protoss', false), /exit 4/)
  assert.equal(
    planAwaitFilesystem({ readable: true, blkid: 0, fstype: 'ocfs2' }, fmt, 'terran', false).changes.length,
    0,
  )
  assert.throws(
    () => planAwaitFilesystem({ readable: true, blkid: 2 }, fmt, 'terran', false),
    /no ocfs2 filesystem on \/dev\/drbd1 on terran after 120 s: protoss \(ocfs2_format_node\) makes it/,
  )
})

test('4-node: the shared state is copied by protoss only, bind-mounted on both, services ordered after their mounts', async () => {
  const run = await prepare('4-node')
  const names = tasksOf(run, 'terran', 'shared-state').map((t) => t.name)
  assert.ok(names.includes('/etc/apache2 on /opt/etc/apache2 (copied by protoss)'), names.join(' | '))
  assert.ok(
    tasksOf(run, 'protoss', 'shared-state').some(
      (t) => t.name === '/var/lib/postgresql copied to /opt/var/lib/postgresql',
    ),
  )
  for (const p of ['/etc/apache2', '/var/www', '/etc/postgresql', '/etc/postgresql-common', '/var/lib/postgresql'])
    assert.ok(names.includes(`mount ${p}`), `mount ${p}`)
  assert.match(
    rendered(run, 'terran', '/etc/systemd/system/apache2.service.d/halab-shared-state.conf'),
    /^RequiresMountsFor=\/etc\/apache2 \/var\/www$/m,
  )
  assert.match(
    rendered(run, 'terran', '/etc/systemd/system/postgresql@.service.d/halab-shared-state.conf'),
    /^RequiresMountsFor=\/etc\/postgresql \/etc\/postgresql-common \/var\/lib\/postgresql$/m,
  )
  const p = { path: '/etc/apache2', shared: '/opt/etc/apache2' }
  assert.match(
    planCopy({ shared: false, local: true, mounted: false }, p, 'protoss').changes[0].command!,
    /cp -a \/etc\/apache2 \/opt\/etc\/apache2\.halab-copy && mv \/opt\/etc\/apache2\.halab-copy \/opt\/etc\/apache2$/,
  )
  const pg = planCopy(
    { shared: false, local: true, mounted: false },
    { path: '/var/lib/postgresql', shared: '/opt/var/lib/postgresql', services: ['postgresql@'] },
    'protoss',
  ).changes[0].command!
  assert.match(
    pg,
    /^was=\$\(systemctl list-units --type=service --state=active --plain --no-legend 'postgresql@\*\.service' .*systemctl stop \$was; .*cp -a \/var\/lib\/postgresql .*; r=\$\?; \[ -z "\$was" \] \|\| systemctl start \$was; exit \$r$/,
    'a running PostgreSQL is stopped for the copy and started again',
  )
  assert.equal(
    planCopy({ shared: true, local: true, mounted: true }, p, 'protoss').changes.length,
    0,
    'never copied twice',
  )
  assert.throws(
    () => planCopy({ shared: false, local: false, mounted: false }, p, 'protoss'),
    /\/etc\/apache2 does not exist on protoss/,
  )
  assert.match(
    planCopy({ shared: false, local: false, mounted: false }, p, 'protoss', true).changes[0].summary,
    /once \/etc\/apache2 exists/,
    '--check on a fresh host',
  )
  assert.throws(
    () => planAwaitCopy({ shared: false, local: true, mounted: false }, p, 'protoss', 120, false),
    /does not exist after 120 s: protoss/,
  )
  assert.equal(mountUnitName('/opt'), 'opt.mount')
  assert.equal(mountUnitName('/srv/my-data/'), 'srv-my\\x2ddata.mount')
})

test('4-node in the container lab: drbd and ocfs2 configuration only, the shared state not moved, the recap says so', async () => {
  const run = await prepare('4-node', { lab: true })
  for (const h of ['protoss', 'terran']) {
    const notes = notesOf(run, h)
    assert.ok(
      notes.some((n) => /shared-state: not moved \(ocfs2 is configuration only here\)/.test(n)),
      notes.join('\n'),
    )
    assert.deepEqual(tasksOf(run, h, 'shared-state'), [])
    const ocfs2 = tasksOf(run, h, 'ocfs2').map((t) => t.name)
    assert.ok(!ocfs2.some((n) => /mount|mkfs|filesystem on|service o2cb/.test(n)), ocfs2.join(' | '))
    assert.ok(!tasksOf(run, h, 'drbd').some((t) => /Primary|halab-drbd|first bring-up/.test(t.name)))
  }
  assert.ok(rendered(run, 'protoss', '/etc/ocfs2/cluster.conf'))
})

test('4-node: one PHP identity page for the shared document root; the directors serve a static sorry page', async () => {
  const run = await prepare('4-node')
  const page = rendered(run, 'protoss', '/var/www/ha/index.php')
  assert.equal(page, rendered(run, 'terran', '/var/www/ha/index.php'), 'the same file on every node')
  assert.match(page, /gethostname\(\)/)
  assert.match(page, /<strong id="node"><\?= \$h\(\$node\) \?><\/strong>/)
  assert.match(
    rendered(run, 'zerg', '/var/www/sorry/index.html'),
    /SORRY: no real server is available.*<strong id="node">zerg<\/strong>/s,
  )
  assert.match(rendered(run, 'zerg', '/etc/keepalived/keepalived.conf'), /sorry_server 127\.0\.0\.1 80/)
})

test('5-node: the same storage stack on empresa2/empresa3, the DRBD secret from the environment; configuration only in the container lab', async () => {
  process.env.DRBD_SECRET = 'unit-drbd-5node'
  const run = await prepare('5-node')
  const res = rendered(run, 'empresa3', '/etc/drbd.d/r0.res')
  assert.match(res, /on empresa2 \{\n\t\tdevice \/dev\/drbd0;\n\t\tdisk \/dev\/sdb1;\n\t\taddress 10\.0\.2\.5:7788;/)
  assert.match(rendered(run, 'empresa2', '/etc/drbd.d/global_common.conf'), /shared-secret unit-drbd-5node;/)
  assert.match(
    rendered(run, 'empresa2', '/etc/ocfs2/cluster.conf'),
    /ip_address = 10\.0\.2\.6\n\tnumber = 1\n\tname = empresa3/,
  )
  const lab = await prepare('5-node', { lab: true })
  assert.ok(notesOf(lab, 'empresa3').some((n) => /shared-state: not moved/.test(n)))
})
