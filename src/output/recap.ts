// The recap after progress, like ansible-playbook's PLAY RECAP, plus the notes a role
// left for a host (e.g. "drbd: configuration only") so nothing is silently green; then one
// line for the whole run and, when a host failed or was unreachable, what to do next.
import type { HostRecap, Recap } from '../engine/events.js'
import { t } from '../i18n.js'
import { bold, green, red, yellow } from './color.js'
import type { Sink } from './sink.js'

export function printRecap(sink: Sink, recap: Recap, ms: number): void {
  const hosts = Object.keys(recap)
  const width = Math.max(4, ...hosts.map((h) => h.length))
  sink.out(`\n${bold(t('recap.title', { seconds: (ms / 1000).toFixed(1) }))}\n`)
  for (const h of hosts) {
    const r = recap[h]
    const name =
      r.failed || r.unreachable ? red(h.padEnd(width)) : r.changed ? yellow(h.padEnd(width)) : green(h.padEnd(width))
    sink.out(`${name} : ${t('recap.counts', r)}\n`)
    for (const n of r.notes) sink.out(`${' '.repeat(width)}   ${t('recap.note', { note: n })}\n`)
  }
  printOutcome(sink, recap)
}

/** The run in one line, and what to do next about the hosts that failed or could not be reached. */
function printOutcome(sink: Sink, recap: Recap): void {
  const where = (test: (r: HostRecap) => boolean) => Object.keys(recap).filter((h) => test(recap[h]))
  const failed = where((r) => r.failed > 0)
  const unreachable = where((r) => r.unreachable > 0 && !r.failed)
  const changed = where((r) => r.changed > 0 && !r.failed && !r.unreachable)
  const hosts = Object.keys(recap).length
  const unchanged = hosts - failed.length - unreachable.length - changed.length
  const counts = { hosts, unchanged, changed: changed.length, failed: failed.length, unreachable: unreachable.length }
  sink.out(`${t('recap.summary', counts)}\n`)
  if (failed.length) sink.out(red(`  → ${t('recap.nextFailed', { hosts: failed.join(', ') })}`) + '\n')
  if (unreachable.length) sink.out(red(`  → ${t('recap.nextUnreachable', { hosts: unreachable.join(', ') })}`) + '\n')
}

/** Exit codes as ansible-playbook's (2 a host failed, 4 a host unreachable, or'ed). */
export function exitCodeFor(recap: Recap): number {
  let code = 0
  for (const r of Object.values(recap)) {
    if (r.failed) code |= 2
    if (r.unreachable) code |= 4
  }
  return code
}
