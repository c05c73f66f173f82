// On a TTY: listr2 progress — per play the hosts in parallel, per host its roles in
// order, per role a line per task. The engine runs on its own; this only listens and
// resolves each line when its task-end event arrives. Diffs and errors in full, then
// the recap, come after the progress.
import { Listr, type ListrTask } from 'listr2'
import type { EngineEvent } from '../engine/events.js'
import { t } from '../i18n.js'
import { redact } from '../secrets.js'
import { commandLines, elapsed, hostlessLine, hostlessPlays } from './details.js'
import { unifiedDiff } from './diff.js'
import { indent } from './plain.js'
import { printRecap } from './recap.js'
import type { Sink } from './sink.js'

/** `abandoned`: the task will not run; `failed` when because its host failed or was unreachable. */
type Outcome = Extract<EngineEvent, { type: 'task-end' }> | { type: 'abandoned'; reason: string; failed?: boolean }
type RunStart = Extract<EngineEvent, { type: 'run-start' }>
type Play = RunStart['plays'][number]
type RoleLines = Play['hosts'][string][number]
/** The next outcome of a host's tasks, in run order. */
type Next = (host: string) => Promise<Outcome>
/** What the lines of a run need: their outcomes, the verbosity, why a host stopped (if it did). */
interface Lines {
  next: Next
  verbosity: number
  stopped(host: string): string | undefined
  /** Called when a play's line starts, to give it its time later. */
  playStarted(index: number, line: { title?: string }): void
}

/**
 * Per host, the task outcomes in run order: a line asks for the next one (`next`) and gets
 * it when the engine delivers it, or at once when it came early; once the host ended
 * (`end`), the lines still waiting, and any that ask later, are settled as not run.
 */
function outcomeQueues() {
  const waiting = new Map<string, ((o: Outcome) => void)[]>() // per host, lines in run order
  const early = new Map<string, Outcome[]>()
  const ended = new Map<string, string>()
  const next: Next = (host) =>
    new Promise((resolve) => {
      const queued = early.get(host)?.shift()
      if (queued) return resolve(queued)
      if (ended.has(host)) return resolve({ type: 'abandoned', reason: ended.get(host)! })
      waiting.set(host, [...(waiting.get(host) ?? []), resolve])
    })
  const deliver = (host: string, o: Outcome): void => {
    const resolve = waiting.get(host)?.shift()
    if (resolve) resolve(o)
    else early.set(host, [...(early.get(host) ?? []), o])
  }
  const end = (host: string, reason: string): void => {
    ended.set(host, reason)
    for (const resolve of waiting.get(host)?.splice(0) ?? []) resolve({ type: 'abandoned', reason })
  }
  return { next, deliver, end }
}

/**
 * One task's line: settled by its outcome (title with the changes and the time, skipped, or
 * failed: a task that did not run because its host was lost is failed too, never a success).
 */
function taskLine(host: string, name: string, lines: Lines): ListrTask {
  return {
    title: name,
    rendererOptions: { outputBar: Infinity, persistentOutput: true },
    task: async (_c, tt) => {
      const o = await lines.next(host)
      if (o.type === 'abandoned' && o.failed) throw new Error(redact(o.reason))
      if (o.type === 'abandoned') return tt.skip(o.reason)
      if (o.status === 'failed' || o.status === 'unreachable')
        throw new Error(redact(o.error?.split('\n')[0] ?? t(`status.${o.status}`)))
      if (o.status === 'skipped') return tt.skip(redact(`${name}: ${t('status.skipped')} ${o.reason ?? ''}`))
      tt.title = redact(`${o.status === 'changed' ? `${name} → ${o.changes.join('; ')}` : name} ${elapsed(o.ms)}`)
      const details = taskDetails(o, lines.verbosity)
      if (details.length) tt.output = redact(details.join('\n'))
    },
  }
}

/** -v: why an unchanged task had nothing to do; -vv, -vvv: its commands and their output. */
function taskDetails(o: Extract<EngineEvent, { type: 'task-end' }>, verbosity: number): string[] {
  const why = verbosity >= 1 && o.status === 'ok' && o.reason ? [o.reason] : []
  return [...why, ...commandLines(o, verbosity)]
}

/** A role's lines, one after another; a failed task ends the role. */
function roleLines(host: string, r: RoleLines, lines: Lines): ListrTask {
  return {
    title: r.role,
    task: (_c, tr) =>
      tr.newListr(
        r.tasks.map((name) => taskLine(host, name, lines)),
        { concurrent: false, exitOnError: true },
      ),
  }
}

