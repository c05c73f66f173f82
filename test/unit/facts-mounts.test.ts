import { test } from 'node:test'
import assert from 'node:assert/strict'
import { escapeFstabField, mountAt, mountContaining, parseFstab, parseMountinfo } from '../../src/facts/mounts.ts'

const sample = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
  '42 22 254:0 /tmp/my\\040data /mnt/web rw,relatime - ext4 /dev/vda rw',
  '43 42 0:50 / /mnt/web rw - tmpfs tmpfs rw,size=1024k',
  '',
].join('\n')

test('mountinfo: optional fields skipped, octal escapes decoded, bind roots kept', () => {
  const entries = parseMountinfo(sample)
  assert.equal(entries.length, 4)
  assert.deepEqual(entries[2], {
    id: 42,
    parentId: 22,
    device: '254:0',
    root: '/tmp/my data',
    target: '/mnt/web',
    options: ['rw', 'relatime'],
    fstype: 'ext4',
    source: '/dev/vda',
    superOptions: ['rw'],
  })
  assert.equal(entries[0].fstype, 'ext4')
  assert.deepEqual(entries[1].options, ['rw', 'nosuid', 'nodev', 'noexec', 'relatime'])
})

test('the mount on top of a path, and the mount a path lives on', () => {
  const entries = parseMountinfo(sample)
  assert.equal(mountAt(entries, '/mnt/web')?.fstype, 'tmpfs')
  assert.equal(mountAt(entries, '/mnt'), undefined)
  assert.equal(mountContaining(entries, '/mnt/web/x')?.id, 43)
  assert.equal(mountContaining(entries, '/mnt/webby')?.id, 22)
})

test('fstab: comments and blank lines skipped, defaults for short lines, line numbers kept', () => {
  const entries = parseFstab(
    '# <file system> <mount point>\n\nUUID=1 / ext4 errors=remount-ro 0 1\n/srv/my\\040data\t/var/www none bind\n',
  )
  assert.deepEqual(entries, [
    { src: 'UUID=1', target: '/', fstype: 'ext4', opts: 'errors=remount-ro', dump: 0, pass: 1, line: 2 },
    { src: '/srv/my data', target: '/var/www', fstype: 'none', opts: 'bind', dump: 0, pass: 0, line: 3 },
  ])
})

test('fstab fields escape space, tab, newline and backslash', () => {
  assert.equal(escapeFstabField('a b\tc\\d'), 'a\\040b\\011c\\134d')
})
