// Results as data, and the table `npm run bench` prints: per series median/min/max per
// tool, each peer's ratio to halab (peer/halab, of the medians, and the range over the
// alternated pairs), SSH connections and sessions per host per run, and peak controller
// memory; the cost per added host of each tool (least squares over the host counts); then
// the targets, each met or missed.
import type { Machine } from './machine.ts'
import type { TreeMemory } from './proc.ts'

export type Tool = 'halab' | 'ansible' | 'mitogen' | 'pyinfra'

/** Every tool, halab first: the order of the alternated runs and of the table's rows. */
export const TOOLS: Tool[] = ['halab', 'ansible', 'mitogen', 'pyinfra']
export const TOOL_LABEL: Record<Tool, string> = {
  halab: 'halab',
  ansible: 'ansible',
  mitogen: 'ansible+mitogen',
  pyinfra: 'pyinfra',
}

export interface Sample {
  ms: number
  maxRssKb: number
  /** Per host, averaged over the run's hosts; and the most any single host saw. */
  connections: number
  sessions: number
  maxConnections: number
  maxSessions: number
  /** Tasks reported changed, summed over hosts. */
  changed: number
  code: number
}

export interface Series {
  id: string
  title: string
  hosts: number
  runs: Record<Tool, Sample[]>
  tree: Partial<Record<Tool, TreeMemory>>
  /** Anything that makes a figure suspect (a run that failed, a no-op that changed something). */
  problems: string[]
  notes: string[]
}

export interface LabFigures {
  baseImage: string
  up: number[]
  upInside: number[]
  down: number[]
  downInside: number[]
  topology: string
}

export interface Results {
  startedAt: string
  machine: Machine
  settings: string[]
  lab?: LabFigures
  series: Series[]
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

const sec = (ms: number) =>
  Number.isNaN(ms) ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`
const mb = (kb: number) => (kb ? `${(kb / 1024).toFixed(0)} MB` : '—')
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2))

/** The runs of one tool (a result written before a tool was benchmarked has none). */
export const runsOf = (s: Series, t: Tool): Sample[] => s.runs[t] ?? []

/** How many times longer `peer` took than halab: ratio of the medians, and per alternated pair. */
export function ratio(s: Series, peer: Tool = 'ansible'): { ofMedians: number; pairs: number[] } | undefined {
  const h = runsOf(s, 'halab')
  const a = runsOf(s, peer)
  if (!h.length || !a.length) return undefined
  const pairs = h.slice(0, a.length).map((x, i) => a[i].ms / x.ms)
  return { ofMedians: median(a.map((x) => x.ms)) / median(h.map((x) => x.ms)), pairs }
}

function pad(cells: string[][], right: Set<number>): string[] {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)))
  return cells.map((r) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  )
}

export function renderTable(res: Results): string {
  const m = res.machine
  const out: string[] = []
  out.push(`halab benchmark — ${res.startedAt}`)
  out.push(`machine:  ${m.cpus} CPU (${m.cpuModel}), ${m.memGiB.toFixed(1)} GiB, Linux ${m.kernel}, ${m.os}`)
  out.push(
    `versions: node ${m.node}, halab ${m.halab}, ansible-core ${m.ansibleCore ?? '(not run)'}, python ${m.python} (controller)${m.targetPython ? `, ${m.targetPython} (targets)` : ''}${m.peers ? `, ${m.peers}` : ''}`,
  )
  for (const s of res.settings) out.push(`          ${s}`)
  out.push('')
  if (res.lab) out.push(...labLines(res.lab), '')
  out.push(...seriesRows(res.series), '')
  out.push(
    'runs per tool: ' + res.series.map((s) => `${s.id} ${TOOLS.map((t) => runsOf(s, t).length).join('+')}`).join(', '),
  )
  out.push(
    'peak RSS: largest controller process (GNU time %M, every timed run); tree PSS: the whole controller process tree (ansible-playbook, its forks, ssh), one extra untimed run sampled from /proc every 50 ms',
  )
  out.push(
    'conn/host, sessions/host: counted by each lab host\'s sshd (LogLevel VERBOSE: "Connection from", "Starting session"), median over runs of the per-host average',
  )
  const slopes = slopeLines(res.series)
  if (slopes.length) out.push('', ...slopes)
  const problems = res.series.flatMap((s) => s.problems.map((p) => `${s.id}: ${p}`))
  const notes = res.series.flatMap((s) => s.notes.map((p) => `${s.id}: ${p}`))
  if (notes.length) out.push('', 'notes', ...notes.map((n) => `  - ${n}`))
  if (problems.length)
    out.push('', 'PROBLEMS (figures above may not be comparable)', ...problems.map((p) => `  - ${p}`))
  out.push(
    '',
    'targets',
    ...targets(res).map(
      (t) => `  ${t.met === undefined ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'}  ${t.what}: ${t.value}`,
    ),
  )
  return out.join('\n')
}

