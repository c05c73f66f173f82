// The mdadm role as data, no host needed: what mdadm and blkid answer, and which commands
// each state leads to — above all, that an array is created only over blank disks, that
// members of an existing array are assembled and never re-created, and that a running
// array (degraded too) is left as it is.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseMdDetail, parseMemberDisks, type MemberDisk } from '../../roles/mdadm/facts.ts'
import mdadmRole, { planArray, planFilesystem, type MdArraySpec } from '../../roles/mdadm/index.ts'

const DISKS = ['/dev/vdb', '/dev/vdc', '/dev/vdd', '/dev/vde', '/dev/vdf']
const spec: MdArraySpec = mdadmRole.vars.parse({
  mdadm_arrays: [{ device: '/dev/md0', level: 6, devices: DISKS, filesystem: 'ext4', mountpoint: '/mnt/raid' }],
}).mdadm_arrays[0]
const blank = (device: string): MemberDisk => ({ device, readable: true })
const member = (device: string, uuid = 'a1b2c3d4:00000000:11111111:22222222'): MemberDisk => ({
  device,
  readable: true,
  arrayUuid: uuid,
})

const DETAIL = `/dev/md0:
           Version : 1.2
     Creation Time : Mon Nov 30 18:00:00 2026
        Raid Level : raid6
        Array Size : 786432 (768.00 MiB 805.31 MB)
      Raid Devices : 5
     Total Devices : 4
             State : clean, degraded
    Active Devices : 4
   Working Devices : 4
    Failed Devices : 1
              UUID : a1b2c3d4:00000000:11111111:22222222
`

test('mdadm --detail and --examine answers as state', () => {
  assert.deepEqual(parseMdDetail(1, ''), { active: false })
  assert.deepEqual(parseMdDetail(0, DETAIL), {
    active: true,
    level: 'raid6',
    raidDevices: 5,
    activeDevices: 4,
    failedDevices: 1,
    state: 'clean, degraded',
    uuid: 'a1b2c3d4:00000000:11111111:22222222',
  })
  const probe = [
    '== /dev/vdb',
    'readable',
    'uuid=a1b2c3d4:00000000:11111111:22222222',
    'other=linux_raid_member',
    '== /dev/vdc',
    'readable',
    'other=',
    '== /dev/vdd',
    'readable',
    'other=ext4',
    '== /dev/vde',
  ].join('\n')
  assert.deepEqual(parseMemberDisks(probe), [
    member('/dev/vdb'),
    blank('/dev/vdc'),
    { device: '/dev/vdd', readable: true, other: 'ext4' },
    { device: '/dev/vde', readable: false },
  ])
})

test('an array is created only when no member holds a superblock or any data', () => {
  const plan = planArray(spec, { active: false }, DISKS.map(blank), 'nas')
  assert.equal(plan.changes.length, 1)
  assert.equal(
    plan.changes[0].command,
    'modprobe raid456 && mdadm --create /dev/md0 --run --level=6 --raid-devices=5 /dev/vdb /dev/vdc /dev/vdd /dev/vde /dev/vdf </dev/null',
  )
  assert.throws(
    () =>
      planArray(
        spec,
        { active: false },
        [...DISKS.slice(0, 4).map(blank), { device: '/dev/vdf', readable: true, other: 'ext4' }],
        'nas',
      ),
    /\/dev\/vdf holds ext4 on nas: halab does not build an array over data/,
  )
  assert.throws(
    () =>
      planArray(
        spec,
        { active: false },
        [...DISKS.slice(0, 4).map(blank), { device: '/dev/vdf', readable: false }],
        'nas',
      ),
    /cannot read \/dev\/vdf/,
  )
})

test('members of an existing array are assembled (degraded if need be), never re-created', () => {
  const all = planArray(
    spec,
    { active: false },
    DISKS.map((d) => member(d)),
    'nas',
  )
  assert.equal(
    all.changes[0].command,
    'modprobe raid456 && mdadm --assemble --run /dev/md0 /dev/vdb /dev/vdc /dev/vdd /dev/vde /dev/vdf',
  )
  const partial = planArray(
    spec,
    { active: false },
    [...DISKS.slice(0, 4).map((d) => member(d)), blank('/dev/vdf')],
    'nas',
  )
  assert.doesNotMatch(partial.changes[0].command!, /--create|vdf/)
  assert.match(partial.changes[0].summary, /without \/dev\/vdf/)
  assert.throws(
    () =>
      planArray(
        spec,
        { active: false },
        [...DISKS.slice(0, 4).map((d) => member(d)), member('/dev/vdf', 'ffff:0:0:0')],
        'nas',
      ),
    /belong to different arrays/,
  )
})

test('a running array is left as it is, and a degraded one is said on the recap', () => {
  const clean = planArray(
    spec,
    parseMdDetail(
      0,
      DETAIL.replace('clean, degraded', 'clean')
        .replace('Active Devices : 4', 'Active Devices : 5')
        .replace('Failed Devices : 1', 'Failed Devices : 0'),
    ),
    [],
    'nas',
  )
  assert.deepEqual(clean.changes, [])
  assert.equal(clean.warnings, undefined)
  const degraded = planArray(spec, parseMdDetail(0, DETAIL), [], 'nas')
  assert.deepEqual(degraded.changes, [])
  assert.match(
    degraded.warnings![0],
    /\/dev\/md0 is degraded \(clean, degraded; 4 of 5 devices active\): halab leaves it as it is/,
  )
})

test('mkfs only on a readable array where blkid finds nothing', () => {
  const fs = { ...spec, filesystem: 'ext4' }
  assert.match(
    planFilesystem(fs, { exists: true, readable: true }, false).changes[0].command!,
    /^if blkid -p \/dev\/md0 .* mkfs -t ext4 -q -E nodiscard \/dev\/md0$/,
  )
  assert.deepEqual(planFilesystem(fs, { exists: true, readable: true, fstype: 'ext4' }, false).changes, [])
  assert.match(
    planFilesystem(fs, { exists: true, readable: true, fstype: 'xfs' }, false).warnings![0],
    /does not reformat/,
  )
  assert.throws(() => planFilesystem(fs, { exists: true, readable: false }, false), /not formatted/)
  assert.equal(
    planFilesystem(fs, { exists: false, readable: false }, true).changes.length,
    1,
    '--check: would format once created',
  )
})

test('bad arrays are input errors naming the field', () => {
  const parse = (a: object) =>
    mdadmRole.vars.safeParse({ mdadm_arrays: [{ device: '/dev/md0', level: 6, devices: DISKS, ...a }] })
  const issues = (a: object) => parse(a).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  assert.deepEqual(issues({ devices: DISKS.slice(0, 3) }), [
    'mdadm_arrays.0.devices: RAID 6 needs at least 4 devices (got 3)',
  ])
  assert.deepEqual(issues({ mountpoint: '/mnt/raid' }), [
    'mdadm_arrays.0.mountpoint: a mountpoint needs the filesystem the array holds',
  ])
  assert.match(issues({ device: '/dev/sda' })![0], /device: must be \/dev\/mdN/)
  assert.equal(parse({ level: 7 }).success, false)
})
