// Misspelled variables stop the run before any connection (exit 3), naming file, host and
// field with the name that was probably meant; other tools' variables are left alone.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InventoryError } from '../../src/errors.ts'
import { prepareSite } from '../helpers/site-plan.ts'

process.env.KEEPALIVED_AUTH_PASS ??= 'unitpass'

const instance = {
  name: 'VI_1',
  interface: 'eth0',
  virtual_router_id: 51,
  auth_pas: 'secret12',
  virtual_ipaddress: ['10.0.0.4'],
}

async function problems(extraVars: Record<string, unknown>, inventory = '4-node'): Promise<string[]> {
  try {
    await prepareSite(inventory, { extraVars })
  } catch (e) {
    assert.ok(e instanceof InventoryError, String(e))
    return e.problems.map((p) => `${p.host} ${p.field}: ${p.message}`)
  }
  return []
}

test('a misspelled key inside a role variable is an error with "did you mean"', async () => {
  const found = await problems({ keepalived_vrrp_instances: [instance] })
  assert.ok(
    found.includes('zerg keepalived_vrrp_instances.0.auth_pas: unknown key "auth_pas": did you mean "auth_pass"?'),
    found.join('\n'),
  )
})

test('a host variable one letter from a role variable is an error; an unrelated one is not', async () => {
  const found = await problems({ keepalived_advert_itn: 1, backup_schedule: 'nightly' })
  assert.ok(
    found.some((f) =>
      /^zerg keepalived_advert_itn: no role reads "keepalived_advert_itn": did you mean "keepalived_advert_int"\?$/.test(
        f,
      ),
    ),
    found.join('\n'),
  )
  assert.equal(found.filter((f) => f.includes('backup_schedule')).length, 0)
})

test('the shipped inventories have no misspelled variable', async () => {
  for (const inv of ['2-node', '2-node-web', '4-node', '5-node', '6-node', 'lvs-3rs'])
    assert.deepEqual(
      (await problems({}, inv)).filter((p) => /unknown key|no role reads/.test(p)),
      [],
      inv,
    )
})
