// The 2-node heartbeat + DRBD cluster on user-mode-linux lab hosts, where DRBD runs for real
// (issue 6, 2-node part; issue 4's DRBD bring-up): lab up --kernel uml → site converges with
// r0 Connected/UpToDate and heartbeat mounting /dev/drbd0 on nodo1 → a file written there →
// a second site changes nothing and repeats no create-md, overwrite or mkfs (same filesystem
// UUID, file still there) → verify passes, the DRBD failover checks included → lab down
// leaves nothing. Needs root (skipped with the reason otherwise; with CI=true it runs).
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { describe, it } from 'node:test'
import { readState } from '../../src/lab/state.ts'
import { runCli, type CliResult } from '../helpers/cli.ts'
import { lab, labSkip, onHost, recapLine, useLab, waitOn } from '../helpers/lab.ts'

const SECRETS = { HEARTBEAT_SECRET: 'hb-uml-Secret-52', DRBD_SECRET: 'drbd-uml-Secret-53' }
const INV = 'inventory/2-node'
const outputs: string[] = []
const cli = async (...args: string[]): Promise<CliResult> => {
  const r = await runCli(args, { env: SECRETS })
  outputs.push(r.stdout, r.stderr)
  return r
}

describe('lab doctor boots a real-kernel guest for real', { skip: labSkip }, () => {
  it('reports the time to its SSH banner and leaves nothing behind', async (t) => {
    const r = await lab('doctor')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const m = r.stdout.match(
      /real-kernel hosts \(user-mode-linux, \S+\): ok — a guest answered SSH ([\d.]+) s after start/,
    )
    assert.ok(m, r.stdout + r.stderr)
    t.diagnostic(`one user-mode-linux guest answered SSH ${m[1]} s after start`)
    assert.match((await lab('status')).stdout, /^no lab is up$/m)
    assert.doesNotMatch(readdirSync('/sys/class/net').join(' '), /halab-/)
  })
})

