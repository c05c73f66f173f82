import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planUser, user } from '../../src/ops/user.ts'
import { parsePasswdLine, passwdEntry, type PasswdEntry } from '../../src/facts/users.ts'

const alice = (over: Partial<PasswdEntry> = {}): PasswdEntry => ({
  exists: true,
  uid: 1001,
  gid: 1001,
  comment: '',
  home: '/home/alice',
  shell: '/bin/bash',
  ...over,
})
const brief = (changes: { summary: string; command?: string }[]) => changes.map((c) => [c.summary, c.command])

test('the passwd fact: an entry is parsed, exit 2 means no such user, other failures are errors', () => {
  const fact = passwdEntry('alice')
  assert.equal(fact.command, 'getent passwd -- alice')
  assert.deepEqual(
    fact.parse({ code: 0, stdout: 'alice:x:1001:1001:Alice A,,,:/home/alice:/bin/bash\n', stderr: '' }),
    {
      exists: true,
      uid: 1001,
      gid: 1001,
      comment: 'Alice A,,,',
      home: '/home/alice',
      shell: '/bin/bash',
    },
  )
  assert.deepEqual(fact.parse({ code: 2, stdout: '', stderr: '' }), { exists: false })
  assert.throws(() => fact.parse({ code: 1, stdout: '', stderr: 'Unknown database' }), /getent exit 1/)
  assert.throws(() => parsePasswdLine('garbage'), /unexpected passwd entry/)
})

test('noop when the user exists as wanted; unspecified fields are left alone', () => {
  assert.deepEqual(planUser(alice(), { user: 'alice', home: '/home/alice', shell: '/bin/bash' }), [])
  assert.deepEqual(planUser(alice({ shell: '/bin/sh', uid: 2000 }), { user: 'alice' }), [])
})

test('a missing user is created with useradd, home made from /etc/skel unless told not to', () => {
  assert.deepEqual(brief(planUser({ exists: false }, { user: 'alice', home: '/home/alice', shell: '/bin/bash' })), [
    ['create user alice', 'useradd -d /home/alice -m -s /bin/bash alice'],
  ])
  assert.deepEqual(
    brief(
      planUser(
        { exists: false },
        { user: 'svc', system: true, uid: 990, createHome: false, comment: 'A service, really' },
      ),
    ),
    [['create user svc', "useradd --system -u 990 -M -c 'A service, really' svc"]],
  )
})

test('only the fields that differ are changed with usermod; the home is not moved', () => {
  assert.deepEqual(brief(planUser(alice(), { user: 'alice', shell: '/bin/sh', home: '/srv/alice' })), [
    [
      'user alice: home /home/alice → /srv/alice (not moved), shell /bin/bash → /bin/sh',
      'usermod -d /srv/alice -s /bin/sh alice',
    ],
  ])
  assert.deepEqual(brief(planUser(alice(), { user: 'alice', uid: 1500, comment: 'Alice' })), [
    ['user alice: uid 1001 → 1500, comment "" → "Alice"', 'usermod -u 1500 -c Alice alice'],
  ])
})

test('absent: userdel only when the user exists, -r only when asked', () => {
  assert.deepEqual(planUser({ exists: false }, { user: 'alice', state: 'absent' }), [])
  assert.deepEqual(brief(planUser(alice(), { user: 'alice', state: 'absent' })), [
    ['remove user alice', 'userdel alice'],
  ])
  assert.deepEqual(brief(planUser(alice(), { user: 'alice', state: 'absent', removeHome: true })), [
    ['remove user alice and its home', 'userdel -r alice'],
  ])
})

test('bad names, uids, paths and comments are refused when the role is built', () => {
  assert.throws(() => user({ user: 'Alice; rm -rf /' }), /invalid user name/)
  assert.throws(() => user({ user: 'alice', uid: -1 }), /uid must be a non-negative integer/)
  assert.throws(
    () => user({ user: 'alice', home: 'home/alice', shell: 'bash' }),
    /home must be an absolute path.*shell must be an absolute path/,
  )
  assert.throws(() => user({ user: 'alice', comment: 'a:b' }), /comment cannot contain/)
  assert.equal(user({ user: 'alice' }).name, 'user alice')
})
