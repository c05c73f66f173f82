import { test } from 'node:test'
import assert from 'node:assert/strict'
import { kernelModule, parseProcFilesystems } from '../../src/facts/kernel.ts'

test('a module is available when loaded, built in, or loadable', () => {
  const fact = kernelModule('ip_vs')
  assert.deepEqual(fact.parse({ code: 0, stdout: 'loaded\nloadable\n', stderr: '' }), {
    name: 'ip_vs',
    loaded: true,
    builtin: false,
    available: true,
  })
  assert.deepEqual(fact.parse({ code: 0, stdout: 'builtin\n', stderr: '' }), {
    name: 'ip_vs',
    loaded: false,
    builtin: true,
    available: true,
  })
  assert.deepEqual(fact.parse({ code: 0, stdout: '', stderr: '' }), {
    name: 'ip_vs',
    loaded: false,
    builtin: false,
    available: false,
  })
})

test('module names are checked before they reach a shell', () => {
  assert.throws(() => kernelModule('drbd; reboot'), /invalid kernel module name/)
})

test('/proc/filesystems: nodev flag and name', () => {
  assert.deepEqual(parseProcFilesystems('nodev\tsysfs\nnodev\ttmpfs\n\text4\n\tvfat\n'), [
    { name: 'sysfs', nodev: true },
    { name: 'tmpfs', nodev: true },
    { name: 'ext4', nodev: false },
    { name: 'vfat', nodev: false },
  ])
})
