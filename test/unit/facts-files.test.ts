import { test } from 'node:test'
import assert from 'node:assert/strict'
import { commandSucceeds, directoryIsEmpty, fileContent, fileState, pathExists } from '../../src/facts/files.ts'

const answer = (code: number, stdout = '', stderr = '') => ({ code, stdout, stderr })

test('file state: a file with its hash, a directory, a symlink, an absent path; stat failing is an error', () => {
  const fact = fileState('/etc/motd')
  const hash = 'a'.repeat(64)
  assert.deepEqual(fact.parse(answer(0, `regular file|root|root|644\n${hash}  -\n`)), {
    exists: true,
    type: 'file',
    owner: 'root',
    group: 'root',
    mode: '644',
    sha256: hash,
  })
  assert.equal(fact.parse(answer(0, 'regular empty file|root|root|600\n')).type, 'file')
  assert.equal(fact.parse(answer(0, 'directory|www-data|www-data|2750\n')).type, 'directory')
  assert.equal(fact.parse(answer(0, 'symbolic link|root|root|777\n')).type, 'symlink')
  assert.equal(fact.parse(answer(0, 'fifo|root|root|644\n')).type, 'other')
  assert.deepEqual(fact.parse(answer(0, 'absent\n')), { exists: false })
  assert.throws(() => fact.parse(answer(1, '', 'Permission denied\n')), /cannot stat \/etc\/motd: Permission denied/)
})

test('file content: the text, or undefined when it cannot be read', () => {
  assert.equal(fileContent('/etc/motd').parse(answer(0, 'hello\n')), 'hello\n')
  assert.equal(fileContent('/etc/motd').parse(answer(1, '', 'No such file')), undefined)
})

test('path exists, directory empty, command succeeds: the exit status, under keys that name what they probe', () => {
  const exists = pathExists('/proc/drbd')
  assert.deepEqual([exists.key, exists.command], ['exists:/proc/drbd', 'test -e /proc/drbd'])
  assert.deepEqual([exists.parse(answer(0)), exists.parse(answer(1))], [true, false])
  const empty = directoryIsEmpty('/srv/a b')
  assert.equal(empty.command, `test -z "$(ls -A -- '/srv/a b')"`)
  assert.equal(empty.key, `succeeds:${empty.command}`)
  assert.deepEqual([empty.parse(answer(0)), empty.parse(answer(1))], [true, false])
  assert.equal(commandSucceeds('true').parse(answer(0)), true)
})
