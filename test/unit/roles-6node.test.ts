// The 6-node inventory (seed 002) through the real site playbook, without any host: every
// role validates, the rendered files carry the seed's values, and the Pacemaker
// configuration's decisions are planned against crmsh answers given as data.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadPlaybook, prepareRun, type PreparedRun } from '../../src/engine/prepare.ts'
import type { Task } from '../../src/engine/types.ts'
import { InventoryError } from '../../src/errors.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import pacemakerRole, { crmConfiguration, planCib } from '../../roles/pacemaker/index.ts'
import { parseCibComparison } from '../../roles/pacemaker/facts.ts'
import { prepareSite, rendered, tasksOf } from '../helpers/site-plan.ts'

const prepare = (): Promise<PreparedRun> => prepareSite('6-node')

test('6-node: roles by group — RAID and NFS on nas, mounts and the LVS-NAT gateway on the servers, the cluster on the directors', async () => {
  process.env.COROSYNC_AUTHKEY = randomBytes(256).toString('base64')
  const run = await prepare()
  const roles = (h: string) => [...new Set(run.plays.flatMap((p) => (p.hosts.get(h) ?? []).map((r) => r.role)))]
  assert.deepEqual(roles('nas'), ['base', 'mdadm', 'nfs-server'])
  assert.deepEqual(roles('server2'), ['base', 'nfs-client', 'apache-php', 'lvs-nat'])
  assert.deepEqual(roles('master'), ['base', 'lvs-nat', 'ldirectord', 'corosync', 'pacemaker'])
  assert.equal(
    rendered(run, 'nas', '/etc/exports').split('\n')[1],
    '/mnt/raid 10.0.10.0/24(rw,sync,no_subtree_check,no_root_squash)',
  )
  const cf = rendered(run, 'master', '/etc/ha.d/ldirectord.cf')
  assert.match(cf, /^checktimeout=3\ncheckinterval=10\nautoreload=yes\nquiescent=yes$/m)
  assert.match(
    cf,
    /virtual=192\.168\.1\.200:80\n\treal=10\.0\.10\.110:80 masq\n\treal=10\.0\.10\.111:80 masq\n\treal=10\.0\.10\.112:80 masq\n\tfallback=127\.0\.0\.1:80 masq\n\tservice=http\n\tscheduler=rr\n\tprotocol=tcp\n\tchecktype=connect/,
  )
  const corosync = rendered(run, 'standby', '/etc/corosync/corosync.conf')
  assert.match(corosync, /cluster_name: lvs/)
  assert.match(corosync, /two_node: 1/)
  assert.match(
    corosync,
    /name: master\n\t\tnodeid: 1\n\t\tring0_addr: 10\.0\.10\.1\n[\s\S]*name: standby\n\t\tnodeid: 2\n\t\tring0_addr: 10\.0\.10\.2/,
  )
  assert.match(
    rendered(run, 'server1', '/etc/systemd/system/halab-lvs-nat-gateway.service'),
    /ExecStart=\/sbin\/ip route replace default via 10\.0\.10\.200/,
  )
  assert.match(
    rendered(run, 'master', '/etc/systemd/system/halab-lvs-nat-masquerade.service'),
    /ExecStart=\/usr\/sbin\/iptables -t nat -A POSTROUTING -o ens3 -j MASQUERADE/,
  )
  const cib = tasksOf(run, 'standby', 'pacemaker').find((t) => t.name === 'cluster configuration (CIB)')
  assert.match(String(cib?.skip), /master configures the cluster/)
})

