// Issue 4's acceptance, live in the lab, for both 2-node variants: lab up → site
// converges → second site changed=0 → a hand-edited ha.cf is reported by --check (and
// left alone), shown by --diff, restored by site with one heartbeat restart → --roles
// reruns one role → verify passes every live check → lab down.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runCli, type CliResult } from '../helpers/cli.ts'
import { labSkip, onHost, recapLine, useLab } from '../helpers/lab.ts'

// Tests bring their own secrets (the environment wins over any .env).
const SECRETS = { HEARTBEAT_SECRET: 'hb-e2e-Secret-42', DRBD_SECRET: 'drbd-e2e-Secret-43' }
const outputs: string[] = []
const site = async (inv: string, ...args: string[]): Promise<CliResult> => {
  const r = await runCli(['site', '-i', inv, ...args], { env: SECRETS })
  outputs.push(r.stdout, r.stderr)
  return r
}

const TOPOLOGIES = [
  { name: '2-node-web', nodes: ['master-cluster', 'slave-cluster'], drbd: false },
  { name: '2-node', nodes: ['nodo1', 'nodo2'], drbd: true },
]

for (const t of TOPOLOGIES) {
  describe(`${t.name}: heartbeat pair in the lab`, { skip: labSkip }, () => {
    const inv = `inventory/${t.name}`
    const [first, second] = t.nodes
    useLab(inv)

    it('site converges with no failure', async () => {
      const r = await site(inv)
      assert.equal(r.code, 0, r.stdout + r.stderr)
      for (const n of t.nodes) assert.match(recapLine(r, n), /failed=0 .*unreachable=0/)
      // Heartbeat was started by this run: its restart handler (ha.cf changed) has nothing to do.
      assert.match(r.stdout, new RegExp(`\\[${first}\\] heartbeat \\| handler: service heartbeat restarted: ok`))
      if (t.drbd) {
        assert.match(r.stdout, /note: drbd: configuration only \(kernel lacks drbd\)/)
        assert.match(r.stdout, /note: heartbeat: drbddisk and Filesystem left out of haresources/)
        assert.match(
          await onHost(first, 'drbdadm dump r0'),
          /address\s+ipv4 192\.168\.0\.28:7793/,
          'the DRBD configuration is valid for drbdadm',
        )
      }
      assert.match(
        await onHost(second, 'systemctl is-enabled apache2 || true'),
        /disabled/,
        'heartbeat starts Apache, not the boot',
      )
    })

    it('a second site changes nothing on any host', async () => {
      const r = await site(inv)
      assert.equal(r.code, 0)
      for (const n of t.nodes) assert.match(recapLine(r, n), /changed=0 failed=0/)
    })

    it('a hand-edited ha.cf: --check reports exactly it and leaves it, --diff shows it, site restores it with one heartbeat restart', async () => {
      await onHost(second, "sed -i 's/^keepalive .*/keepalive 9/' /etc/ha.d/ha.cf")
      const edited = await onHost(second, 'sha256sum /etc/ha.d/ha.cf')
      const check = await site(inv, '--check', '--diff')
      assert.equal(check.code, 0, check.stderr)
      const changedLines = check.stdout.split('\n').filter((l) => /: changed \(/.test(l))
      assert.deepEqual(
        changedLines.map((l) => l.replace(/ \(.*$/, '')),
        [
          `[${second}] heartbeat | template /etc/ha.d/ha.cf: changed`,
          `[${second}] heartbeat | handler: service heartbeat restarted: changed`,
        ],
        check.stdout,
      )
      assert.match(check.stdout, /-keepalive 9\n\s*\+keepalive 2/)
      assert.equal(await onHost(second, 'sha256sum /etc/ha.d/ha.cf'), edited, '--check left the file as it was')
      const pid = (await onHost(second, 'pidof -s heartbeat || true')).trim()
      const fix = await site(inv)
      assert.equal(fix.code, 0)
      assert.match(recapLine(fix, second), /changed=2 /)
      assert.match(recapLine(fix, first), /changed=0 /)
      assert.equal(fix.stdout.match(/handler: service heartbeat restarted: changed/g)?.length, 1)
      assert.match(await onHost(second, 'cat /etc/ha.d/ha.cf'), /^keepalive 2$/m)
      assert.notEqual((await onHost(second, 'pidof -s heartbeat || true')).trim(), pid, 'heartbeat was restarted')
    })

    it('--roles apache-php reruns only that role', async () => {
      const r = await site(inv, '--roles', 'apache-php')
      assert.equal(r.code, 0)
      const roles = new Set([...r.stdout.matchAll(/^\[[^\]]+\] (\S+) \|/gm)].map((m) => m[1]))
      assert.deepEqual([...roles], ['apache-php'])
    })

    it('verify passes every live check (failover timed, failback, pages)', async () => {
      const r = await runCli(['verify', '-i', inv], { env: SECRETS })
      outputs.push(r.stdout, r.stderr)
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, new RegExp(`stop heartbeat on ${first} → VIP moves to ${second}\\s+pass`))
      assert.match(r.stdout, new RegExp(`start heartbeat on ${first} → VIP fails back\\s+pass`))
      assert.match(r.stdout, /checks: 6 pass, 0 fail/)
      if (t.drbd) assert.match(r.stdout, /DRBD: the file is on nodo2 after failover\s+not run .*kernel lacks drbd/)
    })

    it('no secret reached any output', () => {
      for (const o of outputs)
        for (const s of Object.values(SECRETS)) assert.equal(o.includes(s), false, `secret in output:\n${o}`)
    })
  })
}