describe('2-node on user-mode-linux: heartbeat + real DRBD', { skip: labSkip }, () => {
  useLab(INV, '--kernel', 'uml')
  const file = `uml-e2e-${process.pid}`
  let uuid = ''

  it('lab up gave each host its own kernel, eth0 by MAC, /dev/sda6 and the drbd module', async (t) => {
    const state = readState()
    for (const h of state?.hosts ?? [])
      t.diagnostic(
        `${h.name}: ${h.kernel} guest, ssh ${h.bootSeconds?.toFixed(1)} s after start (lab up ${state?.upSeconds?.toFixed(1)} s)`,
      )
    assert.deepEqual(
      state?.hosts.map((h) => h.kernel),
      ['uml', 'uml'],
    )
    const status = await lab('status')
    assert.equal(status.code, 0, status.stdout + status.stderr)
    for (const n of ['nodo1', 'nodo2']) {
      assert.match(
        status.stdout,
        new RegExp(`${n}: user-mode-linux guest \\(its own kernel\\), ssh [\\d.]+ s after start`),
      )
      const out = await onHost(
        n,
        'uname -r; hostname; ip -o -4 addr show eth0; readlink /dev/sda6; modprobe -n drbd && echo drbd-ok',
      )
      assert.match(out, /^6\.1\./)
      assert.match(out, new RegExp(`^${n}$`, 'm'))
      assert.match(out, /eth0\s+inet 192\.168\.0\.2[78]\/24/)
      assert.match(out, /^ubdc$/m)
      assert.match(out, /drbd-ok/)
    }
  })

  it('site converges: metadata on both, first bring-up on nodo1 only, no configuration-only note', async () => {
    const r = await cli('site', '-i', INV)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    for (const n of ['nodo1', 'nodo2']) {
      assert.match(recapLine(r, n), /failed=0 .*unreachable=0/)
      assert.match(r.stdout, new RegExp(`\\[${n}\\] drbd \\| drbd r0 metadata: changed \\(create DRBD metadata`))
      assert.match(r.stdout, new RegExp(`\\[${n}\\] drbd \\| drbd r0 up: changed`))
    }
    assert.match(
      r.stdout,
      /\[nodo1\] drbd \| drbd r0 first bring-up: changed \(first bring-up of r0: nodo1 overwrites nodo2 \(both Inconsistent, no filesystem on \/dev\/sda6\), mkfs\.ext4 \/dev\/drbd0, back to Secondary\)/,
    )
    assert.match(r.stdout, /\[nodo2\] drbd \| drbd r0 first bring-up: skipped \(nodo1 is r0's initial_primary\)/)
    assert.doesNotMatch(r.stdout, /configuration only|left out of haresources/)
  })

  it('r0 is Connected/UpToDate on both and heartbeat mounts /dev/drbd0 on /srv/data on nodo1', async () => {
    for (const n of ['nodo1', 'nodo2']) await waitOn(n, 'cat /proc/drbd', /cs:Connected .*ds:UpToDate\/UpToDate/, 120)
    // initdead (120 s) bounds how long heartbeat may take to acquire its resources.
    await waitOn('nodo1', 'grep " /srv/data " /proc/mounts', /^\/dev\/drbd0 \/srv\/data ext4 /, 180)
    assert.match(await onHost('nodo1', 'cat /proc/drbd'), /ro:Primary\/Secondary/)
    assert.doesNotMatch(await onHost('nodo2', 'grep " /srv/data " /proc/mounts || true'), /drbd0/)
    uuid = (await onHost('nodo1', 'blkid -o value -s UUID /dev/drbd0')).trim()
    assert.match(uuid, /^[0-9a-f-]{36}$/)
    await onHost('nodo1', `echo ${file} > /srv/data/${file}.txt && sync`)
  })

  it('a second site changes nothing: no create-md, no overwrite, no mkfs, the file is still there', async () => {
    const r = await cli('site', '-i', INV)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    for (const n of ['nodo1', 'nodo2']) assert.match(recapLine(r, n), /changed=0 failed=0/)
    assert.doesNotMatch(r.stdout, /create DRBD metadata|overwrites|mkfs/)
    assert.equal((await onHost('nodo1', `cat /srv/data/${file}.txt`)).trim(), file)
    assert.equal(
      (await onHost('nodo1', 'blkid -o value -s UUID /dev/drbd0')).trim(),
      uuid,
      'same filesystem: never formatted again',
    )
  })

  it('verify passes every live check, the file written before failover is read on nodo2 after it', async () => {
    const r = await cli('verify', '-i', INV)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /DRBD: a file written on nodo1 before failover\s+pass/)
    assert.match(r.stdout, /DRBD: the file is on nodo2 after failover\s+pass\s.*same content/)
    assert.match(r.stdout, /stop heartbeat on nodo1 → VIP moves to nodo2\s+pass/)
    assert.match(r.stdout, /start heartbeat on nodo1 → VIP fails back\s+pass/)
    assert.match(r.stdout, /checks: 8 pass, 0 fail, 0 not run/)
    // Failed back: nodo1 holds the data again, and it is the same filesystem.
    await waitOn('nodo1', 'grep " /srv/data " /proc/mounts', /^\/dev\/drbd0 /, 60)
    assert.equal((await onHost('nodo1', `cat /srv/data/${file}.txt`)).trim(), file)
    assert.equal((await onHost('nodo1', 'blkid -o value -s UUID /dev/drbd0')).trim(), uuid)
  })

  it('no secret reached any output', () => {
    for (const o of outputs)
      for (const s of Object.values(SECRETS)) assert.equal(o.includes(s), false, `secret in output:\n${o}`)
  })

  it('lab down leaves no guest, tap, COW file or mconsole socket', async () => {
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
    assert.equal(
      existsSync('/var/lib/halab/lab/hosts'),
      false,
      'host directories (root.cow, disks, uml/ sockets) are gone',
    )
    assert.doesNotMatch(readdirSync('/sys/class/net').join(' '), /halab-/)
    assert.match((await lab('status')).stdout, /^no lab is up$/m)
  })
})
