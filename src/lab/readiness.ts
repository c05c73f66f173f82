// "Up" means sshd answers: poll each host's address for the SSH banner, briefly and often,
// instead of sleeping a fixed time.
import { connect } from 'node:net'
import { sleep } from './processes.js'

/**
 * Connect and read what the server says first. Resolves with the first line (or '' when
 * `wantBanner` is false and the connection opened), undefined when nothing answered.
 */
export function probeTcp(host: string, port: number, timeoutMs: number, wantBanner = true): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    let data = ''
    const timer = setTimeout(() => done(undefined), timeoutMs)
    function done(v: string | undefined): void {
      clearTimeout(timer)
      s.destroy()
      resolve(v)
    }
    s.on('connect', () => !wantBanner && done(''))
    s.on('data', (b) => {
      data += b.toString('latin1')
      if (data.includes('\n')) done(data.split('\n')[0].trim())
    })
    s.on('error', () => done(undefined))
    s.on('close', () => done(data ? data.trim() : undefined))
  })
}

/** Wait for `SSH-2.0-…` on address:22 while `alive()` holds; resolves how it ended. */
export async function waitForSsh(address: string, alive: () => boolean, timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!alive()) return 'exited'
    const banner = await probeTcp(address, 22, 400)
    if (banner?.startsWith('SSH-')) return 'ready'
    await sleep(50)
  }
  return 'timeout'
}
