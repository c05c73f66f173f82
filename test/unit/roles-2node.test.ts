// The 2-node inventories through the real site playbook, without any host: every role
// validates, and the rendered files carry the seeds' values computed per node.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadPlaybook, prepareRun, type PreparedRun } from '../../src/engine/prepare.ts'
import { InventoryError } from '../../src/errors.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { REPO } from '../helpers/cli.ts'

process.env.HEARTBEAT_SECRET ??= 'unit-heartbeat-secret'
process.env.DRBD_SECRET ??= 'unit-drbd-secret'

async function prepare(
  topology: string,
  extraVars: Record<string, unknown> = {},
  overlay?: string,
): Promise<PreparedRun> {
  const inv = await loadInventory(join(REPO, 'inventory', topology), { extraVars, overlayFile: overlay })
  const { playbook, file } = await loadPlaybook(REPO, 'site')
  return prepareRun(inv, playbook, file, { projectRoot: REPO })
}

/** The content a template task would write, by path, for one host. */
function rendered(run: PreparedRun, host: string, path: string): string {
  for (const play of run.plays)
    for (const role of play.hosts.get(host) ?? [])
      for (const t of role.tasks) if (t.name === `template ${path}` && 'rendered' in t) return String(t.rendered)
  throw new Error(`no template task for ${path} on ${host}`)
}

test('2-node: ha.cf names both nodes and ucasts to the peer only', async () => {
  const run = await prepare('2-node')
  const nodo1 = rendered(run, 'nodo1', '/etc/ha.d/ha.cf')
  assert.match(nodo1, /^ucast eth0 192\.168\.0\.28$/m)
  assert.doesNotMatch(nodo1, /ucast eth0 192\.168\.0\.27/)
  assert.match(nodo1, /^deadtime 30$/m)
  assert.match(nodo1, /^initdead 120$/m)
  assert.match(nodo1, /^node nodo1$/m)
  assert.match(nodo1, /^node nodo2$/m)
  assert.match(nodo1, /^auto_failback on$/m)
  assert.match(rendered(run, 'nodo2', '/etc/ha.d/ha.cf'), /^ucast eth0 192\.168\.0\.27$/m)
})

test('2-node: haresources holds the whole group, identical on both nodes', async () => {
  const run = await prepare('2-node')
  const line = 'nodo1 IPaddr2::192.168.0.29/24/eth0 drbddisk::r0 Filesystem::/dev/drbd0::/srv/data::ext4 apache2'
  assert.match(rendered(run, 'nodo1', '/etc/ha.d/haresources'), new RegExp(`^${line}$`, 'm'))
  assert.equal(rendered(run, 'nodo1', '/etc/ha.d/haresources'), rendered(run, 'nodo2', '/etc/ha.d/haresources'))
})

test('2-node in the container lab: drbddisk and Filesystem are left out, and the recap will say so', async () => {
  const run = await prepare('2-node', {}, join(REPO, 'inventory', '2-node', 'lab.yml'))
  assert.match(rendered(run, 'nodo1', '/etc/ha.d/haresources'), /^nodo1 IPaddr2::192\.168\.0\.29\/24\/eth0 apache2$/m)
  const notes = run.plays.flatMap((p) => p.hosts.get('nodo1') ?? []).flatMap((r) => r.notes)
  assert.ok(
    notes.some((n) => /drbddisk and Filesystem left out/.test(n)),
    notes.join('\n'),
  )
})

test('2-node: authkeys uses sha1 with the .env secret; the DRBD resource carries the seed values', async () => {
  const run = await prepare('2-node')
  assert.match(rendered(run, 'nodo1', '/etc/ha.d/authkeys'), /^1 sha1 unit-heartbeat-secret$/m)
  const res = rendered(run, 'nodo2', '/etc/drbd.d/r0.res')
  assert.match(
    res,
    /on nodo1 \{\n\t\tdevice \/dev\/drbd0;\n\t\tdisk \/dev\/sda6;\n\t\taddress 192\.168\.0\.27:7793;\n\t\tmeta-disk internal;/,
  )
  assert.match(res, /shared-secret unit-drbd-secret;/)
  assert.match(res, /after-sb-1pri violently-as0p;/)
  assert.match(res, /pri-lost "echo primary DRBD lost \| mail -s 'DRBD Alert' root";/)
  assert.match(rendered(run, 'nodo1', '/etc/drbd.d/global_common.conf'), /usage-count no;/)
})

test('2-node-web: mcast line and the seed short IPaddr form', async () => {
  const run = await prepare('2-node-web')
  const cf = rendered(run, 'master-cluster', '/etc/ha.d/ha.cf')
  assert.match(cf, /^mcast ens18 225\.0\.0\.1 694 1 0$/m)
  assert.match(cf, /^ucast ens18 172\.23\.19\.47$/m)
  assert.doesNotMatch(cf, /initdead/)
  assert.match(rendered(run, 'slave-cluster', '/var/www/html/index.html'), /SLAVE-CLUSTER ON/)
})

test('crc authentication is accepted only when asked, and then warned about; a missing secret is an input error', async () => {
  const run = await prepare('2-node-web', { heartbeat_auth_method: 'crc' })
  assert.match(rendered(run, 'master-cluster', '/etc/ha.d/authkeys'), /^1 crc$/m)
  const notes = run.plays.flatMap((p) => p.hosts.get('master-cluster') ?? []).flatMap((r) => r.notes)
  assert.ok(notes.some((n) => /WARNING authkeys uses crc/.test(n)))
  await assert.rejects(
    prepare('2-node-web', { heartbeat_auth_secret: null }),
    (e: unknown) => e instanceof InventoryError && /field heartbeat_auth_secret/.test(e.render()),
  )
})

test('config templates write values as they are: a key with & < > " \' reaches authkeys unescaped', async () => {
  const key = `a&b<c>"d'e`
  const run = await prepare('2-node', { heartbeat_auth_secret: key })
  assert.match(rendered(run, 'nodo1', '/etc/ha.d/authkeys'), new RegExp(`^1 sha1 a&b<c>"d'e$`, 'm'))
})
