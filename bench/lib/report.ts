// Results as data, and the table `npm run bench` prints: per series median/min/max per
// tool, the ratio Ansible/halab (of the medians, and the range over the alternated pairs),
// SSH connections and sessions per host per run, and peak controller memory; then the
// issue's targets, each met or missed.
import type { Machine } from './machine.ts'
import type { TreeMemory } from './proc.ts'

export type Tool = 'halab' | 'ansible'

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

export function ratio(s: Series): { ofMedians: number; pairs: number[] } | undefined {
  const h = s.runs.halab
  const a = s.runs.ansible
  if (!h.length || !a.length) return undefined
  const pairs = h.slice(0, a.length).map((x, i) => a[i].ms / x.ms)
  return { ofMedians: median(a.map((x) => x.ms)) / median(h.map((x) => x.ms)), pairs }
}

function pad(cells: string[][]): string[] {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)))
  const right = new Set([1, 3, 4, 5, 7, 8, 9, 10])
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
    `versions: node ${m.node}, halab ${m.halab}, ansible-core ${m.ansibleCore ?? '(not run)'}, python ${m.python} (controller)${m.targetPython ? `, ${m.targetPython} (targets)` : ''}`,
  )
  for (const s of res.settings) out.push(`          ${s}`)
  out.push('')
  if (res.lab) {
    const l = res.lab
    const stat = (xs: number[]) =>
      `median ${sec(median(xs))} (min ${sec(Math.min(...xs))}, max ${sec(Math.max(...xs))}, n=${xs.length})`
    out.push('lab')
    out.push(`  base image              ${l.baseImage}`)
    if (l.up.length)
      out.push(`  lab up ${l.topology}           ${stat(l.up)}; inside lab up ${sec(median(l.upInside))}`)
    if (l.down.length)
      out.push(`  lab down ${l.topology}         ${stat(l.down)}; inside lab down ${sec(median(l.downInside))}`)
    out.push('  (whole command, node start included)')
    out.push('')
  }
  const rows: string[][] = [
    [
      'series',
      'hosts',
      'tool',
      'median',
      'min',
      'max',
      'Ansible/halab',
      'conn/host',
      'sessions/host',
      'peak RSS',
      'tree PSS',
    ],
  ]
  for (const s of res.series) {
    const r = ratio(s)
    for (const tool of ['halab', 'ansible'] as Tool[]) {
      const xs = s.runs[tool]
      if (!xs.length) continue
      const ms = xs.map((x) => x.ms)
      const rr =
        tool === 'halab' && r
          ? `${r.ofMedians.toFixed(1)}× (pairs ${Math.min(...r.pairs).toFixed(1)}–${Math.max(...r.pairs).toFixed(1)})`
          : ''
      rows.push([
        tool === 'halab' || !s.runs.halab.length ? s.title : '',
        tool === 'halab' || !s.runs.halab.length ? String(s.hosts) : '',
        tool,
        sec(median(ms)),
        sec(Math.min(...ms)),
        sec(Math.max(...ms)),
        rr,
        num(median(xs.map((x) => x.connections))),
        num(median(xs.map((x) => x.sessions))),
        mb(Math.max(...xs.map((x) => x.maxRssKb))),
        mb(s.tree[tool]?.pssKb ?? 0),
      ])
    }
  }
  out.push(...pad(rows))
  out.push('')
  out.push(
    'runs per tool: ' + res.series.map((s) => `${s.id} ${s.runs.halab.length}+${s.runs.ansible.length}`).join(', '),
  )
  out.push(
    'peak RSS: largest controller process (GNU time %M, every timed run); tree PSS: the whole controller process tree (ansible-playbook, its forks, ssh), one extra untimed run sampled from /proc every 50 ms',
  )
  out.push(
    'conn/host, sessions/host: counted by each lab host\'s sshd (LogLevel VERBOSE: "Connection from", "Starting session"), median over runs of the per-host average',
  )
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

export interface Target {
  what: string
  value: string
  met?: boolean
}

export function targets(res: Results): Target[] {
  const find = (id: string) => res.series.find((s) => s.id === id)
  const out: Target[] = []
  const ratioTarget = (id: string, what: string, min: number) => {
    const s = find(id)
    const r = s && ratio(s)
    out.push(
      r
        ? {
            what,
            value: `${r.ofMedians.toFixed(1)}× (median ${sec(median(s!.runs.ansible.map((x) => x.ms)))} vs ${sec(median(s!.runs.halab.map((x) => x.ms)))})`,
            met: r.ofMedians >= min,
          }
        : { what, value: 'not measured' },
    )
  }
  ratioTarget('B2', 'Workload B 2-node no-op: halab ≥ 20× faster than Ansible', 20)
  ratioTarget('B4', 'Workload B 4-node no-op: halab ≥ 20× faster than Ansible', 20)
  const b4 = find('B4')
  out.push(
    b4?.runs.halab.length
      ? {
          what: 'Workload B 4-node no-op: halab ≤ 1 s wall',
          value: sec(median(b4.runs.halab.map((x) => x.ms))),
          met: median(b4.runs.halab.map((x) => x.ms)) <= 1000,
        }
      : { what: 'Workload B 4-node no-op: halab ≤ 1 s wall', value: 'not measured' },
  )
  ratioTarget('A30-2', 'Workload A 30 hosts, second run: halab ≥ 10× faster than Ansible', 10)
  const halabRuns = res.series.flatMap((s) => s.runs.halab)
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
  const at30 = res.series.filter((s) => s.hosts >= 30).flatMap((s) => s.runs.halab)
  out.push(
    at30.length
      ? {
          what: 'controller peak RSS ≤ 150 MB at 30 hosts (halab)',
          value: mb(Math.max(...at30.map((x) => x.maxRssKb))),
          met: Math.max(...at30.map((x) => x.maxRssKb)) <= 150 * 1024,
        }
      : { what: 'controller peak RSS ≤ 150 MB at 30 hosts (halab)', value: 'not measured' },
  )
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
