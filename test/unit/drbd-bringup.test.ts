// The drbd role's bring-up as data, no host needed: what drbdadm's answers mean, and which
// commands each state leads to — above all, that nothing is ever overwritten or formatted
// unless both nodes are Inconsistent and no filesystem is found.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadPlaybook, prepareRun } from '../../src/engine/prepare.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { planInitialSync, planMetadata, planUp, type BringUpSpec } from '../../roles/drbd/bring-up.ts'
import { parseDrbdState, type DrbdState } from '../../roles/drbd/facts.ts'
import { REPO } from '../helpers/cli.ts'

process.env.HEARTBEAT_SECRET ??= 'unit-heartbeat-secret'
process.env.DRBD_SECRET ??= 'unit-drbd-secret'

const spec: BringUpSpec = {
  resource: 'r0',
  device: '/dev/drbd0',
  disk: '/dev/sda6',
  initialPrimary: 'nodo1',
  peer: 'nodo2',
  filesystem: 'ext4',
  mkfsOptions: ['-q', '-E', 'nodiscard'],
  connectTimeout: 60,
}
const run = { host: 'nodo1', check: false }
const connected = (disk: string, peerDisk: string): DrbdState => ({
  up: true,
  cstate: 'Connected',
  disk,
  peerDisk,
  role: 'Secondary',
  peerRole: 'Secondary',
  metadata: 'attached',
})
const noFs = { readable: true, blkid: 2 }

test('drbdadm answers as state: down without metadata, down with it, up and attached', () => {
  assert.deepEqual(parseDrbdState('r0', 'up=no\ndumpmd=1\nsays=No valid meta data found\n'), {
    up: false,
    metadata: 'absent',
  })
  assert.deepEqual(parseDrbdState('r0', 'up=no\ndumpmd=0\nsays=\n'), { up: false, metadata: 'present' })
  assert.deepEqual(
    parseDrbdState('r0', 'up=no\ndumpmd=255\nsays=Found meta data is "unclean", please apply-al first\n'),
    { up: false, metadata: 'present' },
  )
  assert.deepEqual(
    parseDrbdState(
      'r0',
      'up=yes\ncstate=WFConnection\ndstate=Inconsistent/DUnknown\nrole=Secondary/Unknown\nattached=yes\n',
    ),
    {
      up: true,
      cstate: 'WFConnection',
      disk: 'Inconsistent',
      peerDisk: 'DUnknown',
      role: 'Secondary',
      peerRole: 'Unknown',
      metadata: 'attached',
    },
  )
})

test('an unexplained dump-md failure is an error, never "no metadata"', () => {
  assert.throws(
    () => parseDrbdState('r0', 'up=no\ndumpmd=20\nsays=open(/dev/sda6) failed: Device or resource busy\n'),
    /cannot tell whether r0 has DRBD metadata: drbdadm dump-md r0 exited 20: open\(\/dev\/sda6\) failed/,
  )
})

test('metadata is created only when absent, without --force', () => {
  assert.deepEqual(
    planMetadata({ up: false, metadata: 'absent' }, spec).changes.map((c) => c.command),
    ['drbdadm create-md r0 </dev/null'],
  )
  assert.equal(planMetadata({ up: false, metadata: 'present' }, spec).changes.length, 0)
  assert.equal(planMetadata(connected('UpToDate', 'UpToDate'), spec).changes.length, 0)
})

test('up only when down; a Diskless resource is attached with adjust; StandAlone is left alone with a warning', () => {
  assert.deepEqual(
    planUp({ up: false, metadata: 'present' }, spec).changes.map((c) => c.command),
    ['drbdadm up r0'],
  )
  assert.deepEqual(
    planUp({ ...connected('Diskless', 'UpToDate'), metadata: 'present' }, spec).changes.map((c) => c.command),
    ['drbdadm adjust r0'],
  )
  assert.equal(planUp(connected('UpToDate', 'UpToDate'), spec).changes.length, 0)
  const standalone = planUp({ ...connected('UpToDate', 'DUnknown'), cstate: 'StandAlone' }, spec)
  assert.equal(standalone.changes.length, 0)
  assert.match(standalone.warnings?.[0] ?? '', /StandAlone.*does not reconnect/)
})

test('first bring-up: both Inconsistent and no filesystem → overwrite, mkfs, back to Secondary', () => {
  const plan = planInitialSync(connected('Inconsistent', 'Inconsistent'), noFs, spec, run)
  assert.equal(plan.changes.length, 1)
  const cmd = plan.changes[0].command!
  const steps = cmd.split(' && ')
  assert.equal(steps[0], 'drbdadm primary --force r0')
  assert.match(steps[1], /^if blkid -p -u filesystem \/dev\/drbd0 .*exit 1; fi$/)
  assert.equal(steps[2], 'mkfs -t ext4 -q -E nodiscard /dev/drbd0')
  assert.equal(steps[3], 'drbdadm secondary r0')
  assert.match(plan.changes[0].summary, /nodo1 overwrites nodo2 .*mkfs\.ext4 \/dev\/drbd0, back to Secondary/)
})

