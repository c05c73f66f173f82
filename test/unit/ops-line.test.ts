import { test } from 'node:test'
import assert from 'node:assert/strict'
import { editLines, planLine } from '../../src/ops/line.ts'
import { sha256 } from '../../src/ops/file.ts'
import type { FileState } from '../../src/facts/files.ts'

const existing = (content: string): FileState => ({
  exists: true,
  type: 'file',
  owner: 'root',
  group: 'root',
  mode: '644',
  sha256: sha256(content),
})
const hosts = '127.0.0.1 localhost\n10.0.0.1 old-name\n10.0.0.1 older-name\n'

test('regexp replaces the LAST matching line', () => {
  const after = editLines(hosts, { path: '/etc/hosts', regexp: '^10\\.0\\.0\\.1 ', line: '10.0.0.1 web1' })
  assert.equal(after, '127.0.0.1 localhost\n10.0.0.1 old-name\n10.0.0.1 web1\n')
})

test('a line matching nothing is appended, adding the missing final newline', () => {
  assert.equal(editLines('a\nb', { path: '/f', regexp: '^c', line: 'c = 1' }), 'a\nb\nc = 1\n')
  assert.equal(editLines(undefined, { path: '/f', line: 'only' }), 'only\n')
})

test('a line already present is left alone, even without a regexp match or a final newline', () => {
  assert.equal(editLines('a\nc = 1', { path: '/f', line: 'c = 1' }), 'a\nc = 1')
  assert.equal(editLines('a\nc = 1\n', { path: '/f', regexp: '^nomatch', line: 'c = 1' }), 'a\nc = 1\n')
})

test('absent removes every matching line, or the exact line without a regexp', () => {
  assert.equal(editLines(hosts, { path: '/etc/hosts', regexp: /^10\./g, state: 'absent' }), '127.0.0.1 localhost\n')
  assert.equal(
    editLines(hosts, { path: '/etc/hosts', line: '10.0.0.1 old-name', state: 'absent' }),
    '127.0.0.1 localhost\n10.0.0.1 older-name\n',
  )
})

test('planLine updates the file through planFile: diff, atomic write, new content on stdin', () => {
  const changes = planLine(existing(hosts), hosts, {
    path: '/etc/hosts',
    regexp: '^10\\.0\\.0\\.1 ',
    line: '10.0.0.1 web1',
  })
  assert.equal(changes.length, 1)
  assert.equal(changes[0].summary, 'update /etc/hosts')
  assert.deepEqual(changes[0].diff, {
    path: '/etc/hosts',
    before: hosts,
    after: '127.0.0.1 localhost\n10.0.0.1 old-name\n10.0.0.1 web1\n',
  })
  assert.equal(String(changes[0].stdin), changes[0].diff?.after)
  assert.match(changes[0].command ?? '', /^t=\$\(mktemp -p \/etc \.hosts\.halabXXXXXX\).*mv -f "\$t" \/etc\/hosts/)
})

test('a missing file is created with the line; create: false makes it an error', () => {
  const changes = planLine({ exists: false }, undefined, { path: '/etc/x.conf', line: 'a = 1' })
  assert.equal(changes[0].summary, 'create /etc/x.conf')
  assert.equal(String(changes[0].stdin), 'a = 1\n')
  assert.throws(
    () => planLine({ exists: false }, undefined, { path: '/etc/x.conf', line: 'a = 1', create: false }),
    /does not exist \(create: false\)/,
  )
})

test('noop: the line is there, or absent and the file is missing', () => {
  assert.deepEqual(planLine(existing(hosts), hosts, { path: '/etc/hosts', line: '127.0.0.1 localhost' }), [])
  assert.deepEqual(planLine({ exists: false }, undefined, { path: '/etc/hosts', line: 'x', state: 'absent' }), [])
})

test('owner and mode are fixed even when the content is right', () => {
  const changes = planLine(existing(hosts), hosts, { path: '/etc/hosts', line: '127.0.0.1 localhost', mode: '0600' })
  assert.deepEqual(
    changes.map((c) => c.command),
    ['chmod -- 600 /etc/hosts'],
  )
})
