// `run-playbook graph --live` for real, against a sshd on loopback: the host answers in one
// round trip with the addresses it holds — 127.0.0.1, which the inventory makes its VIP, so
// the picture shows the VIP held by it — while a host on a closed port and one that accepts
// the connection but never speaks SSH are drawn as down, within the time limit.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { loadHostsContext } from '../../src/cli/context.ts'
import { observeHosts } from '../../src/graph/observe.ts'
import type { Transport } from '../../src/transport/types.ts'
import { freePort, sshdVarsYaml, useSshdWork, type TestSshd } from '../helpers/sshd.ts'
import { REPO, runCli } from '../helpers/cli.ts'

let sshd: TestSshd
let work: string
/** Accepts TCP connections and never answers: a host whose SSH hangs. */
let silent: Server
const held: Socket[] = []

useSshdWork('halab-graph-live-', (s, w) => ((sshd = s), (work = w)))
before(async () => {
  silent = createServer((s) => held.push(s))
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
})
after(async () => {
  for (const s of held) s.destroy()
  await new Promise((r) => silent?.close(r))
})

/** A heartbeat pair whose VIP is 127.0.0.1: `loop` is the sshd, `gone` a closed port; `mute` hangs. */
async function inventory(): Promise<string> {
  const dir = join(work, 'pair')
  mkdirSync(dir, { recursive: true })
  const mutePort = (silent.address() as { port: number }).port
  writeFileSync(
    join(dir, 'hosts.yml'),
    `all:
  vars:
${sshdVarsYaml(sshd)}    heartbeat_preferred_node: loop
    heartbeat_resources:
      - { type: IPaddr2, address: 127.0.0.1, prefix: 8 }
      - { type: service, name: apache2 }
  children:
    heartbeat:
      hosts:
        loop:
          interfaces: [{ name: lo, address: 127.0.0.1, prefix: 8 }]
        gone:
          ansible_port: ${await freePort()}
          interfaces: [{ name: eth0, address: 127.0.0.2, prefix: 8 }]
        mute:
          ansible_port: ${mutePort}
          interfaces: [{ name: eth0, address: 127.0.0.3, prefix: 8 }]
`,
  )
  copyFileSync(sshd.knownHostsPath, join(dir, 'known_hosts'))
  return dir
}

test('graph --live: the VIP held by the host that answers, the closed port and the silent host down', async () => {
  const inv = await inventory()
  const started = Date.now()
  const r = await runCli(['graph', '-i', inv, '--live', '--timeout', '2', '--format', 'text'], { cwd: REPO })
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.ok(Date.now() - started < 15_000, 'a silent host costs the time limit, not more')
  assert.match(r.stdout, /^Live: 1 up, 2 down \(gone, mute\)$/m)
  assert.match(r.stdout, /^ {8}DOWN: cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED → check that the host is up, /m)
  assert.match(r.stdout, /^ {8}DOWN: SSH handshake with 127\.0\.0\.1:\d+ timed out → is sshd answering/m)
  assert.match(
    r.stdout,
    /^ {2}127\.0\.0\.1\/8 \(heartbeat\).*\n {4}held by: .*loop \(preferred\).*\n {4}now held by: loop$/m,
  )
  const dot = await runCli(['graph', '-i', inv, '--live', '--timeout', '2', '--format', 'dot'], { cwd: REPO })
  assert.equal(dot.code, 0, dot.stderr)
  assert.match(dot.stdout, /"vip:127\.0\.0\.1" -- "host:loop" \[color="#1e8449", penwidth=4[^\]]*holds it now/)
  assert.match(dot.stdout, /"host:gone" \[shape=plain, label=<<table[^>]*style="dashed"/)
  assert.doesNotMatch(dot.stdout, /"host:loop" \[shape=plain, label=<<table[^>]*style="dashed"/)
})

test('without --live graph connects nowhere: no host is asked, nothing is marked', async () => {
  const r = await runCli(['graph', '-i', await inventory(), '--format', 'text'], { cwd: REPO })
  assert.equal(r.code, 0, r.stderr)
  assert.doesNotMatch(r.stdout, /Live:|DOWN|now held by/)
  assert.match(r.stdout, /held by: gone \(standby\), loop \(preferred\), mute \(standby\)/)
})

test('each host that answers is asked in one round trip, and every connection is closed', async () => {
  const ctx = await loadHostsContext({ inventory: await inventory() })
  const transports: Transport[] = []
  const seen = await observeHosts(
    ctx.inventory.hosts,
    async (name, o) => {
      const t = await ctx.connect(name, o)
      transports.push(t)
      return t
    },
    2000,
  )
  assert.deepEqual(
    [...seen].map(([h, o]) => [h, o.state]),
    [
      ['gone', 'down'],
      ['loop', 'up'],
      ['mute', 'down'],
    ],
  )
  const loop = seen.get('loop')!
  assert.ok(loop.state === 'up' && loop.addresses.some((a) => a.address === '127.0.0.1' && a.interface === 'lo'))
  assert.deepEqual(
    transports.map((t) => [t.host, t.stats.connections, t.stats.roundTrips]),
    [['loop', 1, 1]],
  )
  await assert.rejects(transports[0].exec('true'), 'the connection was closed after the question')
})
