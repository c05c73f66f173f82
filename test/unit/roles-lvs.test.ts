// The LVS inventories (4-node, 5-node, lvs-3rs) through the real site playbook, without
// any host: every role validates, and the rendered files carry the seeds' values computed
// per node. Tasks whose decision matters are planned against a fake host's facts.
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadPlaybook, prepareRun, type PreparedRun } from '../../src/engine/prepare.ts'
import type { HostContext } from '../../src/engine/host-context.ts'
import type { Fact, Plan, Task } from '../../src/engine/types.ts'
import { InventoryError } from '../../src/errors.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { parseDynamic } from '../../roles/dhcp-client/facts.ts'
import { REPO } from '../helpers/cli.ts'
import { notesOf, prepareSite as prepare, rendered, tasksOf } from '../helpers/site-plan.ts'

function task(run: PreparedRun, host: string, name: string | RegExp): Task {
  const t = tasksOf(run, host).find((t) => (typeof name === 'string' ? t.name === name : name.test(t.name)))
  if (!t)
    throw new Error(
      `no task ${name} on ${host}: ${tasksOf(run, host)
        .map((t) => t.name)
        .join(' | ')}`,
    )
  return t
}

/** A host whose facts are answered by key prefix (`file`, `kmod`, `networkd-link`…). */
function fakeHost(answers: Record<string, unknown>, opts: { check?: boolean } = {}): HostContext {
  return {
    name: 'fake',
    mode: { check: opts.check ?? false, diff: false },
    startedServices: new Set<string>(),
    invalidateFacts() {},
    async prefetch() {},
    async fact<T>(f: Fact<T>): Promise<T> {
      const prefix = f.key.split(':')[0]
      if (!(prefix in answers)) throw new Error(`unexpected fact ${f.key}`)
      return answers[prefix] as T
    },
  } as unknown as HostContext
}

const absentFile = { file: { exists: false } }

function inventoryCopy(topology: string, edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), `halab-${topology}-`))
  cpSync(join(REPO, 'inventory', topology), dir, { recursive: true })
  edit(dir)
  copies.push(dir)
  return dir
}
const copies: string[] = []
after(() => copies.forEach((d) => rmSync(d, { recursive: true, force: true })))

test('site: addresses first, then the rest, real servers before the directors', async () => {
  const run = await prepare('5-node')
  const names = run.plays.map((p) => p.name)
  assert.deepEqual(names.slice(0, 3), ['dhcp server', 'dhcp clients', 'base'])
  assert.ok(names.indexOf('real servers (LVS-DR)') < names.indexOf('directors'))
  assert.deepEqual([...run.plays.find((p) => p.name === 'dhcp clients')!.hosts.keys()].sort(), [
    'cluster',
    'empresa1',
    'empresa2',
    'empresa3',
  ])
})