test('without a filesystem the first bring-up only overwrites', () => {
  const plan = planInitialSync(
    connected('Inconsistent', 'Inconsistent'),
    noFs,
    { ...spec, filesystem: undefined, mkfsOptions: [] },
    run,
  )
  assert.equal(plan.changes[0].command, 'drbdadm primary --force r0 && drbdadm secondary r0')
})

test('data on either node: no overwrite, no mkfs (the rerun case)', () => {
  for (const [a, b] of [
    ['UpToDate', 'UpToDate'],
    ['UpToDate', 'Inconsistent'],
    ['Inconsistent', 'UpToDate'],
    ['UpToDate', 'DUnknown'],
  ]) {
    const plan = planInitialSync(
      { ...connected(a, b), cstate: b === 'DUnknown' ? 'WFConnection' : 'Connected' },
      undefined,
      spec,
      run,
    )
    assert.equal(plan.changes.length, 0, `${a}/${b}`)
    assert.match(plan.noop ?? '', /holds UpToDate data/)
  }
})

test('the peer not connected: it cannot know what the peer holds, so it fails and changes nothing', () => {
  assert.throws(
    () => planInitialSync({ ...connected('Inconsistent', 'DUnknown'), cstate: 'WFConnection' }, undefined, spec, run),
    /did not connect to nodo2 within 60 s .*Nothing was overwritten/,
  )
})

test('a filesystem on the backing disk, or blkid unsure, or an unreadable disk: never overwritten', () => {
  const both = connected('Inconsistent', 'Inconsistent')
  assert.throws(
    () => planInitialSync(both, { readable: true, blkid: 0, fstype: 'ext4' }, spec, run),
    /holds a ext4 filesystem: halab does not overwrite it/,
  )
  assert.throws(() => planInitialSync(both, { readable: true, blkid: 8 }, spec, run), /blkid could not tell .*exit 8/)
  assert.throws(() => planInitialSync(both, { readable: false }, spec, run), /cannot read \/dev\/sda6/)
})

test('Outdated or Consistent data on both: halab does not choose, it warns', () => {
  const plan = planInitialSync(connected('Outdated', 'Outdated'), undefined, spec, run)
  assert.equal(plan.changes.length, 0)
  assert.match(plan.warnings?.[0] ?? '', /does not choose whose data wins/)
})

test('check mode before the resource exists says what would be decided, instead of failing', () => {
  const plan = planInitialSync({ up: false, metadata: 'absent' }, undefined, spec, { host: 'nodo1', check: true })
  assert.match(plan.changes[0].summary, /decided once r0 is up/)
  assert.throws(() => planInitialSync({ up: false, metadata: 'absent' }, undefined, spec, run), /r0 is not up on nodo1/)
})

async function drbdTasks(host: string, overlay?: string): Promise<string[]> {
  const inv = await loadInventory(join(REPO, 'inventory', '2-node'), { overlayFile: overlay })
  const { playbook, file } = await loadPlaybook(REPO, 'site')
  const prepared = await prepareRun(inv, playbook, file, { projectRoot: REPO })
  const roles = prepared.plays.flatMap((p) => p.hosts.get(host) ?? []).filter((r) => r.role === 'drbd')
  return roles.flatMap((r) => r.tasks.map((t) => (t.skip ? `${t.name} (skip: ${t.skip})` : t.name)))
}

test('2-node: the bring-up follows the config; only nodo1 (initial_primary) may do the first bring-up', async () => {
  const nodo1 = await drbdTasks('nodo1')
  assert.deepEqual(nodo1.slice(-4), ['drbd module loaded', 'drbd r0 metadata', 'drbd r0 up', 'drbd r0 first bring-up'])
  assert.equal((await drbdTasks('nodo2')).at(-1), "drbd r0 first bring-up (skip: nodo1 is r0's initial_primary)")
})

test('2-node in the container lab (lab.yml, configuration only): nothing is brought up', async () => {
  const tasks = await drbdTasks('nodo1', join(REPO, 'inventory', '2-node', 'lab.yml'))
  assert.ok(tasks.includes('template /etc/drbd.d/r0.res'), tasks.join('\n'))
  assert.equal(tasks.filter((t) => /metadata|up$|bring-up|module/.test(t)).length, 0, tasks.join('\n'))
})

test('an initial_primary that is not a node of the resource is refused before anything runs', async () => {
  await assert.rejects(async () => {
    const inv = await loadInventory(join(REPO, 'inventory', '2-node'), { extraVars: {} })
    const res = (inv.hosts.get('nodo1')!.vars.drbd_resources as Record<string, unknown>[]).map((r) => ({
      ...r,
      initial_primary: 'nodo9',
    }))
    for (const h of inv.hosts.values()) h.vars.drbd_resources = res
    const { playbook, file } = await loadPlaybook(REPO, 'site')
    await prepareRun(inv, playbook, file, { projectRoot: REPO })
  }, /initial_primary "nodo9" is not one of its nodes \(nodo1, nodo2\)/)
})
