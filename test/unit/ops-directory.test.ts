import { test } from 'node:test'
import assert from 'node:assert/strict'
import { directory, planDirectory } from '../../src/ops/directory.ts'
import type { FileState } from '../../src/facts/files.ts'

const dir = (over: Partial<FileState> = {}): FileState => ({
  exists: true,
  type: 'directory',
  owner: 'root',
  group: 'root',
  mode: '755',
  ...over,
})
const summaries = (changes: { summary: string }[]) => changes.map((c) => c.summary)

test('a missing directory is created with its owner, group and mode in one command', () => {
  const changes = planDirectory(
    { exists: false },
    { path: '/srv/www data', owner: 'www-data', group: 'www-data', mode: '0750' },
  )
  assert.deepEqual(summaries(changes), ['create directory /srv/www data'])
  assert.equal(
    changes[0].command,
    "mkdir -p -- '/srv/www data' && chown -- www-data '/srv/www data' && " +
      "chgrp -- www-data '/srv/www data' && chmod -- 750 '/srv/www data'",
  )
})

test('an existing directory gets only the attributes that differ', () => {
  const changes = planDirectory(dir({ owner: 'root', mode: '700' }), {
    path: '/srv/www',
    owner: 'www-data',
    group: 'root',
    mode: 0o750,
  })
  assert.deepEqual(summaries(changes), ['owner root → www-data', 'mode 700 → 750'])
  assert.deepEqual(
    changes.map((c) => c.command),
    ['chown -- www-data /srv/www', 'chmod -- 750 /srv/www'],
  )
})

test('a directory as wanted plans nothing', () => {
  assert.deepEqual(planDirectory(dir(), { path: '/srv/www', owner: 'root', group: 'root', mode: '0755' }), [])
})

test('a setgid directory matches a 3-digit mode (chmod would never clear the bit)', () => {
  assert.deepEqual(planDirectory(dir({ mode: '2755' }), { path: '/srv/shared', mode: '0755' }), [])
  assert.deepEqual(summaries(planDirectory(dir({ mode: '755' }), { path: '/srv/shared', mode: '2755' })), [
    'mode 755 → 2755',
  ])
})

test('absent removes an empty directory with rmdir', () => {
  const changes = planDirectory(dir(), { path: '/srv/old', state: 'absent' }, true)
  assert.deepEqual(changes, [{ summary: 'remove empty directory /srv/old', command: 'rmdir -- /srv/old' }])
})

test('absent refuses a directory that still holds data', () => {
  assert.throws(
    () => planDirectory(dir(), { path: '/srv/data', state: 'absent' }, false),
    /\/srv\/data is not empty: halab removes only empty directories/,
  )
})

test('absent on a missing directory plans nothing', () => {
  assert.deepEqual(planDirectory({ exists: false }, { path: '/srv/old', state: 'absent' }), [])
})

test('a file in the way is an error, not replaced', () => {
  assert.throws(
    () => planDirectory({ exists: true, type: 'file' }, { path: '/srv/www' }),
    /exists but is a file, not a directory/,
  )
})

test('owners, groups and paths that could become options or land in a home directory are refused', () => {
  for (const [spec, why] of [
    [{ path: 'srv/www' }, /path "srv\/www" is not absolute/],
    [
      { path: '/srv/www', owner: '--reference=/etc/shadow' },
      /owner of \/srv\/www: "--reference=\/etc\/shadow" is not a user/,
    ],
    [{ path: '/srv/www', group: '-R' }, /group of \/srv\/www: "-R" is not a user or group name/],
    [{ path: '/srv/www', owner: 'www data' }, /not a user or group name/],
  ] as const) {
    assert.throws(() => directory(spec), why, JSON.stringify(spec))
    assert.throws(() => planDirectory({ exists: false }, spec), why, JSON.stringify(spec))
  }
})
