import { test } from 'node:test'
import assert from 'node:assert/strict'
import { editFstab, fstabLine, mountWarnings, planMount, type MountFacts } from '../../src/ops/mount.ts'
import { sha256 } from '../../src/ops/file.ts'
import { parseMountinfo } from '../../src/facts/mounts.ts'
import type { FileState } from '../../src/facts/files.ts'

const existing = (content: string): FileState => ({
  exists: true,
  type: 'file',
  owner: 'root',
  group: 'root',
  mode: '644',
  sha256: sha256(content),
})
const rootOnly = '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n'
const withBind = rootOnly + '42 22 254:0 /srv/data /var/www rw,relatime - ext4 /dev/vda rw\n'
const fstab = '# static file system information\nUUID=abc / ext4 errors=remount-ro 0 1\n'
const bind = { src: '/srv/data', path: '/var/www', fstype: 'none', opts: 'bind' }
const facts = (
  mountinfo: string,
  content: string,
  mountPoint: FileState = { exists: true, type: 'directory' },
): MountFacts => ({
  mounts: parseMountinfo(mountinfo),
  fstab: existing(content),
  fstabContent: content,
  mountPoint,
})

test('mounted: creates the mount point, mounts, then adds the fstab line', () => {
  const changes = planMount(facts(rootOnly, fstab, { exists: false }), bind)
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['create mount point /var/www', 'mount /srv/data on /var/www', 'update /etc/fstab (line for /var/www)'],
  )
  assert.equal(changes[0].command, 'mkdir -p /var/www')
  assert.equal(changes[1].command, 'mount -o bind /srv/data /var/www')
  assert.equal(changes[2].diff?.after, fstab + '/srv/data /var/www none bind 0 0\n')
})

test('mounted: noop when mounted and the fstab line is there (spacing aside)', () => {
  const content = fstab + '/srv/data\t/var/www/  none  bind  0  0\n'
  assert.deepEqual(planMount(facts(withBind, content), bind), [])
  assert.deepEqual(mountWarnings(facts(withBind, content), bind), [])
})

test('a changed fstab line is replaced whole; a mounted filesystem is never remounted', () => {
  const content = fstab + '/dev/vdb1 /srv ext4 defaults 0 2\n'
  const spec = { src: '/dev/vdb1', path: '/srv', fstype: 'ext4', opts: ['noatime', 'nodev'], pass: 2 }
  const mounted = rootOnly + '50 22 254:16 / /srv rw,relatime - ext4 /dev/vdb1 rw\n'
  const changes = planMount(facts(mounted, content), spec)
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['update /etc/fstab (line for /srv)'],
  )
  assert.equal(changes[0].diff?.after, fstab + '/dev/vdb1 /srv ext4 noatime,nodev 0 2\n')
})

test('a real filesystem is mounted with its type and options', () => {
  const spec = { src: '/dev/drbd0', path: '/srv/shared', fstype: 'ocfs2', opts: '_netdev' }
  const changes = planMount(facts(rootOnly, fstab), spec)
  assert.equal(changes[0].command, 'mount -t ocfs2 -o _netdev /dev/drbd0 /srv/shared')
})

test('present only writes fstab', () => {
  const changes = planMount(facts(rootOnly, fstab), { ...bind, state: 'present' })
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['update /etc/fstab (line for /var/www)'],
  )
})

test('unmounted unmounts this path only and leaves fstab alone', () => {
  const content = fstab + fstabLine(bind) + '\n'
  assert.deepEqual(
    planMount(facts(withBind, content), { ...bind, state: 'unmounted' }).map((c) => c.command),
    ['umount /var/www'],
  )
  assert.deepEqual(planMount(facts(rootOnly, content), { ...bind, state: 'unmounted' }), [])
})

test('absent unmounts, then removes every fstab line of the mount point', () => {
  const content = fstab + '/old /var/www none bind 0 0\n' + fstabLine(bind) + '\n'
  const changes = planMount(facts(withBind, content), { ...bind, state: 'absent' })
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['unmount /var/www', 'update /etc/fstab (remove /var/www)'],
  )
  assert.equal(changes[1].diff?.after, fstab)
})

test('paths with spaces are escaped as \\040 in fstab and quoted in commands', () => {
  const spec = { src: '/srv/my data', path: '/mnt/my www', fstype: 'none', opts: 'bind' }
  assert.equal(fstabLine(spec), '/srv/my\\040data /mnt/my\\040www none bind 0 0')
  assert.equal(planMount(facts(rootOnly, fstab), spec)[0].command, "mount -o bind '/srv/my data' '/mnt/my www'")
  assert.equal(editFstab(fstab + fstabLine(spec) + '\n', spec), fstab + fstabLine(spec) + '\n')
})

test('something else mounted on the path is reported and left alone', () => {
  const other = rootOnly + '42 22 254:0 /elsewhere /var/www rw - ext4 /dev/vda rw\n'
  assert.deepEqual(planMount(facts(other, fstab + fstabLine(bind) + '\n'), bind), [])
  assert.match(
    mountWarnings(facts(other, fstab), bind)[0],
    /\/var\/www shows \/elsewhere of \/dev\/vda, not \/srv\/data; halab leaves an existing mount alone/,
  )
  const tmpfs = rootOnly + '43 22 0:50 / /srv rw - tmpfs tmpfs rw\n'
  assert.match(
    mountWarnings(facts(tmpfs, fstab), { src: '/dev/vdb1', path: '/srv', fstype: 'ext4' })[0],
    /has a tmpfs filesystem mounted/,
  )
})
