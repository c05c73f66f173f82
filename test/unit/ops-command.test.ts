import { test } from 'node:test'
import assert from 'node:assert/strict'
import { commandLine, commandSkipReason, planCommand } from '../../src/ops/command.ts'

test('without a guard the command always runs and says it is not idempotent', () => {
  const changes = planCommand({}, { command: 'echo hi >> /tmp/log' })
  assert.deepEqual(changes, [
    {
      summary: 'run: echo hi >> /tmp/log — non-idempotent command (no creates/removes/unless guard)',
      command: 'echo hi >> /tmp/log',
    },
  ])
})

test('creates: skipped when the path exists, run when it does not', () => {
  const spec = { command: 'mkfs.ext4 /dev/vdb', creates: '/srv/.formatted' }
  assert.deepEqual(planCommand({ creates: true }, spec), [])
  assert.equal(commandSkipReason({ creates: true }, spec), '/srv/.formatted exists')
  assert.deepEqual(planCommand({ creates: false }, spec), [
    { summary: 'run: mkfs.ext4 /dev/vdb', command: 'mkfs.ext4 /dev/vdb' },
  ])
})

test('removes: skipped when the path is missing', () => {
  const spec = { command: 'rm /tmp/flag', removes: '/tmp/flag' }
  assert.deepEqual(planCommand({ removes: false }, spec), [])
  assert.equal(commandSkipReason({ removes: false }, spec), '/tmp/flag does not exist')
  assert.equal(planCommand({ removes: true }, spec).length, 1)
})

test('unless: skipped when the check succeeds', () => {
  const spec = { command: 'drbdadm create-md r0', unless: 'drbdadm dump-md r0' }
  assert.deepEqual(planCommand({ unless: true }, spec), [])
  assert.equal(commandSkipReason({ unless: true }, spec), '`drbdadm dump-md r0` succeeded')
  assert.equal(planCommand({ unless: false }, spec).length, 1)
})

test('chdir and env wrap the command in one quoted sh -c', () => {
  const spec = { command: 'make install', chdir: '/usr/src/my app', env: { PREFIX: '/opt/x y', N: 2 } }
  assert.equal(
    commandLine(spec, spec.command),
    "cd '/usr/src/my app' && env 'PREFIX=/opt/x y' N=2 sh -c 'make install'",
  )
  assert.equal(planCommand({}, spec)[0].command, commandLine(spec, spec.command))
})
