// The processes the lab starts (systemd-nspawn per host, apt-cacher-ng) are found by PID
// and, after a crash, by their command line; stopped with SIGTERM, then SIGKILL.
import { readFileSync, readdirSync } from 'node:fs'

export interface Proc {
  pid: number
  argv: string[]
}

export function listProcesses(): Proc[] {
  const out: Proc[] = []
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').filter(Boolean)
      if (argv.length) out.push({ pid: Number(e), argv }) // zombies have no command line
    } catch {
      /* exited meanwhile */
    }
  }
  return out
}

/** Running (not a zombie waiting to be reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
  } catch {
    return false
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL what is left. */
export async function stopProcesses(pids: number[], graceMs = 6000): Promise<void> {
  const live = pids.filter(isAlive)
  for (const pid of live) signal(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (live.some(isAlive) && Date.now() < deadline) await sleep(50)
  const stubborn = live.filter(isAlive)
  for (const pid of stubborn) signal(pid, 'SIGKILL')
  const killDeadline = Date.now() + 2000
  while (stubborn.some(isAlive) && Date.now() < killDeadline) await sleep(50)
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    /* already gone */
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
