// What -v, -vv and -vvv add under a task, the same in both renderers: why an unchanged
// task had nothing to do, the commands it ran, their output. Secrets are masked by the
// sink; text from hosts is made printable.
import type { EngineEvent } from '../engine/events.js'
import { t } from '../i18n.js'
import { dim } from './color.js'
import { printable } from './printable.js'

type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

/** `[1.2 s]`: how long a task or a play took. */
export function elapsed(ms: number): string {
  return dim(`[${(ms / 1000).toFixed(1)} s]`)
}

/** The lines -vv (commands) and -vvv (their output) add below a task, unindented. */
export function commandLines(e: TaskEnd, verbosity: number): string[] {
  if (verbosity < 2) return []
  return (e.commands ?? []).flatMap((c) => [
    `$ ${printable(c.command)}${c.code === 0 ? '' : `  (exit code ${c.code ?? 'none: connection lost'})`}`,
    ...(verbosity >= 3 ? outputLines(c.stdout, 'stdout') : []),
    ...(verbosity >= 3 ? outputLines(c.stderr, 'stderr') : []),
  ])
}

function outputLines(text: string, stream: 'stdout' | 'stderr'): string[] {
  const body = printable(text).trimEnd()
  return body ? body.split('\n').map((l) => `  ${stream === 'stderr' ? '! ' : '| '}${l}`) : []
}

/** Names of the plays that have no host in this run (shown as one dim line, not as empty PLAYs). */
export function hostlessPlays(e: Extract<EngineEvent, { type: 'run-start' }>): string[] {
  return e.plays.filter((p) => !Object.keys(p.hosts).length).map((p) => p.name)
}

export function hostlessLine(names: string[]): string | undefined {
  return names.length ? dim(t('run.hostless', { count: names.length, plays: names.join(', ') })) : undefined
}
