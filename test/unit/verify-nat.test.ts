// What the 6-node verification reads: crm_mon's XML (a capture from the lab's Pacemaker
// 2.1 after one ldirectord kill), ab's report (a capture from the lab), the load table
// beside the seed's figures from the 6-node inventory, and `--load` input errors.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { groupNode, parseCrmMon } from '../../roles/pacemaker/crm-mon.ts'
import { LoadReference, loadTable, parseAb } from '../../src/verify/load.ts'
import { verifyCommand } from '../../src/cli/verify-command.ts'
import type { HostContext } from '../../src/engine/host-context.ts'
import { verifyLvsNat } from '../../roles/pacemaker/verify.ts'
import { memorySink } from '../../src/output/sink.ts'
import { loadInventory } from '../../src/inventory/load.ts'

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')

test('crm_mon XML: online nodes, where the group runs, and the fail count against the migration threshold', () => {
  const s = parseCrmMon(fixture('crm-mon-failcount.xml'))
  assert.deepEqual(s.online, ['master', 'standby'])
  assert.equal(s.dc, 'standby')
  assert.deepEqual(s.groups.get('lvs'), ['ip1', 'ip2', 'ldirectord'])
  assert.deepEqual(s.running.get('ldirectord'), ['master'])
  assert.equal(groupNode(s, 'lvs'), 'master')
  assert.deepEqual(s.failures.get('master/ldirectord'), { failCount: 1, migrationThreshold: 10 })
  assert.deepEqual(s.failures.get('master/ip1'), { failCount: 0, migrationThreshold: 1000000 })
  assert.equal(groupNode(s, 'nosuch'), undefined)
})

test('crm_mon XML: a member being recovered (failed, Starting) leaves the group unsettled; a monitor in flight does not', () => {
  const xml = fixture('crm-mon-failcount.xml')
  const ld = /<resource id="ldirectord"[^>]*>/.exec(xml)![0]
  const recovering = xml.replace(
    ld,
    ld.replace('role="Started"', 'role="Starting"').replace('failed="false"', 'failed="true"'),
  )
  assert.equal(groupNode(parseCrmMon(recovering), 'lvs'), undefined)
  const monitoring = xml.replace(ld, ld.replace('nodes_running_on="1"', 'nodes_running_on="1" pending="Monitoring"'))
  assert.equal(groupNode(parseCrmMon(monitoring), 'lvs'), 'master')
  const starting = xml.replace(ld, ld.replace('nodes_running_on="1"', 'nodes_running_on="1" pending="Starting"'))
  assert.equal(groupNode(parseCrmMon(starting), 'lvs'), undefined)
})

test("ab's report: requests per second and what a client would count as failed (not a dynamic page's length)", () => {
  const report = fixture('ab-report.txt')
  assert.deepEqual(parseAb(report), { requestsPerSecond: 410.16, complete: 821, errors: 0, lengthDiffers: 0 })
  const failing = report.replace(
    'Failed requests:        0\n',
    'Failed requests:        9\n   (Connect: 2, Receive: 0, Length: 5, Exceptions: 1)\nNon-2xx responses:      4\n',
  )
  assert.deepEqual(parseAb(failing), { requestsPerSecond: 410.16, complete: 821, errors: 7, lengthDiffers: 5 })
  assert.throws(() => parseAb('apr_socket_connect(): Connection refused (111)'), /ab gave no report/)
})

test("the load table: halab's figures beside the seed's from the 6-node inventory, labelled as other hardware", async () => {
  process.env.COROSYNC_AUTHKEY = randomBytes(256).toString('base64')
  const inventory = await loadInventory('inventory/6-node')
  const reference = LoadReference.parse(inventory.hosts.get('master')!.vars.verify_load_reference)
  const table = loadTable(
    'ab -c 10 -t 10 http://192.168.1.200:80/',
    new Map([
      [1, 298.4],
      [2, 542],
    ]),
    reference,
  )
  const lines = table.trim().split('\n')
  assert.match(
    lines[1],
    /^real servers\s+halab \(ab -c 10 -t 10 http:\/\/192\.168\.1\.200:80\/\)\s+ab -n 100000 -c 10 \*\s+siege -c 10 -t20S -b \*$/,
  )
  assert.match(lines[2], /^1\s+298 req\/s\s+5516 req\/s\s+1344 trans\/s$/)
  assert.match(lines[3], /^2\s+542 req\/s\s+6310 req\/s\s+2539 trans\/s$/)
  assert.match(lines[4], /^\* seed 002's figures .*: other hardware/)
})

test('verify --load with a duration that is not 1..600 seconds is an input error, before any connection', async () => {
  for (const bad of ['abc', '0', '601', '2.5']) {
    const sink = memorySink()
    assert.equal(await verifyCommand({ inventory: 'inventory/6-node', load: bad }, sink), 3)
    assert.match(
      sink.text(),
      new RegExp(`--load: "${bad.replace('.', '\\.')}" is not a number of seconds from 1 to 600`),
    )
  }
})

test('a malformed verify_load_reference fails the LVS-NAT suite before any check, naming the variable, the host and the field', async () => {
  process.env.COROSYNC_AUTHKEY = randomBytes(256).toString('base64')
  const inventory = await loadInventory('inventory/6-node')
  const master = inventory.hosts.get('master')!
  const vars = {
    ...master.vars,
    verify_load_reference: { source: 'x', figures: [{ tool: 'ab', servers: { one: 5516 } }] },
  }
  // No check runs, so no connection is needed: a host context with only its variables.
  const director = {
    name: 'master',
    vars,
    inventoryHost: { ...master, vars },
    allHosts: inventory.hosts,
  } as unknown as HostContext
  const env = { inventory, pick: () => [], wouldChange: async () => ({ changes: [], notes: [] }), report: () => {} }
  await assert.rejects(verifyLvsNat([director], [], env), /verify_load_reference on master: figures\.0\.servers\.one: /)
})
