// The 6-node cluster of seed 002 from one `lab site --load 5` (its own .env; every host a
// real-kernel guest, as its roles need: RAID 6 and nfsd on the NAS, NFS mounts on the
// servers, IPVS on the directors; its verify pass also runs the load), then on those
// user-mode-linux hosts: the NAS builds a RAID 6 over
// its five disks, formats, mounts and exports it; the three web servers mount the share and
// serve the seed's date/server page from it; the directors' Pacemaker cluster runs both
// VIPs and ldirectord as one group, and requests through the external VIP alternate over
// the servers (LVS-NAT). Then a second site changes nothing (the CIB included), a file
// written through one server is read on the others and on the NAS; lab site's verify ran the
// seed's four tests (a director powered off, two servers down, ldirectord killed up to the
// migration threshold), the NAS's failed-disk check and the load beside the seed's figures,
// all passing; one disk of the array fails (mdadm --fail) and a real rerun of site leaves
// the degraded array alone while the share is still served, and a server powered off by
// `lab stop --hard` comes back with `lab start`, mounts the share from its fstab and serves
// its page again. Needs root.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parse, stringify } from 'yaml'
import { readState } from '../../src/lab/state.ts'
import { httpGet, servingNode } from '../../src/verify/http.ts'
import { REPO, runCli, type CliResult } from '../helpers/cli.ts'
import {
  assertLabSiteRan,
  explain,
  lab,
  labSkip,
  onHost,
  realKernelSlow,
  recapLine,
  useLabSite,
  verifyTallies,
  waitOn,
} from '../helpers/lab.ts'

const SERVERS = ['server1', 'server2', 'server3']
const ALL = ['master', 'standby', 'nas', ...SERVERS]
const outputs: string[] = []
const VIP = '192.168.1.200'

/** Which director runs the group, from crm_mon on master. */
async function activeDirector(): Promise<string> {
  const out = await waitOn(
    'master',
    'crm_mon -1 2>&1',
    /ldirectord\s+\(ocf:heartbeat:ldirectord\):\s+Started (master|standby)/,
    180,
  )
  return /ldirectord\s+\(ocf:heartbeat:ldirectord\):\s+Started (\S+)/.exec(out)![1]
}

/** The serving node of `n` requests through the VIP, in order. */
async function throughVip(n: number): Promise<string[]> {
  const seen: string[] = []
  for (let i = 0; i < n; i++) seen.push(servingNode((await httpGet(`http://${VIP}/`, 5000)).body) ?? '?')
  return seen
}
const THRESHOLD = 3
/**
 * The inventory's Pacemaker resources with ldirectord's migration threshold lowered from the seed's 10 to 3, as a
 * vars file read after the inventory's own: each kill costs ~30 s on a lab guest (a 15 s monitor, then a 10–14 s
 * start), so the same check, with the same moves, ends 3.5 min sooner.
 */
function lowerMigrationThreshold(): Record<string, string> {
  const main = parse(readFileSync(join(REPO, 'inventory/6-node/group_vars/all/main.yml'), 'utf8'))
  const primitives = (main.pacemaker_primitives as { meta?: Record<string, unknown> }[]).map((p) =>
    p.meta?.['migration-threshold'] ? { ...p, meta: { ...p.meta, 'migration-threshold': THRESHOLD } } : p,
  )
  return { 'group_vars/all/zz-e2e-threshold.yml': stringify({ pacemaker_primitives: primitives }) }
}
const arrayUuid = (nas: string): string => /UUID : (\S+)/.exec(nas)?.[1] ?? ''