function labLines(l: LabFigures): string[] {
  const stat = (xs: number[]) =>
    `median ${sec(median(xs))} (min ${sec(Math.min(...xs))}, max ${sec(Math.max(...xs))}, n=${xs.length})`
  const out = ['lab', `  base image              ${l.baseImage}`]
  if (l.up.length) out.push(`  lab up ${l.topology}           ${stat(l.up)}; inside lab up ${sec(median(l.upInside))}`)
  if (l.down.length)
    out.push(`  lab down ${l.topology}         ${stat(l.down)}; inside lab down ${sec(median(l.downInside))}`)
  out.push('  (whole command, node start included)')
  return out
}

/** One row per tool and series; the first row of a series names it, peers carry their ratio to halab. */
function seriesRows(series: Series[]): string[] {
  const head = ['series', 'hosts', 'tool', 'median', 'min', 'max', 'tool/halab', 'conn/host', 'sessions/host']
  const rows: string[][] = [[...head, 'peak RSS', 'tree PSS']]
  for (const s of series) {
    let first = true
    for (const tool of TOOLS) {
      const xs = runsOf(s, tool)
      if (!xs.length) continue
      const ms = xs.map((x) => x.ms)
      const r = tool === 'halab' ? undefined : ratio(s, tool)
      rows.push([
        first ? s.title : '',
        first ? String(s.hosts) : '',
        TOOL_LABEL[tool],
        sec(median(ms)),
        sec(Math.min(...ms)),
        sec(Math.max(...ms)),
        r ? ratioText(r) : '',
        num(median(xs.map((x) => x.connections))),
        num(median(xs.map((x) => x.sessions))),
        mb(Math.max(...xs.map((x) => x.maxRssKb))),
        mb(s.tree[tool]?.pssKb ?? 0),
      ])
      first = false
    }
  }
  return pad(rows, new Set([1, 3, 4, 5, 7, 8, 9, 10]))
}

const ratioText = (r: { ofMedians: number; pairs: number[] }) =>
  `${r.ofMedians.toFixed(1)}× (pairs ${Math.min(...r.pairs).toFixed(1)}–${Math.max(...r.pairs).toFixed(1)})`

// ---------------------------------------------------------------------------------------
// Cost per added host: for one kind of run (A first run, A second run) measured at several
// host counts, the least-squares line median(ms) = fixed + slope × hosts, per tool.

export interface Line {
  slope: number
  intercept: number
  points: number
}

/** Least squares over (x, y) points; undefined with fewer than two distinct x. */
export function leastSquares(points: [number, number][]): Line | undefined {
  const n = points.length
  const mx = points.reduce((a, [x]) => a + x, 0) / n
  const my = points.reduce((a, [, y]) => a + y, 0) / n
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  if (n < 2 || sxx === 0) return undefined
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  const slope = sxy / sxx
  return { slope, intercept: my - slope * mx, points: n }
}

export interface Slope extends Line {
  title: string
  tool: Tool
  hosts: number[]
}

/** Per series title (the same run at several host counts) and tool: the line over the medians. */
export function slopes(series: Series[]): Slope[] {
  const out: Slope[] = []
  const titles = [...new Set(series.map((s) => s.title))]
  for (const title of titles) {
    const same = series.filter((s) => s.title === title)
    for (const tool of TOOLS) {
      const measured = same.filter((s) => runsOf(s, tool).length)
      const line = leastSquares(measured.map((s) => [s.hosts, median(runsOf(s, tool).map((x) => x.ms))]))
      if (line) out.push({ ...line, title, tool, hosts: measured.map((s) => s.hosts) })
    }
  }
  return out
}