/** A host's roles, in order; a host that failed or was lost in an earlier play is skipped here, not run. */
function hostLines(host: string, roles: RoleLines[], lines: Lines): ListrTask {
  return {
    title: host,
    skip: () => {
      const why = lines.stopped(host)
      return why ? `${host}: not run (${why})` : false
    },
    task: (_c, th) =>
      th.newListr(
        roles.map((r) => roleLines(host, r, lines)),
        { concurrent: false, exitOnError: true },
      ),
  }
}

/** A play's hosts, side by side; one host failing does not stop the others. */
function playLines(play: Play, index: number, check: boolean, lines: Lines): ListrTask {
  return {
    title: `${t('run.play', { play: play.name })}${check ? ` (${t('run.checkModeShort')})` : ''}`,
    task: (_c, task) => {
      lines.playStarted(index, task)
      return task.newListr(
        Object.entries(play.hosts).map(([host, roles]) => hostLines(host, roles, lines)),
        { concurrent: true, exitOnError: false },
      )
    },
  }
}

/** The whole run's progress, play after play (those with no host left out); resolves when every line is settled. */
function runProgress(e: RunStart, lines: Lines): Promise<unknown> {
  return new Listr(
    e.plays.flatMap((play, i) => (Object.keys(play.hosts).length ? [playLines(play, i, e.check, lines)] : [])),
    {
      concurrent: false,
      exitOnError: false,
      rendererOptions: { collapseSubtasks: false, collapseErrors: false },
    },
  )
    .run()
    .catch(() => {})
}

/** What a task's end adds below the progress: a handler's status, warnings, the error, diffs. */
function afterTask(e: Extract<EngineEvent, { type: 'task-end' }>, diff: boolean): string[] {
  const lines: string[] = []
  const status = t(`status.${e.status}`)
  if (e.handler) lines.push(`[${e.host}] ${e.role} | ${t('task.handler')} ${e.task}: ${status}`)
  for (const w of e.warnings ?? []) lines.push(`[${e.host}] ${t('task.warning', { warning: w })}`)
  if (e.status === 'failed' || e.status === 'unreachable')
    lines.push(`[${e.host}] ${status.toUpperCase()}\n${indent(e.error ?? '')}`)
  if (diff) for (const d of e.diffs ?? []) lines.push(unifiedDiff(d))
  return lines
}

export function listrRenderer(sink: Sink, opts: { diff: boolean; verbose: number }) {
  const queues = outcomeQueues()
  const stopped = new Map<string, string>() // host → failed | unreachable
  const plays = new Map<number, { title?: string }>()
  const lines: Lines = {
    next: queues.next,
    verbosity: opts.verbose,
    stopped: (host) => stopped.get(host),
    playStarted: (index, line) => plays.set(index, line),
  }
  let recapArgs: [Extract<EngineEvent, { type: 'run-end' }>['recap'], number] | undefined
  const after: string[] = []
  let done: Promise<unknown> = Promise.resolve()

  const render = (e: EngineEvent): void => {
    switch (e.type) {
      case 'run-start': {
        const hostless = hostlessLine(hostlessPlays(e))
        if (hostless) sink.out(hostless + '\n')
        done = runProgress(e, lines)
        break
      }
      case 'host-unreachable':
        stopped.set(e.host, 'unreachable')
        queues.deliver(e.host, { type: 'abandoned', reason: t('status.unreachable'), failed: true })
        after.push(`[${e.host}] ${t('status.unreachable').toUpperCase()} ${e.error}`)
        break
      case 'play-end': {
        const line = plays.get(e.index)
        if (line) line.title = `${line.title} ${elapsed(e.ms)}`
        break
      }
      case 'task-end':
        if (e.status === 'failed' || e.status === 'unreachable') stopped.set(e.host, e.status)
        if (!e.handler) queues.deliver(e.host, e)
        after.push(...afterTask(e, opts.diff))
        break
      case 'host-end':
        // Lines of a host that stopped early never get an event: settle them.
        queues.end(e.host, t('task.notRun', { host: e.host, status: t(`status.${e.status}`) }))
        break
      case 'run-end':
        recapArgs = [e.recap, e.ms]
        break
    }
  }
  const close = async () => {
    await done
    for (const a of after) sink.out(a + '\n')
    if (recapArgs) printRecap(sink, ...recapArgs)
  }
  return { emit: render, close }
}
