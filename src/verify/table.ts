// The verification table: one row per check with its result and timing.
import type { Sink } from '../output/sink.js'
import { green, red, yellow } from '../output/color.js'
import type { CheckResult } from './check.js'

export function printChecks(sink: Sink, title: string, results: CheckResult[]): void {
  const width = Math.max(5, ...results.map((r) => r.name.length))
  sink.out(`\nVERIFY ${title}\n`)
  sink.out(`${'check'.padEnd(width)}  result   time     detail\n`)
  for (const r of results) {
    const label = r.status === 'pass' ? green('pass   ') : r.status === 'fail' ? red('FAIL   ') : yellow('not run')
    sink.out(`${r.name.padEnd(width)}  ${label}  ${`${(r.ms / 1000).toFixed(1)} s`.padStart(6)}   ${r.detail}\n`)
  }
  const count = (s: string) => results.filter((r) => r.status === s).length
  sink.out(`checks: ${count('pass')} pass, ${count('fail')} fail, ${count('not run')} not run\n`)
}
