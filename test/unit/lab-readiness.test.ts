// The lab's boot wait against real TCP servers on loopback that behave like a slow guest:
// an sshd that needs a second per connection, one that accepts and never greets, and a
// guest whose console keeps growing.
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { probeBanner, waitForSsh } from '../../src/lab/readiness.ts'

interface Fake {
  port: number
  connections: () => number
  server: Server
}

/** A server that greets each connection after `delayMs` (never when undefined). */
async function fakeSshd(delayMs: number | undefined): Promise<Fake> {
  let n = 0
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    n++
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
    if (delayMs !== undefined) setTimeout(() => s.writable && s.write('SSH-2.0-OpenSSH_9.2p1 fake\r\n'), delayMs)
  })
  server.on('close', () => sockets.forEach((s) => s.destroy()))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as { port: number }).port, connections: () => n, server }
}

const servers: Server[] = []
after(() => servers.forEach((s) => s.close()))

describe('the lab waits for a slow guest by its progress', () => {
  it('gives one connection time: an sshd that greets after 1.2 s is ready on the first connection', async () => {
    const f = await fakeSshd(1200)
    servers.push(f.server)
    const r = await waitForSsh('127.0.0.1', { alive: () => true, stallMs: 10_000, capMs: 20_000 }, f.port)
    assert.equal(r.how, 'ready')
    assert.equal(f.connections(), 1, 'no probe was abandoned, so no sshd child was left starting in the guest')
  })

  it('says "stalled" when the guest accepts but neither greets nor writes to its console', async () => {
    const f = await fakeSshd(undefined)
    servers.push(f.server)
    const started = Date.now()
    const r = await waitForSsh(
      '127.0.0.1',
      { alive: () => true, progress: () => 7, stallMs: 1500, capMs: 20_000 },
      f.port,
    )
    assert.equal(r.how, 'stalled')
    assert.ok(Date.now() - started < 6000, `gave up ${Date.now() - started} ms after the last progress`)
  })

  it('keeps waiting while the console grows, up to the cap', async () => {
    const f = await fakeSshd(undefined)
    servers.push(f.server)
    let size = 0
    const r = await waitForSsh(
      '127.0.0.1',
      { alive: () => true, progress: () => (size += 100), stallMs: 600, capMs: 2500, bannerMs: 300 },
      f.port,
    )
    assert.equal(r.how, 'capped')
    assert.ok(r.seconds >= 2.5, `capped after ${r.seconds} s, past the 0.6 s stall limit`)
  })

  it('ends at once when the guest process is gone', async () => {
    const r = await waitForSsh('127.0.0.1', { alive: () => false, stallMs: 5000, capMs: 5000 }, 9)
    assert.equal(r.how, 'exited')
  })

  it('tells a refused port from a silent one', async () => {
    const f = await fakeSshd(undefined)
    servers.push(f.server)
    assert.deepEqual(await probeBanner('127.0.0.1', f.port, 300), { kind: 'silent' })
    f.server.close()
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(await probeBanner('127.0.0.1', f.port, 300), { kind: 'refused' })
  })
})
