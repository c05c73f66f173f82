// Every role's verify.ts is a suite `run-playbook verify` can load: a helper module named
// verify.ts (not a suite) breaks verify for every inventory, before any check runs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadVerifySuite } from '../../src/verify/suite.ts'

const root = join(import.meta.dirname, '../..')

test('every roles/*/verify.ts exports a verify suite (title and run)', async () => {
  const roles = readdirSync(join(root, 'roles')).filter((r) => existsSync(join(root, 'roles', r, 'verify.ts')))
  assert.ok(roles.length >= 5, roles.join(', '))
  for (const role of roles) {
    const suite = await loadVerifySuite(root, role)
    assert.equal(typeof suite?.title, 'string', role)
    assert.equal(typeof suite?.run, 'function', role)
  }
})
