// "Up" means sshd answers with its banner. The wait keeps one connection at a time and
// gives it time to answer: sshd forks and re-executes itself for every connection, which
// takes ~1 s in a user-mode-linux guest on some host kernels (fork+exec ~50 ms there).
// Probes abandoned sooner than that each leave an sshd child starting in the guest; they
// pile up faster than the guest's one CPU can finish them (load 26 in 150 s) and no banner
// ever comes. That was why real-kernel labs did not come up on such hosts.
import { connect } from 'node:net'
import { sleep } from './processes.js'

export type ProbeResult = { kind: 'banner'; line: string } | { kind: 'silent' } | { kind: 'refused' }

/**
 * Connect to host:port and read the server's first line for up to `timeoutMs`.
 * 'refused': no connection (refused, unreachable, or the connect itself timed out);
 * 'silent': connected, but no full line came before the time was up or the peer closed.
 */
export function probeBanner(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    let data = ''
    let connected = false
    const timer = setTimeout(() => done(), timeoutMs)
    function done(line?: string): void {
      clearTimeout(timer)
      s.destroy()
      resolve(line !== undefined ? { kind: 'banner', line } : connected ? { kind: 'silent' } : { kind: 'refused' })
    }
    s.on('connect', () => (connected = true))
    s.on('data', (b) => {
      data += b.toString('latin1')
      if (data.includes('\n')) done(data.split('\n')[0].trim())
    })
    s.on('error', () => done())
    s.on('close', () => done())
  })
}

export interface SshWait {
  /** The host's process still runs. */
  alive: () => boolean
  /** A number that grows while the guest boots (its console log's size), if known. */
  progress?: () => number
  /** Give up when neither the console nor sshd moved for this long. */
  stallMs: number
  /** Give up after this long in any case. */
  capMs: number
  /** How long one connection may wait for the banner (default: stallMs). */
  bannerMs?: number
}

export type SshWaitResult = { how: 'ready' | 'exited' | 'stalled' | 'capped'; seconds: number }

/** Wait for `SSH-…` on address:port while the guest is alive and making progress. */
export async function waitForSsh(address: string, w: SshWait, port = 22): Promise<SshWaitResult> {
  const started = Date.now()
  const seconds = (): number => (Date.now() - started) / 1000
  let mark = w.progress?.() ?? 0
  let movedAt = started
  const moved = (): void => {
    const now = w.progress?.() ?? 0
    if (now !== mark) [mark, movedAt] = [now, Date.now()]
  }
  while (true) {
    if (!w.alive()) return { how: 'exited', seconds: seconds() }
    if (Date.now() - started > w.capMs) return { how: 'capped', seconds: seconds() }
    if (Date.now() - movedAt > w.stallMs) return { how: 'stalled', seconds: seconds() }
    const r = await probeBanner(address, port, w.bannerMs ?? w.stallMs)
    if (r.kind === 'banner' && r.line.startsWith('SSH-')) return { how: 'ready', seconds: seconds() }
    moved()
    await sleep(r.kind === 'refused' ? 100 : 500)
  }
}
