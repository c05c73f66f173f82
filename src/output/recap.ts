// The recap after progress, like ansible-playbook's PLAY RECAP, plus the notes a role
// left for a host (e.g. "drbd: configuration only") so nothing is silently green.
import type { Recap } from '../engine/events.js'
import { bold, green, red, yellow } from './color.js'
import type { Sink } from './sink.js'

export function printRecap(sink: Sink, recap: Recap, ms: number): void {
  const hosts = Object.keys(recap)
  const width = Math.max(4, ...hosts.map((h) => h.length))
  sink.out(`\n${bold('RECAP')} (${(ms / 1000).toFixed(1)} s)\n`)
  for (const h of hosts) {
    const r = recap[h]
    const name =
      r.failed || r.unreachable ? red(h.padEnd(width)) : r.changed ? yellow(h.padEnd(width)) : green(h.padEnd(width))
    sink.out(
      `${name} : ok=${r.ok} changed=${r.changed} failed=${r.failed} ` +
        `skipped=${r.skipped} unreachable=${r.unreachable}\n`,
    )
    for (const n of r.notes) sink.out(`${' '.repeat(width)}   note: ${n}\n`)
  }
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
