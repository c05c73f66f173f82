// Jump connections shared by the hosts behind them, on a loopback ssh2 server as the jump
// host (it forwards channels to a TCP echo server): a jump connection that died is logged in
// to again, not handed out dead, and a host that still held the dead one releases only that.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { type AddressInfo, connect as tcpConnect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { after, before, test } from 'node:test'
import ssh2 from 'ssh2'
import { Tunnels } from '../../src/transport/jump.ts'
import type { SshEndpoint } from '../../src/transport/ssh-client.ts'

const dir = mkdtempSync(join(tmpdir(), 'halab-jump-'))
const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private
let echo: Server
let jumpServer: ssh2.Server
/** The jump host's side of each login, in order. */
const logins: ssh2.Connection[] = []

before(async () => {
  // Connections are cut on purpose here: a reset is no error of the test (unheard, it would end the process).
  echo = createServer((s) => s.on('error', () => {}).pipe(s))
  jumpServer = new ssh2.Server({ hostKeys: [hostKey] }, (conn) => {
    conn.on('error', () => {})
    conn.on('authentication', (ctx) => ctx.accept())
    conn.on('ready', () => logins.push(conn))
    conn.on('tcpip', (accept, _reject, info) => {
      const ch = accept().on('error', () => {})
      const to = tcpConnect(info.destPort, info.destIP)
      to.on('error', () => ch.destroy())
      ch.pipe(to).pipe(ch)
    })
  })
  await Promise.all([echo, jumpServer].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))))
})
after(() => {
  jumpServer.close()
  echo.close()
  rmSync(dir, { recursive: true, force: true })
})

const endpoint = (name: string, port: number): SshEndpoint => ({
  name,
  address: '127.0.0.1',
  port,
  user: 'ops',
  password: 'pw',
  knownHostsFiles: [join(dir, 'known_hosts')],
  acceptNewInto: join(dir, 'known_hosts'),
})
const jump = () => endpoint('bastion', (jumpServer.address() as AddressInfo).port)
const target = (name: string) => endpoint(name, (echo.address() as AddressInfo).port)

/** What the echo server sends back through `sock`. */
async function roundTrip(sock: Duplex, text: string): Promise<string> {
  sock.write(text)
  const [chunk] = (await new Promise((resolve, reject) => {
    sock.once('data', (d: Buffer) => resolve([d]))
    sock.once('error', reject)
    sock.once('close', () => reject(new Error('the channel closed')))
  })) as Buffer[]
  return chunk.toString()
}

/** Resolves when `sock` has closed (read to its end: a paused channel never says so). */
const closed = (sock: Duplex) =>
  new Promise<void>((resolve) =>
    sock
      .on('error', () => {})
      .once('close', () => resolve())
      .resume(),
  )

test('a jump connection that died is logged in to again by the next host, not handed out dead', async () => {
  const tunnels = new Tunnels()
  const first = logins.length
  const a = await tunnels.open([jump()], target('web1'))
  assert.equal(await roundTrip(a.sock, 'a'), 'a')
  const gone = closed(a.sock)
  logins.at(-1)!.end() // the jump host drops the connection (a reboot, a network cut)
  await gone
  const b = await tunnels.open([jump()], target('web2'))
  try {
    assert.equal(await roundTrip(b.sock, 'b'), 'b')
    assert.equal(logins.length - first, 2, 'a second login on the jump host')
  } finally {
    a.release()
    b.release()
  }
  assert.equal(tunnels.size, 0)
})

test('a host that held the dead jump connection releases that one, not the new one another host uses', async () => {
  const tunnels = new Tunnels()
  const a = await tunnels.open([jump()], target('web1'))
  const gone = closed(a.sock)
  logins.at(-1)!.end()
  await gone
  const b = await tunnels.open([jump()], target('web2'))
  try {
    a.release()
    a.release() // once is enough: a second call (a close after a failed open) changes nothing
    assert.equal(tunnels.size, 1, "web2's jump connection is still open")
    assert.equal(await roundTrip(b.sock, 'still'), 'still')
  } finally {
    b.release()
  }
  assert.equal(tunnels.size, 0, 'closed with its last host')
})

test('hosts behind one jump host share one login; the last release closes it', async () => {
  const tunnels = new Tunnels()
  const first = logins.length
  const [a, b] = await Promise.all([tunnels.open([jump()], target('web1')), tunnels.open([jump()], target('web2'))])
  assert.equal(logins.length - first, 1)
  a.release()
  assert.equal(await roundTrip(b.sock, 'b'), 'b')
  assert.equal(tunnels.size, 1)
  b.release()
  assert.equal(tunnels.size, 0)
})