function slopeLines(series: Series[]): string[] {
  const all = slopes(series)
  if (!all.length) return []
  const rows: string[][] = [['series', 'tool', 'per added host', 'fixed', 'slope/halab', 'over hosts']]
  for (const l of all) {
    const h = all.find((x) => x.title === l.title && x.tool === 'halab')
    rows.push([
      l.tool === 'halab' || !h ? l.title : '',
      TOOL_LABEL[l.tool],
      `${l.slope.toFixed(1)} ms`,
      sec(l.intercept),
      l.tool !== 'halab' && h && h.slope > 0 ? `${(l.slope / h.slope).toFixed(1)}×` : '',
      l.hosts.join(', '),
    ])
  }
  return [
    'cost per added host (least squares over the host counts: median = fixed + per added host × hosts)',
    ...pad(rows, new Set([2, 3, 4])).map((r) => `  ${r}`),
  ]
}

// ---------------------------------------------------------------------------------------

export interface Target {
  what: string
  value: string
  met?: boolean
}

export function targets(res: Results): Target[] {
  const find = (id: string) => res.series.find((s) => s.id === id)
  const out: Target[] = []
  const ratioTarget = (id: string, peer: Tool, what: string, min: number) => {
    const s = find(id)
    const r = s && ratio(s, peer)
    const med = (t: Tool) => sec(median(runsOf(s!, t).map((x) => x.ms)))
    out.push(
      r
        ? {
            what,
            value: `${r.ofMedians.toFixed(1)}× (median ${med(peer)} vs ${med('halab')})`,
            met: r.ofMedians >= min,
          }
        : { what, value: 'not measured' },
    )
  }
  for (const n of [30, 100]) {
    ratioTarget(`A${n}-2`, 'pyinfra', `Workload A ${n} hosts, no-op: halab ≥ 3× faster than pyinfra`, 3)
    ratioTarget(`A${n}-2`, 'mitogen', `Workload A ${n} hosts, no-op: halab ≥ 5× faster than Ansible+Mitogen`, 5)
    ratioTarget(`A${n}-2`, 'ansible', `Workload A ${n} hosts, no-op: halab ≥ 15× faster than Ansible`, 15)
  }
  ratioTarget('B2', 'ansible', 'Workload B 2-node no-op: halab ≥ 20× faster than Ansible', 20)
  ratioTarget('B4', 'ansible', 'Workload B 4-node no-op: halab ≥ 20× faster than Ansible', 20)
  out.push(b4Wall(find('B4')), ...halabTargets(res))
  return out
}

function b4Wall(b4: Series | undefined): Target {
  const what = 'Workload B 4-node no-op: halab ≤ 1 s wall'
  const ms = b4 && runsOf(b4, 'halab').map((x) => x.ms)
  return ms?.length ? { what, value: sec(median(ms)), met: median(ms) <= 1000 } : { what, value: 'not measured' }
}

function halabTargets(res: Results): Target[] {
  const out: Target[] = []
  const halabRuns = res.series.flatMap((s) => runsOf(s, 'halab'))
  if (halabRuns.length) {
    const bad = halabRuns.filter((x) => x.maxConnections !== 1 || x.connections !== 1)
    out.push({
      what: 'one SSH connection per host per run (halab, every timed run, every host)',
      value: bad.length
        ? `${bad.length} of ${halabRuns.length} runs differ (connections per host: ${[...new Set(bad.map((x) => x.maxConnections))].join(', ')})`
        : `1 connection and ${[...new Set(halabRuns.map((x) => x.maxSessions))].join('/')} session(s) per host in all ${halabRuns.length} runs`,
      met: bad.length === 0,
    })
  }
  const what = 'controller peak RSS ≤ 150 MB at 100 hosts (halab)'
  const at100 = res.series.filter((s) => s.hosts >= 100).flatMap((s) => runsOf(s, 'halab'))
  const peak = Math.max(...at100.map((x) => x.maxRssKb))
  out.push(at100.length ? { what, value: mb(peak), met: peak <= 150 * 1024 } : { what, value: 'not measured' })
  if (res.lab?.up.length) {
    out.push({
      what: `lab up ${res.lab.topology} ≤ 15 s`,
      value: sec(median(res.lab.up)),
      met: median(res.lab.up) <= 15_000,
    })
    out.push({
      what: `lab down ${res.lab.topology} ≤ 10 s`,
      value: sec(median(res.lab.down)),
      met: median(res.lab.down) <= 10_000,
    })
  }
  return out
}
