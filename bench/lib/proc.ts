// Running the tools under measurement: wall time from spawn to exit, the controller's
// peak RSS from GNU time (%M: the largest single process of the tree, from wait4's
// rusage), and, for a separate untimed run, the whole process tree sampled from /proc.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Measured {
  code: number
  ms: number
  /** Peak RSS of the largest process (KiB), from /usr/bin/time -f %M. */
  maxRssKb: number
  stdout: string
  stderr: string
}

export interface RunSpec {
  argv: string[]
  cwd?: string
  env?: Record<string, string | undefined>
  timeoutMs?: number
}

const TIME = '/usr/bin/time'

/** Run a command under /usr/bin/time; the wall time is taken around spawn and exit. */
export async function measure(spec: RunSpec): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'halab-bench-time-'))
  const out = join(dir, 'rss')
  try {
    const started = performance.now()
    const r = await run({ ...spec, argv: [TIME, '-f', '%M', '-o', out, ...spec.argv] })
    const ms = performance.now() - started
    const maxRssKb = Number(readFileSync(out, 'utf8').trim().split('\n').pop())
    return { ...r, ms, maxRssKb }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface TreeMemory {
  /** Peak of the summed RSS of every process of the tree (KiB). Shared pages count once per process. */
  rssKb: number
  /** Peak of the summed PSS (shared pages divided among their users): the tree's real footprint. */
  pssKb: number
  /** Most processes seen at once. */
  processes: number
  code: number
}

/** Run a command and sample its whole process tree every `everyMs` (an untimed run: sampling costs CPU). */
export async function measureTree(spec: RunSpec, everyMs = 50): Promise<TreeMemory> {
  const peak = { rssKb: 0, pssKb: 0, processes: 0 }
  let rootPid = 0
  const sample = () => {
    if (!rootPid) return
    const pids = descendants(rootPid)
    let rss = 0
    let pss = 0
    for (const pid of pids) {
      const m = memoryOf(pid)
      rss += m.rss
      pss += m.pss
    }
    peak.rssKb = Math.max(peak.rssKb, rss)
    peak.pssKb = Math.max(peak.pssKb, pss)
    peak.processes = Math.max(peak.processes, pids.length)
  }
  const timer = setInterval(sample, everyMs)
  try {
    const r = await run(spec, (pid) => (rootPid = pid))
    return { ...peak, code: r.code }
  } finally {
    clearInterval(timer)
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(name))
      children.set(ppid, list)
    } catch {
      /* exited */
    }
  }
  const out: number[] = []
  const todo = [root]
  while (todo.length) {
    const p = todo.pop()!
    out.push(p)
    todo.push(...(children.get(p) ?? []))
  }
  return out
}

function memoryOf(pid: number): { rss: number; pss: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0)
    return { rss: kb('Rss'), pss: kb('Pss') }
  } catch {
    return { rss: 0, pss: 0 }
  }
}

/** Spawn, collect output, never throw on a non-zero exit. */
export function run(
  spec: RunSpec,
  onSpawn?: (pid: number) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = spec.argv
    // With a timeout, the child leads its own process group, so the whole tree is stopped.
    const child = spawn(cmd, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: !!spec.timeoutMs,
    })
    if (child.pid) onSpawn?.(child.pid)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = spec.timeoutMs
      ? setTimeout(() => child.pid && process.kill(-child.pid, 'SIGTERM'), spec.timeoutMs)
      : undefined
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr })
    })
  })
}

/** Like run(), but a non-zero exit is an error that shows the command's output. */
export async function must(spec: RunSpec): Promise<string> {
  const r = await run(spec)
  if (r.code !== 0)
    throw new Error(
      `${spec.argv.join(' ')} exited with ${r.code}:\n${(r.stdout + r.stderr).trim().split('\n').slice(-15).join('\n')}`,
    )
  return r.stdout
}
