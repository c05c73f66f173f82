// Both 2-node heartbeat labs, live, each from one `lab site` as a user runs it (its own .env
// of random secrets; each host on the kernel its roles need, so 2-node's DRBD nodes are
// real-kernel guests): site converges and verify passes, DRBD made once (metadata on both,
// first bring-up on nodo1 only) → r0 Connected/UpToDate, heartbeat mounts /dev/drbd0 on
// nodo1 → a second site changes nothing (no create-md, overwrite or mkfs; same filesystem) →
// a hand-edited ha.cf is reported by --check and left, shown by --diff, restored by site with
// one heartbeat restart → --roles reruns one role → verify again: failover and failback
// timed, the file written before failover read on nodo2 after it → no secret in any output →
// lab down leaves nothing. Where real-kernel guests are too slow (helpers/lab.ts), every
// host is a container and DRBD is configuration only. Needs root.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { describe, it } from 'node:test'
import { readState } from '../../src/lab/state.ts'
import { runCli, type CliResult } from '../helpers/cli.ts'
import {
  assertLabSiteRan,
  explain,
  lab,
  labSkip,
  onHost,
  recapLine,
  useLabSite,
  verifyTallies,
  waitOn,
} from '../helpers/lab.ts'

const TOPOLOGIES = [
  { name: '2-node-web', nodes: ['master-cluster', 'slave-cluster'], drbd: false },
  { name: '2-node', nodes: ['nodo1', 'nodo2'], drbd: true },
]

