import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dottedKey, parseSysctlConf, sysctlConf, sysctlValue } from '../../src/facts/sysctl.ts'

test('sysctl -n output is whitespace-normalized; an unknown key does not exist', () => {
  const fact = sysctlValue('net.ipv4.ip_local_port_range')
  assert.equal(fact.command, 'sysctl -n -- net.ipv4.ip_local_port_range')
  assert.deepEqual(fact.parse({ code: 0, stdout: '32768\t60999\n', stderr: '' }), {
    exists: true,
    value: '32768 60999',
  })
  assert.deepEqual(
    fact.parse({ code: 255, stdout: '', stderr: 'sysctl: cannot stat /proc/sys/x: No such file or directory\n' }),
    { exists: false },
  )
})

test('sysctl.d files: comments, spacing, `-` prefix, slash keys, later lines win', () => {
  const entries = parseSysctlConf(
    '# c\n; c\nvm.swappiness=10\n -net.ipv4.ip_forward =  1 \nnet/ipv4/conf/eth0.100/forwarding = 1\nvm.swappiness = 5\ngarbage\n',
  )
  assert.deepEqual(
    [...entries],
    [
      ['vm.swappiness', '5'],
      ['net.ipv4.ip_forward', '1'],
      ['net.ipv4.conf.eth0/100.forwarding', '1'],
    ],
  )
})

test('slash-separated keys swap dots and slashes', () => {
  assert.equal(dottedKey('net/ipv4/conf/eth0.100/forwarding'), 'net.ipv4.conf.eth0/100.forwarding')
  assert.equal(dottedKey('net.ipv4.ip_forward'), 'net.ipv4.ip_forward')
})

test('a missing sysctl.d file has no entries', () => {
  assert.deepEqual(sysctlConf('/etc/sysctl.d/x.conf').parse({ code: 1, stdout: '', stderr: 'No such file' }), {
    exists: false,
    entries: new Map(),
  })
})