test("6-node: Apache serves the seed's date/server page from the NFS share, and starts only once the share is mounted", async () => {
  process.env.COROSYNC_AUTHKEY = randomBytes(256).toString('base64')
  const run = await prepare()
  assert.match(
    rendered(run, 'server1', '/etc/systemd/system/apache2.service.d/halab-nfs-client.conf'),
    /^\[Unit\]\nRequiresMountsFor=\/mnt\/raid$/m,
  )
  const site = rendered(run, 'server2', '/etc/apache2/sites-available/ha.conf')
  assert.match(
    site,
    /DocumentRoot \/mnt\/raid\/www\n\t<Directory \/mnt\/raid\/www>\n\t\tOptions Includes\n\t\tAllowOverride All/,
  )
  // One page for the three servers: it names the node, the date and time, and the address as it serves.
  const page = rendered(run, 'server3', '/mnt/raid/www/index.php')
  assert.equal(page, rendered(run, 'server1', '/mnt/raid/www/index.php'))
  assert.match(page, /date\('d\/m\/Y'\)[\s\S]*date\('H:i:s'\)[\s\S]*\$_SERVER\['SERVER_ADDR'\]/)
  // The page's mount comes before Apache: nfs-client runs before apache-php on each server.
  const names = tasksOf(run, 'server1').map((t) => t.name)
  const [mounted, docroot] = [
    names.findIndex((n) => /^mount .*\/mnt\/raid\b/.test(n)),
    names.indexOf('directory /mnt/raid/www'),
  ]
  assert.ok(mounted >= 0 && docroot > mounted, names.join(' | '))
})

test('6-node: a corosync key that is not base64 of 128+ bytes is an input error naming the field, never the value', async () => {
  process.env.COROSYNC_AUTHKEY = 'short-key'
  await assert.rejects(prepare(), (e: unknown) => {
    assert.ok(e instanceof InventoryError)
    assert.match(
      e.render(),
      /hosts master, standby, field corosync_authkey: corosync: must be base64 of at least 128 bytes/,
    )
    assert.doesNotMatch(e.render(), /short-key/)
    return true
  })
})

test('pacemaker: the seed configuration in crm syntax, and only what differs is applied', () => {
  const vars = pacemakerRole.vars.parse({
    pacemaker_group: 'nat_directors',
    pacemaker_properties: { 'stonith-enabled': false, 'no-quorum-policy': 'ignore' },
    pacemaker_primitives: [
      { id: 'ip1', agent: 'ocf:heartbeat:IPaddr2', params: { ip: '192.168.1.200', nic: 'ens3', cidr_netmask: 24 } },
      {
        id: 'ldirectord',
        agent: 'ocf:heartbeat:ldirectord',
        params: { configfile: '/etc/ha.d/ldirectord.cf' },
        ops: [{ name: 'monitor', interval: '15s', timeout: '20s' }],
        meta: { 'migration-threshold': 10 },
      },
    ],
    pacemaker_groups: [{ id: 'lvs', members: ['ip1', 'ldirectord'] }],
    pacemaker_orders: [{ id: 'o', sequence: ['ip1', 'ldirectord'] }],
  })
  const { text, ids } = crmConfiguration(vars)
  assert.equal(
    text,
    'primitive ip1 ocf:heartbeat:IPaddr2 params ip=192.168.1.200 nic=ens3 cidr_netmask=24\n' +
      'primitive ldirectord ocf:heartbeat:ldirectord params configfile=/etc/ha.d/ldirectord.cf op monitor interval=15s timeout=20s meta migration-threshold=10\n' +
      'group lvs ip1 ldirectord\norder o Mandatory: ip1 ldirectord\n',
  )
  assert.deepEqual(ids, ['ip1', 'ldirectord', 'lvs', 'o'])
  const same = parseCibComparison(
    '@@halab-cib@@live\nX\n@@halab-cib@@wanted\nX\n@@halab-cib@@property stonith-enabled\nfalse\n@@halab-cib@@property no-quorum-policy\nignore\n',
  )
  assert.deepEqual(planCib(vars, text, same, false), {
    changes: [],
    noop: 'the CIB holds the wanted objects and properties',
  })
  const drift = parseCibComparison(
    '@@halab-cib@@live\nX\n@@halab-cib@@wanted\nY\n@@halab-cib@@property stonith-enabled\ntrue\n@@halab-cib@@property no-quorum-policy\nignore\n',
  )
  const plan = planCib(vars, text, drift, false)
  assert.deepEqual(
    plan.changes.map((c) => c.display ?? c.command),
    ['crm configure property stonith-enabled=false', 'crm configure load update <the wanted objects>'],
  )
  assert.equal(plan.changes[1].stdin, text)
  assert.throws(() => planCib(vars, text, parseCibComparison('@@halab-cib@@notready\n'), false), /did not elect a DC/)
  assert.equal(
    planCib(vars, text, parseCibComparison('@@halab-cib@@notready\n'), true).changes.length,
    1,
    '--check: would configure once it runs',
  )
})
