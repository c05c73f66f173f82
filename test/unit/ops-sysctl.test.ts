import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planSysctl } from '../../src/ops/sysctl.ts'
import { sha256 } from '../../src/ops/file.ts'
import { sysctlValue } from '../../src/facts/sysctl.ts'
import type { FileState } from '../../src/facts/files.ts'

const existing = (content: string): FileState => ({
  exists: true,
  type: 'file',
  owner: 'root',
  group: 'root',
  mode: '644',
  sha256: sha256(content),
})
const real = { check: false }

test('noop when the kernel and the file already have the value (spacing and tabs ignored)', () => {
  const runtime = sysctlValue('net.ipv4.ip_local_port_range').parse({ code: 0, stdout: '32768\t60999\n', stderr: '' })
  const conf = 'net.ipv4.ip_local_port_range=32768   60999\n'
  assert.deepEqual(
    planSysctl(runtime, existing(conf), conf, { key: 'net.ipv4.ip_local_port_range', value: '32768 60999' }, real),
    [],
  )
})

test('a wrong runtime value is set with sysctl -w, before the file is written', () => {
  const changes = planSysctl(
    { exists: true, value: '0' },
    { exists: false },
    undefined,
    { key: 'net.ipv4.ip_forward', value: 1 },
    real,
  )
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['set net.ipv4.ip_forward = 1 (was 0)', 'create /etc/sysctl.d/60-halab.conf (net.ipv4.ip_forward = 1)'],
  )
  assert.equal(changes[0].command, 'sysctl -w net.ipv4.ip_forward=1')
  assert.equal(changes[1].diff?.after, 'net.ipv4.ip_forward = 1\n')
})

test('a multi-word value is one quoted word for sysctl -w', () => {
  const changes = planSysctl(
    { exists: true, value: '1024 65000' },
    existing(''),
    '',
    { key: 'net.ipv4.ip_local_port_range', value: '32768 60999', file: '/etc/sysctl.d/10-ports.conf' },
    real,
  )
  assert.equal(changes[0].command, "sysctl -w 'net.ipv4.ip_local_port_range=32768 60999'")
})

test('only the persistent line changes when the runtime is right; the key line is replaced in place', () => {
  const conf = '# tuned\nvm.swappiness = 60\nnet.ipv4.ip_forward = 1\n'
  const changes = planSysctl(
    { exists: true, value: '10' },
    existing(conf),
    conf,
    { key: 'vm.swappiness', value: 10, file: '/etc/sysctl.d/60-halab.conf' },
    real,
  )
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['update /etc/sysctl.d/60-halab.conf (vm.swappiness = 10)'],
  )
  assert.equal(changes[0].diff?.after, '# tuned\nvm.swappiness = 10\nnet.ipv4.ip_forward = 1\n')
})

test('a key the kernel lacks is an error in a real run, a planned change in check mode', () => {
  const missing = sysctlValue('net.bridge.bridge-nf-call-iptables').parse({
    code: 255,
    stdout: '',
    stderr: 'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables',
  })
  const spec = { key: 'net.bridge.bridge-nf-call-iptables', value: 1 }
  assert.throws(
    () => planSysctl(missing, { exists: false }, undefined, spec, real),
    /does not exist in this kernel \(is its module loaded/,
  )
  const changes = planSysctl(missing, { exists: false }, undefined, spec, { check: true })
  assert.equal(changes[0].summary, 'set net.bridge.bridge-nf-call-iptables = 1 (key not present yet)')
})
