// Without a TTY: one plain line per event, prefixed with [host], in the order they happen.
import type { EngineEvent } from '../engine/events.js'
import { t } from '../i18n.js'
import { commandLines, elapsed, hostlessLine, hostlessPlays } from './details.js'
import { unifiedDiff } from './diff.js'
import { printRecap } from './recap.js'
import type { Sink } from './sink.js'

type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

export function plainRenderer(sink: Sink, opts: { diff: boolean; verbose: number }) {
  const shown = new Set<number>() // plays with hosts: their PLAY line and their time
  const emit = (e: EngineEvent): void => {
    switch (e.type) {
      case 'run-start': {
        sink.out(`${e.check ? `${t('run.checkMode')} ` : ''}${t('run.hosts', { hosts: e.hosts.join(', ') })}\n`)
        const hostless = hostlessLine(hostlessPlays(e))
        if (hostless) sink.out(hostless + '\n')
        break
      }
      case 'host-unreachable':
        sink.out(`[${e.host}] ${t('status.unreachable').toUpperCase()} ${e.error}\n`)
        break
      case 'play-start':
        if (e.hosts.length) shown.add(e.index)
        if (e.hosts.length) sink.out(`${t('run.play', { play: e.play })}\n`)
        break
      case 'play-end':
        if (shown.has(e.index)) sink.out(`${t('run.playDone', { play: e.play })} ${elapsed(e.ms)}\n`)
        break
      case 'task-end':
        sink.out(taskText(e, opts))
        break
      case 'run-end':
        printRecap(sink, e.recap, e.ms)
        break
    }
  }
  return { emit, close: async () => {} }
}

/** A task's line with its time, then its warnings, -vv/-vvv details and diffs. */
function taskText(e: TaskEnd, opts: { diff: boolean; verbose: number }): string {
  const label = `[${e.host}] ${e.role} | ${e.handler ? `${t('task.handler')}: ` : ''}${e.task}`
  const status = t(`status.${e.status}`)
  const time = elapsed(e.ms)
  const lines: string[] = []
  if (e.status === 'failed' || e.status === 'unreachable')
    lines.push(`${label}: ${status.toUpperCase()} ${time}`, indent(e.error ?? ''))
  else if (e.status === 'changed') lines.push(`${label}: ${status} (${e.changes.join('; ')}) ${time}`)
  else if (e.status === 'skipped') lines.push(`${label}: ${status}${e.reason ? ` (${e.reason})` : ''} ${time}`)
  else lines.push(`${label}: ${status}${opts.verbose && e.reason ? ` (${e.reason})` : ''} ${time}`)
  for (const w of e.warnings ?? []) lines.push(`[${e.host}] ${t('task.warning', { warning: w })}`)
  for (const c of commandLines(e, opts.verbose)) lines.push(indent(c))
  if (opts.diff) for (const d of e.diffs ?? []) lines.push(indent(unifiedDiff(d)))
  return lines.join('\n') + '\n'
}

export function indent(text: string, pad = '    '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n')
}