// About 11 min where one guest boots in ~5 s; over an hour where guests run ~7x slower.
describe('6-node from lab site: RAID 6 on the NAS, served over NFS', { skip: labSkip || realKernelSlow() }, () => {
  // verify --load in lab site's own verify pass: the seed's four tests and the load, once.
  const labSite = useLabSite('6-node', lowerMigrationThreshold(), ['--load', '5'])
  const INV = labSite.dir
  const cli = async (...args: string[]): Promise<CliResult> => {
    const r = await runCli([...args, '-i', INV])
    outputs.push(r.stdout, r.stderr)
    return r
  }
  const file = `raid-e2e-${process.pid}`
  let uuid = ''

  it('lab up started six guests with their own kernels; the NAS has its five disks', async (t) => {
    const state = readState()
    for (const h of state?.hosts ?? [])
      t.diagnostic(
        `${h.name}: ${h.kernel} guest, ssh ${h.bootSeconds?.toFixed(1)} s after start (lab up ${state?.upSeconds?.toFixed(1)} s)`,
      )
    assert.deepEqual(state?.hosts.map((h) => [h.name, h.kernel]).sort(), ALL.map((n) => [n, 'uml']).sort())
    assert.match(
      await onHost('nas', 'for d in b c d e f; do readlink /dev/sd${d}1; done | tr "\\n" " "'),
      /^ubdc ubdd ubde ubdf ubdg $/,
    )
  })

  it('lab site converges: the array is created, formatted, mounted and exported; the servers mount it', async (t) => {
    const r = labSite.result
    outputs.push(r.stdout, r.stderr)
    assertLabSiteRan(r, t)
    assert.doesNotMatch(r.stdout, /configuration only/)
    for (const tally of verifyTallies(r.stdout)) assert.deepEqual(tally.slice(1), [0, 0], explain(r))
    for (const h of ALL) assert.match(recapLine(r, h), /failed=0 .*unreachable=0/)
    assert.match(
      r.stdout,
      /\[nas\] mdadm \| RAID 6 \/dev\/md0: changed \(create RAID 6 \/dev\/md0 over \/dev\/sdb1, .*\/dev\/sdf1/,
    )
    assert.match(r.stdout, /\[nas\] mdadm \| ext4 on \/dev\/md0: changed/)
    const nas = await onHost(
      'nas',
      'cat /proc/mdstat; mdadm --detail /dev/md0; grep "^ARRAY /dev/md0 " /etc/mdadm/mdadm.conf; grep " /mnt/raid " /proc/mounts; exportfs -v',
    )
    assert.match(nas, /md0 : active raid6 (sd[b-f]1\[\d\] ?){5}|md0 : active raid6( \S+\[\d\]){5}/)
    assert.match(nas, /^ARRAY \/dev\/md0 .*UUID=/m)
    assert.match(nas, /^\/dev\/md0 \/mnt\/raid ext4 /m)
    assert.match(nas, /\/mnt\/raid\s+10\.0\.10\.0\/24\(.*no_root_squash/)
    uuid = arrayUuid(nas)
    assert.ok(uuid, nas)
    for (const s of SERVERS)
      assert.match(
        await onHost(s, 'grep " /mnt/raid " /proc/mounts; grep " /mnt/raid " /etc/fstab'),
        /^nas:\/mnt\/raid \/mnt\/raid nfs4? [\s\S]*^nas:\/mnt\/raid \/mnt\/raid nfs auto,_netdev 0 0$/m,
      )
  })

  it('a second site changes nothing on any host', async () => {
    const r = await cli('site')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    for (const h of ALL) assert.match(recapLine(r, h), /changed=0 failed=0/, r.stdout)
  })

  it('a file written through one server is read on the others and on the NAS', async () => {
    await onHost('server1', `echo written-by-server1 > /mnt/raid/${file} && sync`)
    for (const h of ['server2', 'server3'])
      assert.equal(await onHost(h, `cat /mnt/raid/${file}`), 'written-by-server1\n')
    assert.equal(await onHost('nas', `cat /mnt/raid/${file}`), 'written-by-server1\n')
  })

  it('the directors run one Pacemaker group: both VIPs and ldirectord with the three real servers (masq, rr)', async (t) => {
    const active = await activeDirector()
    t.diagnostic(`group lvs started on ${active}`)
    const out = await onHost(
      active,
      'ip -o -4 addr show; ipvsadm -Ln; crm configure show lvs-start-order; crm_attribute --type crm_config --name stonith-enabled --query --quiet',
    )
    assert.match(out, /inet 192\.168\.1\.200\/24 .*ens3/)
    assert.match(out, /inet 10\.0\.10\.200\/24 .*ens4/)
    assert.match(out, /TCP\s+192\.168\.1\.200:80 rr/)
    for (const a of ['10.0.10.110', '10.0.10.111', '10.0.10.112'])
      assert.match(out, new RegExp(`-> ${a.replace(/\./g, '\\.')}:80\\s+Masq\\s+1`))
    assert.match(out, /order lvs-start-order Mandatory: ip1 ip2 ldirectord/)
    assert.match(out, /^false$/m)
    const other = active === 'master' ? 'standby' : 'master'
    assert.doesNotMatch(
      await onHost(other, 'ip -o -4 addr show'),
      /192\.168\.1\.200/,
      'the VIP is on one director only',
    )
  })

  it("requests through the external VIP alternate over the three servers (LVS-NAT), with the seed's page from the share", async () => {
    const seen = await throughVip(6)
    assert.deepEqual([...new Set(seen)].sort(), SERVERS, `served by: ${seen.join(', ')}`)
    // rr: each server once in every three consecutive requests
    assert.equal(new Set(seen.slice(0, 3)).size, 3, `served by: ${seen.join(', ')}`)
    const page = (await httpGet(`http://${VIP}/index.php`, 5000)).body
    assert.match(
      page,
      /Hoy es <span id="date">\d\d\/\d\d\/\d{4}<\/span> son las <span id="time">\d\d:\d\d:\d\d<\/span>/,
    )
    const node = servingNode(page)!
    assert.match(
      page,
      new RegExp(`Soy el servidor <strong id="address">10\\.0\\.10\\.11${SERVERS.indexOf(node)}</strong>`),
    )
    assert.match(
      await onHost('server1', 'findmnt -n -o SOURCE --target /mnt/raid/www/index.php'),
      /^nas:\/mnt\/raid$/m,
      'the page lives on the share',
    )
  })

  it("verify --load: the seed's four tests and the NAS's failed disk pass, none not run; load beside the seed's figures", async (t) => {
    const r = labSite.result
    for (const line of r.stdout.slice(r.stdout.indexOf('VERIFY')).trim().split('\n')) t.diagnostic(line)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const tallies = [...r.stdout.matchAll(/^checks: (\d+) pass, (\d+) fail, (\d+) not run$/gm)].map((m) =>
      m.slice(1).map(Number),
    )
    assert.deepEqual(
      tallies,
      [
        [3, 0, 0],
        [8, 0, 0],
      ],
      r.stdout,
    )
    assert.match(
      r.stdout,
      /the active director powered off → the other serves the VIP\s+pass .*(master|standby) off: group on (standby|master) after/,
    )
    assert.match(
      r.stdout,
      /every real server down but one → only that one answers\s+pass .*6 requests all answered by server2/,
    )
    assert.match(
      r.stdout,
      /until its migration threshold → the group moves\s+pass .*fail count 3 of 3 \(migration-threshold\)/,
    )
    assert.match(
      r.stdout,
      /survives a failed disk .*\s+pass .*nothing to change, "\/dev\/md0 is degraded" said; \/dev\/sdf1 back in, rebuilt/,
    )
    assert.match(r.stdout, /^1\s+\d+ req\/s\s+5516 req\/s\s+1344 trans\/s$/m)
    assert.match(r.stdout, /^2\s+\d+ req\/s\s+6310 req\/s\s+2539 trans\/s$/m)
    // What verify took away is back: both directors online, the array whole, every server in service.
    assert.match(await waitOn('master', 'crm_mon -1 2>&1', /Online: \[ master standby \]/, 60), /Online/)
    assert.match(await onHost('nas', 'mdadm --detail /dev/md0'), /Active Devices : 5/)
    assert.deepEqual([...new Set(await throughVip(6))].sort(), SERVERS)
  })

  it('with one disk failed, a rerun leaves the degraded array alone and the share is still served', async () => {
    await onHost('nas', 'mdadm /dev/md0 --fail /dev/sdd1')
    await waitOn('nas', 'mdadm --detail /dev/md0', /State : .*degraded/, 30)
    const r = await cli('site')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(recapLine(r, 'nas'), /changed=0 failed=0/, r.stdout)
    assert.match(r.stdout, /\/dev\/md0 is degraded \(.*4 of 5 devices active\): halab leaves it as it is/)
    const nas = await onHost('nas', 'mdadm --detail /dev/md0')
    assert.equal(arrayUuid(nas), uuid, 'the array was not re-created')
    // mdadm names members by their kernel names: /dev/sdd1 is the lab's link to a ubd disk.
    const failed = (await onHost('nas', 'readlink -f /dev/sdd1')).trim()
    assert.match(
      nas,
      new RegExp(`faulty\\s+${failed}$`, 'm'),
      'the failed disk is still in the array, faulty: not removed, not re-added',
    )
    assert.equal(await onHost('server2', `cat /mnt/raid/${file}`), 'written-by-server1\n')
  })

  it('a server powered off (lab stop --hard) and on again (lab start) mounts the share from its fstab', async (t) => {
    const stop = await lab('stop', 'server1', '--hard')
    assert.equal(stop.code, 0, stop.stderr)
    assert.notEqual((await lab('exec', 'server1', '--', 'true')).code, 0, 'server1 still answers')
    assert.equal(await onHost('server3', `cat /mnt/raid/${file}`), 'written-by-server1\n', 'the others keep the share')
    const start = await lab('start', 'server1')
    assert.equal(start.code, 0, start.stderr)
    t.diagnostic(start.stdout.trim())
    await waitOn('server1', `cat /mnt/raid/${file} 2>&1`, /^written-by-server1$/m, 60)
    // Apache waited for the share (RequiresMountsFor) and serves the page from it again.
    await waitOn('server1', 'systemctl is-active apache2', /^active$/m, 60)
    assert.equal(servingNode((await httpGet('http://10.0.10.110/', 5000)).body), 'server1')
  })

  it('no secret of the .env lab site wrote (the corosync key) reached any output', () => {
    assert.ok(labSite.secrets.length >= 1, 'lab site wrote the secrets')
    for (const o of outputs)
      for (const s of labSite.secrets) assert.equal(o.includes(s), false, `secret in output:\n${o}`)
  })
})