test('4-node: each director gets the seed keepalived.conf with its own router id, state and priority', async () => {
  const run = await prepare('4-node')
  const zerg = rendered(run, 'zerg', '/etc/keepalived/keepalived.conf')
  const supermente = rendered(run, 'supermente', '/etc/keepalived/keepalived.conf')
  assert.match(zerg, /^\trouter_id LVS1$/m)
  assert.match(zerg, /^\tstate MASTER$/m)
  assert.match(zerg, /^\tpriority 150$/m)
  assert.match(supermente, /^\trouter_id LVS2$/m)
  assert.match(supermente, /^\tstate BACKUP$/m)
  assert.match(supermente, /^\tpriority 100$/m)
  for (const conf of [zerg, supermente]) {
    assert.match(conf, /^\tinterface eth0$/m)
    assert.match(conf, /^\tvirtual_router_id 51$/m)
    assert.match(conf, /^\tadvert_int 1$/m)
    assert.match(conf, /^\tsmtp_alert$/m)
    assert.match(conf, /authentication \{\n\t\tauth_type PASS\n\t\tauth_pass vrrp8chr\n\t\}/)
    assert.match(conf, /virtual_ipaddress \{\n\t\t10\.0\.0\.4\n\t\}/)
    // keepalived 2.x rejects the seed's spellings (`keepalived -t`: unknown keyword / deprecated).
    assert.match(conf, /^\tlvs_sync_daemon eth0 VI_1$/m)
    assert.doesNotMatch(conf, /lvs_id|lvs_sync_daemon_interface/)
    assert.match(
      conf,
      /virtual_server 10\.0\.0\.4 80 \{\n\tdelay_loop 1\n\tlb_algo wrr\n\tlb_kind DR\n\tprotocol TCP\n\tsorry_server 127\.0\.0\.1 80\n/,
    )
  }
  // Only the per-director lines differ.
  const strip = (c: string) => c.replace(/ on \w+:/, '').replace(/^\t(router_id|state|priority) .*$/gm, '')
  assert.equal(strip(zerg), strip(supermente))
})

test('keepalived.conf holds auth_pass: --diff says it changed and never reads or shows the old content', async () => {
  for (const [run, path] of [
    [await prepare('4-node'), '/etc/keepalived/keepalived.conf'],
    [await prepare('4-node', { lab: true }), '/etc/keepalived/keepalived.conf.full'],
  ] as const) {
    const t = task(run, 'zerg', `template ${path}`)
    // No `content` answer: reading the host's old file (with its auth_pass) would throw here.
    const host = fakeHost({ file: { exists: true, type: 'file', sha256: '0'.repeat(64) } }, { check: true })
    ;(host.mode as { diff: boolean }).diff = true
    const plan = await t.plan(host)
    const diff = plan.changes[0].diff!
    assert.deepEqual([diff.before, diff.after], ['(sensitive content)\n', '(sensitive content, changed)\n'], path)
    assert.doesNotMatch(JSON.stringify(diff), /vrrp8chr/, 'nor the new auth_pass')
  }
})

test('4-node: the real servers are computed from the realservers group at their eth1 address', async () => {
  const conf = rendered(await prepare('4-node'), 'zerg', '/etc/keepalived/keepalived.conf')
  const rs = [
    ...conf.matchAll(
      /real_server (\S+) (\d+) \{[^\n]*\n\t\tweight (\d+)\n\t\tTCP_CHECK \{\n\t\t\tconnect_port (\d+)\n\t\t\tconnect_timeout (\d+)/g,
    ),
  ].map((m) => m.slice(1).join(' '))
  assert.deepEqual(rs, ['192.168.10.2 80 1 80 1', '192.168.10.3 80 1 80 1'])
})

test('keepalived.conf is checked by keepalived -t before it goes live, and reloads keepalived', async () => {
  const run = await prepare('4-node')
  const conf = task(run, 'zerg', 'template /etc/keepalived/keepalived.conf')
  assert.deepEqual(conf.notify, ['reload keepalived'])
  const plan = await conf.plan(fakeHost(absentFile))
  assert.match(plan.changes[0].display ?? '', /validated by: keepalived -t -f %s/)
  const handlers = run.plays.flatMap((p) => p.hosts.get('zerg') ?? []).find((r) => r.role === 'keepalived')!.handlers
  assert.ok(handlers['reload keepalived'])
})

test('4-node without the lab overlay: the kernel check comes first and fails without ip_vs, before any change', async () => {
  const run = await prepare('4-node')
  const keepalived = tasksOf(run, 'zerg', 'keepalived')
  assert.equal(keepalived[0].name, 'kernel has ip_vs')
  await assert.rejects(
    keepalived[0].plan(fakeHost({ kmod: { name: 'ip_vs', loaded: false, builtin: false, available: false } })),
    /ip_vs.*Nothing was changed.*configuration_only: \[lvs\]/s,
  )
  assert.equal(tasksOf(run, 'zerg', 'lvs')[0].name, 'kernel has ip_vs')
  assert.ok(!tasksOf(run, 'zerg').some((t) => t.name === 'template /etc/keepalived/keepalived.conf.full'))
  assert.deepEqual(notesOf(run, 'zerg'), [])
})

test('4-node in the container lab: VRRP-only live config, the full one kept and checked beside it, and the recap says so', async () => {
  const run = await prepare('4-node', { lab: true })
  for (const director of ['zerg', 'supermente']) {
    const live = rendered(run, director, '/etc/keepalived/keepalived.conf').replace(/^#.*\n/gm, '')
    const full = rendered(run, director, '/etc/keepalived/keepalived.conf.full')
    assert.doesNotMatch(live, /virtual_server|real_server|lvs_sync_daemon/)
    assert.match(live, /vrrp_instance VI_1 \{/)
    assert.match(live, /virtual_ipaddress \{\n\t\t10\.0\.0\.4\n\t\}/)
    assert.match(full, /virtual_server 10\.0\.0\.4 80 \{/)
    assert.match(full, /^\tlvs_sync_daemon eth0 VI_1$/m)
    assert.match(full, /real_server 192\.168\.10\.3 80 \{/)
    assert.ok(
      notesOf(run, director).includes(
        'keepalived: VRRP only (kernel lacks ip_vs): virtual_server blocks kept in keepalived.conf.full',
      ),
      notesOf(run, director).join('\n'),
    )
    const plan = await task(run, director, 'template /etc/keepalived/keepalived.conf.full').plan(fakeHost(absentFile))
    assert.match(plan.changes[0].display ?? '', /validated by: keepalived -t -f %s/)
  }
  // The lvs role's own check only notes it; keepalived has no kernel check of its own then.
  assert.ok(!tasksOf(run, 'zerg', 'keepalived').some((t) => t.name === 'kernel has ip_vs'))
  const check = await task(run, 'zerg', 'kernel has ip_vs').plan(
    fakeHost({ kmod: { name: 'ip_vs', loaded: false, builtin: false, available: false } }),
  )
  assert.deepEqual(check.notes, ['lvs: configuration only (kernel lacks ip_vs) — not brought up'])
  assert.ok(!tasksOf(run, 'zerg', 'lvs').some((t) => t.name === 'load ip_vs'))
})

test('directors: ipvsadm defaults as the seed, ip_vs loaded now and at boot; real servers get none of it', async () => {
  const run = await prepare('4-node')
  const defaults = rendered(run, 'zerg', '/etc/default/ipvsadm')
  assert.match(defaults, /^AUTO="true"$/m)
  assert.match(defaults, /^DAEMON="none"$/m)
  const modules = await task(run, 'zerg', 'file /etc/modules-load.d/ipvs.conf').plan(fakeHost(absentFile))
  assert.match(String(modules.changes[0].stdin), /^ip_vs$/m)
  const load = await task(run, 'zerg', 'load ip_vs').plan(fakeHost({ succeeds: false }))
  assert.equal(load.changes[0].command, 'modprobe ip_vs')
  for (const rs of ['protoss', 'terran'])
    assert.ok(!tasksOf(run, rs).some((t) => /ipvsadm|ip_vs|keepalived/.test(t.name)), rs)
})

test('real servers: ARP suppression for all, lo and each interface, then the VIP on lo:0 by a unit; directors get none of it', async () => {
  const run = await prepare('4-node')
  for (const rs of ['protoss', 'terran']) {
    const names = tasksOf(run, rs, 'lvs').map((t) => t.name)
    for (const scope of ['all', 'lo', 'eth0', 'eth1']) {
      assert.ok(names.includes(`sysctl net.ipv4.conf.${scope}.arp_ignore`), `${rs} ${scope}`)
      assert.ok(names.includes(`sysctl net.ipv4.conf.${scope}.arp_announce`), `${rs} ${scope}`)
    }
    // The sysctls come before the VIP ever reaches loopback.
    const lastSysctl = names.map((n) => n.startsWith('sysctl')).lastIndexOf(true)
    assert.ok(lastSysctl >= 0 && lastSysctl < names.indexOf('service halab-lvs-vip started, enabled'))
    const unit = rendered(run, rs, '/etc/systemd/system/halab-lvs-vip.service')
    assert.match(unit, /^ExecStart=\/sbin\/ip addr replace 10\.0\.0\.4\/32 dev lo label lo:0$/m)
    assert.match(unit, /^RemainAfterExit=yes$/m)
    assert.match(unit, /^WantedBy=multi-user\.target$/m)
  }
  const plan = await task(run, 'protoss', 'sysctl net.ipv4.conf.all.arp_ignore').plan(
    fakeHost({ sysctl: { exists: true, value: '0' }, file: { exists: false }, content: undefined }),
  )
  assert.deepEqual(
    plan.changes.map((c) => c.summary),
    [
      'set net.ipv4.conf.all.arp_ignore = 1 (was 0)',
      'create /etc/sysctl.d/60-halab-lvs.conf (net.ipv4.conf.all.arp_ignore = 1)',
    ],
  )
  const announce = await task(run, 'protoss', 'sysctl net.ipv4.conf.eth1.arp_announce').plan(
    fakeHost({
      sysctl: { exists: true, value: '2' },
      file: { exists: true },
      content: 'net.ipv4.conf.eth1.arp_announce = 2\n',
    }),
  )
  assert.deepEqual(announce.changes, [])
  // The VIP set on loopback is compared as it is, not trusted to the oneshot unit's state.
  const vip = await task(run, 'protoss', 'loopback holds exactly 10.0.0.4/32').plan(fakeHost({ succeeds: false }))
  assert.equal(vip.changes[0].command, 'systemctl restart halab-lvs-vip.service')
  for (const d of ['zerg', 'supermente']) assert.ok(!tasksOf(run, d).some((t) => /arp_|halab-lvs-vip/.test(t.name)), d)
})

test('lvs-3rs: three real servers with their own names, subnets, interface names and weights', async () => {
  const run = await prepare('lvs-3rs')
  const conf = rendered(run, 'lb1', '/etc/keepalived/keepalived.conf')
  assert.match(conf, /^\trouter_id LB1$/m)
  assert.match(
    conf,
    /vrrp_instance VI_WEB \{\n\tstate MASTER\n\tinterface ens3\n\tvirtual_router_id 77\n\tpriority 200\n\tadvert_int 2\n/,
  )
  assert.match(conf, /^\tlvs_sync_daemon ens4 VI_WEB$/m)
  const rs = [
    ...conf.matchAll(
      /real_server (\S+) 80 \{ # (\w+)\n\t\tweight (\d+)\n\t\tTCP_CHECK \{\n\t\t\tconnect_port 80\n\t\t\tconnect_timeout 2/g,
    ),
  ].map((m) => `${m[2]} ${m[1]} ${m[3]}`)
  assert.deepEqual(rs, ['web1 10.78.0.21 1', 'web2 10.78.0.22 1', 'web3 10.78.0.23 2'])
  assert.match(rendered(run, 'lb2', '/etc/keepalived/keepalived.conf'), /^\tstate BACKUP$/m)
  for (const web of ['web1', 'web2', 'web3']) {
    const names = tasksOf(run, web, 'lvs').map((t) => t.name)
    for (const scope of ['all', 'lo', 'ens3', 'ens4'])
      assert.ok(names.includes(`sysctl net.ipv4.conf.${scope}.arp_ignore`), `${web} ${scope}`)
    assert.ok(!names.some((n) => /eth\d/.test(n)), web)
    assert.match(
      rendered(run, web, '/etc/systemd/system/halab-lvs-vip.service'),
      /ip addr replace 10\.77\.0\.100\/32 dev lo label lo:0/,
    )
    assert.equal(
      rendered(run, web, '/var/www/ha/index.php'),
      rendered(run, 'web1', '/var/www/ha/index.php'),
      'one page for every node, naming the node as it serves',
    )
  }
  assert.deepEqual([...run.plays.find((p) => p.name === 'directors')!.hosts.keys()].sort(), ['lb1', 'lb2'])
  const lab = await prepare('lvs-3rs', { lab: true })
  assert.doesNotMatch(
    rendered(lab, 'lb1', '/etc/keepalived/keepalived.conf').replace(/^#.*\n/gm, ''),
    /virtual_server|lvs_sync_daemon/,
  )
  assert.equal([...rendered(lab, 'lb1', '/etc/keepalived/keepalived.conf.full').matchAll(/real_server /g)].length, 3)
})

test('5-node: dhcpd.conf holds the seed options and one host entry with its MAC per DHCP node', async () => {
  const run = await prepare('5-node')
  const conf = rendered(run, 'debdhcp', '/etc/dhcp/dhcpd.conf')
  for (const line of [
    'ddns-update-style none;',
    'option domain-name "example.org";',
    'option domain-name-servers ns1.example.org, ns2.example.org;',
    'default-lease-time 600;',
    'max-lease-time 7200;',
    'authoritative;',
    'log-facility local7;',
  ])
    assert.ok(conf.split('\n').includes(line), line)
  assert.match(
    conf,
    /subnet 10\.0\.2\.0 netmask 255\.255\.255\.0 \{\n\trange 10\.0\.2\.100 10\.0\.2\.199;\n\toption routers 10\.0\.2\.1;\n\toption broadcast-address 10\.0\.2\.255;\n\}/,
  )
  const hosts = [...conf.matchAll(/host (\S+) \{\n\thardware ethernet (\S+);\n\tfixed-address (\S+);\n\}/g)].map((m) =>
    m.slice(1).join(' '),
  )
  assert.deepEqual(hosts, [
    'cluster 52:54:00:00:02:03 10.0.2.3',
    'empresa1 52:54:00:00:02:04 10.0.2.4',
    'empresa2 52:54:00:00:02:05 10.0.2.5',
    'empresa3 52:54:00:00:02:06 10.0.2.6',
  ])
  assert.doesNotMatch(conf, /host debdhcp/)
  assert.match(rendered(run, 'debdhcp', '/etc/default/isc-dhcp-server'), /^INTERFACESv4="enp0s3"$/m)
  const plan = await task(run, 'debdhcp', 'template /etc/dhcp/dhcpd.conf').plan(fakeHost(absentFile))
  assert.match(plan.changes[0].display ?? '', /validated by: dhcpd -t -q -cf %s/)
  assert.deepEqual(notesOf(run, 'debdhcp'), [])
})

test('5-node: the seed pool over the nodes addresses is warned about on the recap', async () => {
  const run = await prepare('5-node', {
    extraVars: {
      dhcp_server_subnets: [
        { network: '10.0.2.0/24', ranges: [{ start: '10.0.2.3', end: '10.0.2.6' }], routers: ['10.0.2.1'] },
      ],
    },
  })
  assert.ok(
    notesOf(run, 'debdhcp').some((n) =>
      /WARNING 10\.0\.2\.3 \(cluster\) is inside the dynamic range 10\.0\.2\.3–10\.0\.2\.6/.test(n),
    ),
    notesOf(run, 'debdhcp').join('\n'),
  )
})

test('5-node: each DHCP node configures networkd for DHCP, then checks its lease; the lab keeps the gateway off', async () => {
  const run = await prepare('5-node')
  const names = tasksOf(run, 'empresa2', 'dhcp-client').map((t) => t.name)
  assert.deepEqual(names, [
    'service systemd-networkd started, enabled',
    'template /etc/systemd/network/10-enp0s3.network',
    'apply /etc/systemd/network/10-enp0s3.network (restart systemd-networkd)',
    'enp0s3 leased 10.0.2.5 by DHCP',
  ])
  const network = rendered(run, 'empresa2', '/etc/systemd/network/10-enp0s3.network')
  assert.match(network, /^\[Match\]\nName=enp0s3$/m)
  assert.match(network, /^DHCP=ipv4$/m)
  assert.match(network, /^ClientIdentifier=mac$/m)
  assert.match(network, /^UseGateway=yes$/m)
  assert.match(
    rendered(await prepare('5-node', { lab: true }), 'empresa2', '/etc/systemd/network/10-enp0s3.network'),
    /^UseGateway=no$/m,
  )
  assert.ok(!tasksOf(run, 'debdhcp').some((t) => t.name.includes('networkd')))
  // The VIP is on the network, outside the pool, on the real servers' loopback.
  assert.match(
    rendered(run, 'empresa3', '/etc/systemd/system/halab-lvs-vip.service'),
    /ip addr replace 10\.0\.2\.10\/32 dev lo label lo:0/,
  )
  assert.match(
    rendered(run, 'cluster', '/etc/keepalived/keepalived.conf'),
    /real_server 10\.0\.2\.5 80 \{ # empresa2\n[\s\S]*real_server 10\.0\.2\.6 80 \{ # empresa3/,
  )
})

test('dhcp-client: networkd is restarted when the file changed, or when it applies another file', async () => {
  const run = await prepare('5-node')
  const apply = task(run, 'cluster', /^apply /)
  const applied = await apply.plan(
    fakeHost({ 'networkd-link': { networkFile: '/etc/systemd/network/10-halab-enp0s3.network' } }),
  )
  assert.deepEqual(
    applied.changes.map((c) => c.command),
    ['systemctl restart systemd-networkd'],
  )
  assert.match(applied.changes[0].summary, /networkd applies \/etc\/systemd\/network\/10-halab-enp0s3\.network/)
  const noop = await apply.plan(
    fakeHost({ 'networkd-link': { networkFile: '/etc/systemd/network/10-enp0s3.network' } }),
  )
  assert.deepEqual(noop.changes, [])
})

test('dhcp-client: the lease check passes on the inventory address only, and says why otherwise', async () => {
  const run = await prepare('5-node')
  const check = task(run, 'cluster', 'enp0s3 leased 10.0.2.3 by DHCP')
  const ours = { 'networkd-link': { networkFile: '/etc/systemd/network/10-enp0s3.network' } }
  const nic = (mac: string, cidr: string) => ({
    'network-interfaces': [{ name: 'enp0s3', mac, addresses: [{ cidr }] }],
  })
  const ok: Plan = await check.plan(
    fakeHost({
      ...ours,
      ...nic('52:54:00:00:02:03', '10.0.2.3/24'),
      'dhcp-lease': [{ address: '10.0.2.3', prefix: 24 }],
    }),
  )
  assert.match(ok.noop ?? '', /leased 10\.0\.2\.3\/24 for MAC 52:54:00:00:02:03/)
  await assert.rejects(
    check.plan(
      fakeHost({
        ...ours,
        ...nic('52:54:00:00:02:03', '10.0.2.150/24'),
        'dhcp-lease': [{ address: '10.0.2.150', prefix: 24 }],
      }),
    ),
    /leased 10\.0\.2\.150\/24 but the inventory says 10\.0\.2\.3/,
  )
  await assert.rejects(
    check.plan(fakeHost({ ...ours, ...nic('52:54:00:00:02:03', '10.0.2.3/24'), 'dhcp-lease': [] })),
    /leased no address within 20 s \(it has: 10\.0\.2\.3\/24\)/,
  )
  await assert.rejects(
    check.plan(fakeHost({ ...ours, ...nic('52:54:00:aa:bb:cc', '10.0.2.3/24'), 'dhcp-lease': [] })),
    /has MAC 52:54:00:aa:bb:cc but the inventory says 52:54:00:00:02:03/,
  )
  await assert.rejects(
    check.plan(fakeHost({ 'networkd-link': { networkFile: '/etc/systemd/network/05-other.network' } })),
    /networkd applies \/etc\/systemd\/network\/05-other\.network to enp0s3/,
  )
  assert.deepEqual(
    parseDynamic(
      '2: enp0s3    inet 10.0.2.3/24 metric 1024 brd 10.0.2.255 scope global dynamic enp0s3\\       valid_lft 599sec preferred_lft 599sec\n2: enp0s3    inet 10.0.2.9/24 brd 10.0.2.255 scope global enp0s3\\       valid_lft forever preferred_lft forever',
    ),
    [{ address: '10.0.2.3', prefix: 24 }],
  )
})

test('an auth_pass longer than 8 characters is an input error naming the host and field, never the secret', async () => {
  process.env.KEEPALIVED_AUTH_PASS = 'nine-char'
  try {
    await assert.rejects(prepare('4-node'), (e: unknown) => {
      assert.ok(e instanceof InventoryError)
      const text = e.render()
      assert.match(
        text,
        /hosts supermente, zerg, field keepalived_vrrp_instances\.0\.auth_pass: keepalived: VRRP PASS authentication carries at most 8 characters/,
        'one line for both directors: the same variable from group_vars/all',
      )
      assert.ok(!text.includes('nine-char'))
      return true
    })
  } finally {
    process.env.KEEPALIVED_AUTH_PASS = 'vrrp8chr'
  }
})

test('a DHCP node without mac (or with an unquoted one) is an input error naming the host and field', async () => {
  const dir = inventoryCopy('5-node', (d) => {
    const hosts = join(d, 'hosts.yml')
    writeFileSync(
      hosts,
      readFileSync(hosts, 'utf8')
        .replace(', mac: "52:54:00:00:02:05"', '')
        .replace('mac: "52:54:00:00:02:06"', 'mac: 52:54:00:00:02:06'),
    )
  })
  await assert.rejects(prepare(dir), (e: unknown) => {
    assert.ok(e instanceof InventoryError)
    const text = e.render()
    assert.match(
      text,
      /hosts\.yml[^\n]*, host empresa2, field interfaces\.0\.mac: dhcp-client: enp0s3 has dhcp: true but no mac/,
    )
    assert.match(text, /host empresa3, field interfaces\.0\.mac: dhcp-client: quote the MAC address/)
    assert.match(text, /host debdhcp: dhcp-server: host empresa2, field interfaces\[0\]\.mac/)
    return true
  })
})

test('directors that disagree on advert_int (the seed: 1 and 3) are an input error: both would hold the VIP', async () => {
  const dir = inventoryCopy('4-node', (d) =>
    writeFileSync(
      join(d, 'host_vars', 'supermente.yml'),
      'keepalived_router_id: LVS2\nkeepalived_state: BACKUP\nkeepalived_priority: 100\nkeepalived_advert_int: 3\n',
    ),
  )
  await assert.rejects(prepare(dir), (e: unknown) => {
    assert.ok(e instanceof InventoryError)
    assert.match(
      e.render(),
      /host supermente: keepalived: vrrp_instance VI_1 has advert_int 3 on supermente but 1 on zerg/,
    )
    assert.doesNotMatch(e.render(), /host zerg/)
    return true
  })
})

test('a director without state or priority is told where to set them', async () => {
  const dir = inventoryCopy('lvs-3rs', (d) =>
    writeFileSync(join(d, 'host_vars', 'lb2.yml'), 'keepalived_router_id: LB2\n'),
  )
  await assert.rejects(
    prepare(dir),
    (e: unknown) =>
      e instanceof InventoryError &&
      /host lb2, field keepalived_state[\s\S]*host lb2, field keepalived_priority/.test(e.render()),
  )
})
