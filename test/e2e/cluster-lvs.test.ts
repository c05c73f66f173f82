// Issue 5's acceptance for what exists so far, live in the lab, on the 4-node and
// 5-node seeds and a third inventory with other names, subnets, interface names and
// three real servers: site converges → second site changed=0 → a drift in
// keepalived.conf is all that --check reports → --roles keepalived reruns only it →
// verify passes every check this kernel allows and lists the rest as not run.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runCli, type CliResult } from '../helpers/cli.ts'
import { labSkip, onHost, recapLine, useLab } from '../helpers/lab.ts'

const SECRETS = { KEEPALIVED_AUTH_PASS: 'vrrp4e2e', DRBD_SECRET: 'drbd-e2e-lvs', POSTGRES_PASSWORD: 'pg-e2e-lvs' }
const outputs: string[] = []
const cli = async (...args: string[]): Promise<CliResult> => {
  const r = await runCli(args, { env: SECRETS })
  outputs.push(r.stdout, r.stderr)
  return r
}

const TOPOLOGIES = [
  { name: '4-node', master: 'zerg', backup: 'supermente', realServers: ['protoss', 'terran'], dhcp: [] as string[] },
  { name: '5-node', master: 'cluster', backup: 'empresa1', realServers: ['empresa2', 'empresa3'], dhcp: ['cluster', 'empresa1', 'empresa2', 'empresa3'] },
  { name: 'lvs-3rs', master: 'lb1', backup: 'lb2', realServers: ['web1', 'web2', 'web3'], dhcp: [] as string[] },
]

for (const t of TOPOLOGIES) {
  describe(`${t.name}: LVS directors and real servers in the lab`, { skip: labSkip }, () => {
    const inv = `inventory/${t.name}`
    const all = [t.master, t.backup, ...t.realServers]
    useLab(inv)

    it('site converges with no failure, and the recap says what is configuration only', async () => {
      const r = await cli('site', '-i', inv)
      assert.equal(r.code, 0, r.stdout + r.stderr)
      for (const h of all) assert.match(recapLine(r, h), /failed=0 .*unreachable=0/)
      assert.match(r.stdout, /note: keepalived: VRRP only \(kernel lacks ip_vs\)/)
    })

    it('a second site changes nothing on any host', async () => {
      const r = await cli('site', '-i', inv)
      assert.equal(r.code, 0, r.stdout + r.stderr)
      for (const h of all) assert.match(recapLine(r, h), /changed=0 failed=0/, r.stdout)
    })

    it('--check after a hand-made drift in keepalived.conf reports only that', async () => {
      await onHost(t.master, "sed -i 's/priority [0-9]*/priority 99/' /etc/keepalived/keepalived.conf")
      const r = await cli('site', '-i', inv, '--check')
      assert.equal(r.code, 0, r.stderr)
      const changed = r.stdout.split('\n').filter((l) => /: changed \(/.test(l)).map((l) => l.replace(/ \(.*$/, ''))
      assert.deepEqual(changed, [`[${t.master}] keepalived | template /etc/keepalived/keepalived.conf: changed`, `[${t.master}] keepalived | handler: service keepalived reloaded: changed`], r.stdout)
      assert.match(await onHost(t.master, 'grep -c "priority 99" /etc/keepalived/keepalived.conf'), /^1$/m, '--check changed nothing')
    })

    it('--roles keepalived reruns only it, and restores the drift', async () => {
      const r = await cli('site', '-i', inv, '--roles', 'keepalived')
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.deepEqual([...new Set([...r.stdout.matchAll(/^\[[^\]]+\] (\S+) \|/gm)].map((m) => m[1]))], ['keepalived'])
      assert.match(recapLine(r, t.master), /changed=2 /)
      assert.doesNotMatch(await onHost(t.master, 'cat /etc/keepalived/keepalived.conf'), /priority 99/)
    })

    it('verify passes every check this kernel allows and lists the others as not run, with the reason', async () => {
      const r = await cli('verify', '-i', inv)
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, new RegExp(`stop keepalived on ${t.master} → VIP moves to ${t.backup}\\s+pass`))
      assert.match(r.stdout, new RegExp(`start keepalived on ${t.master} → VIP returns\\s+pass`))
      for (const rs of t.realServers) assert.match(r.stdout, new RegExp(`${rs} serves its own page\\s+pass`))
      assert.match(r.stdout, /requests through the VIP are spread by weight\s+not run .*kernel lacks ip_vs/)
      for (const h of t.dhcp) assert.match(r.stdout, new RegExp(`${h} leased [0-9.]+ from debdhcp\\s+pass`))
      assert.doesNotMatch(r.stdout, /FAIL/)
    })

    it('no secret reached any output', () => {
      for (const o of outputs) for (const s of Object.values(SECRETS)) assert.equal(o.includes(s), false, `secret in output:\n${o}`)
    })
  })
}