for (const t of TOPOLOGIES) {
  describe(`${t.name}: heartbeat pair in the lab, from lab site`, { skip: labSkip }, () => {
    const labSite = useLabSite(t.name)
    const inv = labSite.dir
    const drbdLive = t.drbd && labSite.live
    const [first, second] = t.nodes
    const outputs: string[] = []
    const cli = async (...args: string[]): Promise<CliResult> => {
      const r = await runCli([...args, '-i', inv])
      outputs.push(r.stdout, r.stderr)
      return r
    }
    const file = `e2e-${process.pid}`
    let uuid = ''

    it('lab site: every phase timed, site converged, verify passed; DRBD made once where it runs', async (tc) => {
      const r = labSite.result
      outputs.push(r.stdout, r.stderr)
      assertLabSiteRan(r, tc)
      for (const n of t.nodes) assert.match(recapLine(r, n), /failed=0 .*unreachable=0/)
      // Heartbeat was started by this run: its restart handler (ha.cf changed) has nothing to do.
      assert.match(r.stdout, new RegExp(`\\[${first}\\] heartbeat \\| handler: service heartbeat restarted: ok`))
      assert.match(await onHost(second, 'systemctl is-enabled apache2 || true'), /disabled/, 'heartbeat starts Apache')
      const kernels = readState()?.hosts.map((h) => h.kernel)
      assert.deepEqual(
        kernels,
        t.nodes.map(() => (drbdLive ? 'uml' : 'nspawn')),
      )
      if (!t.drbd) return assert.deepEqual(verifyTallies(r.stdout), [[6, 0, 0]], explain(r))
      if (!drbdLive) {
        assert.match(r.stdout, /note: drbd: configuration only \(kernel lacks drbd\)/)
        assert.match(await onHost(first, 'drbdadm dump r0'), /address\s+ipv4 192\.168\.0\.28:7793/)
        return
      }
      for (const n of t.nodes)
        assert.match(r.stdout, new RegExp(`\\[${n}\\] drbd \\| drbd r0 metadata: changed \\(create DRBD metadata`))
      assert.match(
        r.stdout,
        /\[nodo1\] drbd \| drbd r0 first bring-up: changed \(first bring-up of r0: nodo1 overwrites nodo2 \(both Inconsistent, no filesystem on \/dev\/sda6\), mkfs\.ext4 \/dev\/drbd0, back to Secondary\)/,
      )
      assert.match(r.stdout, /\[nodo2\] drbd \| drbd r0 first bring-up: skipped \(nodo1 is r0's initial_primary\)/)
      assert.doesNotMatch(r.stdout, /configuration only|left out of haresources/)
      assert.deepEqual(verifyTallies(r.stdout), [[8, 0, 0]], explain(r))
    })

    it('graph --live: both nodes up, the VIP held by the preferred node now', async () => {
      const vip = t.name === '2-node' ? '192.168.0.29' : '172.23.19.48'
      const r = await cli('graph', '--live', '--format', 'text')
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, new RegExp(`^Live: ${t.nodes.length} up$`, 'm'), 'no host down')
      const held = new RegExp(
        `^ {2}${vip.replace(/\./g, '\\.')}(?:/\\d+)? \\(heartbeat\\).*\\n(?: {4}.*\\n)* {4}now held by: ${first}$`,
        'm',
      )
      assert.match(r.stdout, held)
    })

    it(
      'r0 is Connected/UpToDate on both and heartbeat mounts /dev/drbd0 on /srv/data on nodo1',
      { skip: !drbdLive },
      async () => {
        for (const n of t.nodes) await waitOn(n, 'cat /proc/drbd', /cs:Connected .*ds:UpToDate\/UpToDate/, 120)
        // initdead (120 s) bounds how long heartbeat may take to acquire its resources.
        await waitOn('nodo1', 'grep " /srv/data " /proc/mounts', /^\/dev\/drbd0 \/srv\/data ext4 /, 180)
        assert.match(await onHost('nodo1', 'cat /proc/drbd'), /ro:Primary\/Secondary/)
        assert.doesNotMatch(await onHost('nodo2', 'grep " /srv/data " /proc/mounts || true'), /drbd0/)
        uuid = (await onHost('nodo1', 'blkid -o value -s UUID /dev/drbd0')).trim()
        assert.match(uuid, /^[0-9a-f-]{36}$/)
        await onHost('nodo1', `echo ${file} > /srv/data/${file}.txt && sync`)
      },
    )

    it('a second site changes nothing on any host: no create-md, overwrite or mkfs', async () => {
      const r = await cli('site')
      assert.equal(r.code, 0, r.stdout + r.stderr)
      for (const n of t.nodes) assert.match(recapLine(r, n), /changed=0 failed=0/)
      assert.doesNotMatch(r.stdout, /create DRBD metadata|overwrites|mkfs/)
      if (!drbdLive) return
      assert.equal((await onHost('nodo1', `cat /srv/data/${file}.txt`)).trim(), file)
      assert.equal((await onHost('nodo1', 'blkid -o value -s UUID /dev/drbd0')).trim(), uuid, 'never formatted again')
    })

    it('a hand-edited ha.cf: --check reports exactly it and leaves it, --diff shows it, site restores it with one heartbeat restart', async () => {
      await onHost(second, "sed -i 's/^keepalive .*/keepalive 9/' /etc/ha.d/ha.cf")
      const edited = await onHost(second, 'sha256sum /etc/ha.d/ha.cf')
      const check = await cli('site', '--check', '--diff')
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
      const fix = await cli('site')
      assert.equal(fix.code, 0)
      assert.match(recapLine(fix, second), /changed=2 /)
      assert.match(recapLine(fix, first), /changed=0 /)
      assert.equal(fix.stdout.match(/handler: service heartbeat restarted: changed/g)?.length, 1)
      assert.match(await onHost(second, 'cat /etc/ha.d/ha.cf'), /^keepalive 2$/m)
      assert.notEqual((await onHost(second, 'pidof -s heartbeat || true')).trim(), pid, 'heartbeat was restarted')
    })

    it('--roles apache-php reruns only that role', async () => {
      const r = await cli('site', '--roles', 'apache-php')
      assert.equal(r.code, 0)
      const roles = new Set([...r.stdout.matchAll(/^\[[^\]]+\] (\S+) \|/gm)].map((m) => m[1]))
      assert.deepEqual([...roles], ['apache-php'])
    })

    it('verify again: failover timed, failback, pages; DRBD: the file written before failover is on nodo2 after it', async () => {
      const r = await cli('verify')
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, new RegExp(`stop heartbeat on ${first} → VIP moves to ${second}\\s+pass`))
      assert.match(r.stdout, new RegExp(`start heartbeat on ${first} → VIP fails back\\s+pass`))
      if (!drbdLive) {
        assert.match(r.stdout, /checks: 6 pass, 0 fail/)
        if (t.drbd) assert.match(r.stdout, /DRBD: the file is on nodo2 after failover\s+not run .*kernel lacks drbd/)
        return
      }
      assert.match(r.stdout, /DRBD: a file written on nodo1 before failover\s+pass/)
      assert.match(r.stdout, /DRBD: the file is on nodo2 after failover\s+pass\s.*same content/)
      assert.deepEqual(verifyTallies(r.stdout), [[8, 0, 0]], explain(r))
      // Failed back: nodo1 holds the data again, and it is the same filesystem.
      await waitOn('nodo1', 'grep " /srv/data " /proc/mounts', /^\/dev\/drbd0 /, 60)
      assert.equal((await onHost('nodo1', `cat /srv/data/${file}.txt`)).trim(), file)
      assert.equal((await onHost('nodo1', 'blkid -o value -s UUID /dev/drbd0')).trim(), uuid)
    })

    it('no secret of the .env lab site wrote reached any output', () => {
      assert.ok(labSite.secrets.length >= (t.drbd ? 2 : 1), 'lab site wrote the secrets')
      for (const o of outputs)
        for (const s of labSite.secrets) assert.equal(o.includes(s), false, `secret in output:\n${o}`)
    })

    it('lab down leaves no host, guest, tap, COW file or mconsole socket', async () => {
      const down = await lab('down')
      assert.equal(down.code, 0, down.stdout + down.stderr)
      const procs = readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('uml_dir=/var/lib/halab/lab/')
          } catch {
            return false
          }
        })
      assert.deepEqual(procs, [], 'no user-mode-linux process is left')
      assert.equal(existsSync('/var/lib/halab/lab/hosts'), false, 'host directories (root, disks, sockets) are gone')
      assert.doesNotMatch(readdirSync('/sys/class/net').join(' '), /halab-/)
      assert.match((await lab('status')).stdout, /^no lab is up$/m)
    })
  })
}
