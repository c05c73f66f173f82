import { test } from 'node:test'
import assert from 'node:assert/strict'
import { initSystem, parseOsRelease } from '../../src/facts/system.ts'

test('os-release: quoted and unquoted values', () => {
  const os = parseOsRelease(
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
  )
  assert.deepEqual(
    [os.id, os.versionId, os.codename, os.prettyName],
    ['debian', '12', 'bookworm', 'Debian GNU/Linux 12 (bookworm)'],
  )
})

test('os-release: the codename comes from VERSION on old releases; missing ID means linux', () => {
  assert.equal(parseOsRelease('ID=debian\nVERSION="8 (jessie)"\n').codename, 'jessie')
  assert.equal(parseOsRelease('').id, 'linux')
})

test('systemd counts only when it is PID 1 and has booted the host', () => {
  const fact = initSystem()
  assert.deepEqual(fact.parse({ code: 0, stdout: 'systemd\nsystemd-booted\n', stderr: '' }), {
    pid1: 'systemd',
    systemd: true,
  })
  assert.deepEqual(fact.parse({ code: 0, stdout: 'process_api\n', stderr: '' }), {
    pid1: 'process_api',
    systemd: false,
  })
})
