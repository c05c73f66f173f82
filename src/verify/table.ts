// The verification table: one row per check with its result and timing.
import type { Sink } from '../output/sink.js'
import { green, red, yellow } from '../output/color.js'
import { t } from '../i18n.js'
import type { CheckResult, CheckStatus } from './check.js'

export function printChecks(sink: Sink, title: string, results: CheckResult[]): void {
  const labels: Record<CheckStatus, string> = {
    pass: t('verify.pass'),
    fail: t('verify.fail'),
    'not run': t('verify.notRun'),
  }
  const result = Math.max(...Object.values(labels).map((l) => l.length))
  const colour = { pass: green, fail: red, 'not run': yellow }
  const width = Math.max(t('verify.check').length, ...results.map((r) => r.name.length))
  sink.out(`\n${t('verify.title', { title })}\n`)
  sink.out(
    `${t('verify.check').padEnd(width)}  ${t('verify.result').padEnd(result)}  ` +
      `${t('verify.time').padEnd(6)}   ${t('verify.detail')}\n`,
  )
  for (const r of results) {
    const label = colour[r.status](labels[r.status].padEnd(result))
    sink.out(`${r.name.padEnd(width)}  ${label}  ${`${(r.ms / 1000).toFixed(1)} s`.padStart(6)}   ${r.detail}\n`)
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length
  sink.out(`${t('verify.summary', { pass: count('pass'), fail: count('fail'), notRun: count('not run') })}\n`)
}
