// `npm run bench:uml-boot`: how reliably and how fast a real-kernel lab comes up here.
//
//   npm run bench:uml-boot                          4-node, 10 tries quiet, 10 with two CPU hogs
//   npm run bench:uml-boot -- --tries 3 --inventory inventory/2-node --hogs 0,2
//
// Each try is `lab up --kernel uml` then `lab down`. A hog is a busy loop in a process of
// its own, started before the try and killed by PID after it. Needs root and no lab up.
// Prints one row per load: successes, and the lab up times (min, median, max), with the
// slowest guest's time to its SSH banner.
import { spawn, type ChildProcess } from 'node:child_process'
import { loadavg, release } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { REPO, halabArgv, labDown } from './lib/lab.ts'
import { run } from './lib/proc.ts'

const { values: opt } = parseArgs({
  options: {
    tries: { type: 'string', default: '10' },
    inventory: { type: 'string', default: 'inventory/4-node' },
    hogs: { type: 'string', default: '0,2' },
  },
})
const TRIES = Math.max(1, Number(opt.tries))
const INVENTORY = join(REPO, opt.inventory!)
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`)

interface Try {
  ok: boolean
  upSeconds?: number
  slowestGuest?: number
  error?: string
  /** The machine's 1-minute load average before the try: what else was running. */
  loadBefore: number
}

function startHogs(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }))
}

async function stopHogs(hogs: ChildProcess[]): Promise<void> {
  for (const h of hogs) h.kill('SIGKILL')
  await Promise.all(
    hogs.map((h) => (h.exitCode !== null || h.signalCode ? undefined : new Promise((r) => h.once('exit', r)))),
  )
}

async function oneTry(): Promise<Try> {
  const loadBefore = loadavg()[0]
  const r = await run({
    argv: halabArgv('lab', 'up', '-i', INVENTORY, '--kernel', 'uml'),
    cwd: REPO,
    timeoutMs: 15 * 60_000,
  })
  const up = /lab up in ([\d.]+) s/.exec(r.stdout)
  const guests = [...r.stdout.matchAll(/ssh ([\d.]+) s after start/g)].map((m) => Number(m[1]))
  await labDown()
  if (r.code !== 0 || !up)
    return { ok: false, loadBefore, error: (r.stdout + r.stderr).trim().split('\n').slice(-8).join('\n') }
  return { ok: true, loadBefore, upSeconds: Number(up[1]), slowestGuest: Math.max(...guests) }
}

function stats(xs: number[]): string {
  if (!xs.length) return '-'
  const s = [...xs].sort((a, b) => a - b)
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
  return `${s[0].toFixed(1)} / ${med.toFixed(1)} / ${s[s.length - 1].toFixed(1)}`
}

async function main(): Promise<void> {
  const loads = opt.hogs!.split(',').map(Number)
  const rows: string[] = []
  for (const hogs of loads) {
    const tries: Try[] = []
    for (let i = 1; i <= TRIES; i++) {
      const running = startHogs(hogs)
      try {
        const t = await oneTry()
        tries.push(t)
        log(
          `${hogs} hog(s), try ${i}/${TRIES} (load ${t.loadBefore.toFixed(1)}): ` +
            (t.ok ? `up in ${t.upSeconds} s (slowest guest ${t.slowestGuest} s)` : `FAILED\n${t.error}`),
        )
      } finally {
        await stopHogs(running)
      }
    }
    const ok = tries.filter((t) => t.ok)
    rows.push(
      `| ${hogs} | ${ok.length}/${tries.length} | ${stats(ok.map((t) => t.upSeconds!))} | ` +
        `${stats(ok.map((t) => t.slowestGuest!))} | ${stats(tries.map((t) => t.loadBefore))} |`,
    )
  }
  process.stdout.write(
    [
      `real-kernel lab up (${opt.inventory}, --kernel uml) on host kernel ${release()}, ${TRIES} tries per load`,
      '',
      '| CPU hogs | succeeded | lab up s (min / median / max) | slowest guest to SSH s (min / median / max) ' +
        '| load average before a try (min / median / max) |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  )
}

await main()
