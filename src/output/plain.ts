// Without a TTY: one plain line per event, prefixed with [host], in the order they happen.
import type { EngineEvent } from '../engine/events.js'
import { t } from '../i18n.js'
import { unifiedDiff } from './diff.js'
import { printRecap } from './recap.js'
import type { Sink } from './sink.js'

export function plainRenderer(sink: Sink, opts: { diff: boolean; verbose: boolean }) {
  const emit = (e: EngineEvent): void => {
    switch (e.type) {
      case 'run-start':
        sink.out(`${e.check ? `${t('run.checkMode')} ` : ''}${t('run.hosts', { hosts: e.hosts.join(', ') })}\n`)
        break
      case 'host-unreachable':
        sink.out(`[${e.host}] ${t('status.unreachable').toUpperCase()} ${e.error}\n`)
        break
      case 'play-start':
        sink.out(`${t('run.play', { play: e.play })}\n`)
        break
      case 'task-end': {
        const label = `[${e.host}] ${e.role} | ${e.handler ? `${t('task.handler')}: ` : ''}${e.task}`
        const status = t(`status.${e.status}`)
        if (e.status === 'failed' || e.status === 'unreachable')
          sink.out(`${label}: ${status.toUpperCase()}\n${indent(e.error ?? '')}\n`)
        else if (e.status === 'changed') sink.out(`${label}: ${status} (${e.changes.join('; ')})\n`)
        else if (e.status === 'skipped') sink.out(`${label}: ${status}${e.reason ? ` (${e.reason})` : ''}\n`)
        else sink.out(`${label}: ${status}${opts.verbose && e.reason ? ` (${e.reason})` : ''}\n`)
        for (const w of e.warnings ?? []) sink.out(`[${e.host}] ${t('task.warning', { warning: w })}\n`)
        if (opts.diff) for (const d of e.diffs ?? []) sink.out(indent(unifiedDiff(d)) + '\n')
        break
      }
      case 'run-end':
        printRecap(sink, e.recap, e.ms)
        break
    }
  }
  return { emit, close: async () => {} }
}

export function indent(text: string, pad = '    '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n')
}
