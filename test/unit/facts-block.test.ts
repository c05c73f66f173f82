import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseBlockProbe } from '../../src/facts/block.ts'
import { probeFields } from '../../src/facts/probe-lines.ts'

test('a formatted device: size and filesystem type', () => {
  assert.deepEqual(parseBlockProbe('block=yes\nreadable=yes\nsize=1073741824\ntype=ext4\n'), {
    exists: true,
    readable: true,
    sizeBytes: 1073741824,
    fstype: 'ext4',
  })
})

test('a blank device has no type', () => {
  assert.deepEqual(parseBlockProbe('block=yes\nreadable=yes\nsize=1073741824\ntype=\n'), {
    exists: true,
    readable: true,
    sizeBytes: 1073741824,
    fstype: undefined,
  })
})

test('an unreadable device (DRBD Secondary) says so, so nobody formats it', () => {
  assert.deepEqual(parseBlockProbe('block=yes\nsize=\ntype=\n'), {
    exists: true,
    readable: false,
    sizeBytes: undefined,
    fstype: undefined,
  })
})

test('no block device at the path', () => {
  assert.deepEqual(parseBlockProbe('block=no\n'), { exists: false, readable: false })
})

test('probe lines: the first key=value line of a key, trimmed; a missing key is undefined', () => {
  const field = probeFields('readable=yes\nblkid=2 \ntype=\nblkid=0\n')
  assert.deepEqual([field('readable'), field('blkid'), field('type'), field('size')], ['yes', '2', '', undefined])
})
