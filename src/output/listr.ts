// On a TTY: listr2 progress — per play the hosts in parallel, per host its roles in
// order, per role a line per task. The engine runs on its own; this only listens and
// resolves each line when its task-end event arrives. Diffs and errors in full, then
// the recap, come after the progress.
import { Listr, type ListrTask } from 'listr2'
import type { EngineEvent } from '../engine/events.js'
import { redact } from '../secrets.js'
import { unifiedDiff } from './diff.js'
import { indent } from './plain.js'
import { printRecap } from './recap.js'
import type { Sink } from './sink.js'

type Outcome = Extract<EngineEvent, { type: 'task-end' }> | { type: 'abandoned'; reason: string }
interface Waiter {
  resolve(o: Outcome): void
}

export function listrRenderer(sink: Sink, opts: { diff: boolean }) {
  const waiting = new Map<string, Waiter[]>() // per host, leaves in run order
  const early = new Map<string, Outcome[]>()
  const ended = new Map<string, string>()
  let recapArgs: [Extract<EngineEvent, { type: 'run-end' }>['recap'], number] | undefined
  const after: string[] = []
  let done: Promise<unknown> = Promise.resolve()

  const next = (host: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const queued = early.get(host)?.shift()
      if (queued) return resolve(queued)
      if (ended.has(host)) return resolve({ type: 'abandoned', reason: ended.get(host)! })
      waiting.set(host, [...(waiting.get(host) ?? []), { resolve }])
    })
  const deliver = (host: string, o: Outcome) => {
    const w = waiting.get(host)?.shift()
    if (w) w.resolve(o)
    else early.set(host, [...(early.get(host) ?? []), o])
  }

  const render = (e: EngineEvent): void => {
    switch (e.type) {
      case 'run-start': {
        const tasks: ListrTask[] = e.plays.map((play) => ({
          title: `PLAY ${play.name}${e.check ? ' (check mode)' : ''}`,
          task: (_c, t) =>
            t.newListr(
              Object.entries(play.hosts).map(([host, roles]) => ({
                title: host,
                task: (_c2, th) =>
                  th.newListr(
                    roles.map((r) => ({
                      title: r.role,
                      task: (_c3, tr) =>
                        tr.newListr(
                          r.tasks.map((name) => ({
                            title: name,
                            task: async (_c4, tt) => {
                              const o = await next(host)
                              if (o.type === 'abandoned') return tt.skip(o.reason)
                              if (o.status === 'failed' || o.status === 'unreachable')
                                throw new Error(redact(o.error?.split('\n')[0] ?? o.status))
                              if (o.status === 'skipped') return tt.skip(redact(`${name}: skipped ${o.reason ?? ''}`))
                              tt.title = redact(
                                o.status === 'changed' ? `${name} → ${o.changes.join('; ')}` : `${name}`,
                              )
                            },
                          })),
                          { concurrent: false, exitOnError: true },
                        ),
                    })),
                    { concurrent: false, exitOnError: true },
                  ),
              })),
              { concurrent: true, exitOnError: false },
            ),
        }))
        done = new Listr(tasks, {
          concurrent: false,
          exitOnError: false,
          rendererOptions: { collapseSubtasks: false, collapseErrors: false },
        })
          .run()
          .catch(() => {})
        break
      }
      case 'host-unreachable':
        deliver(e.host, { type: 'abandoned', reason: 'unreachable' })
        after.push(`[${e.host}] UNREACHABLE ${e.error}`)
        break
      case 'task-end':
        if (!e.handler) deliver(e.host, e)
        if (e.handler) after.push(`[${e.host}] ${e.role} | handler ${e.task}: ${e.status}`)
        for (const w of e.warnings ?? []) after.push(`[${e.host}] warning: ${w}`)
        if (e.status === 'failed' || e.status === 'unreachable')
          after.push(`[${e.host}] ${e.status.toUpperCase()}\n${indent(e.error ?? '')}`)
        if (opts.diff) for (const d of e.diffs ?? []) after.push(unifiedDiff(d))
        break
      case 'host-end':
        // Lines of a host that stopped early never get an event: settle them.
        ended.set(e.host, `not run: ${e.host} ${e.status}`)
        for (const w of waiting.get(e.host)?.splice(0) ?? [])
          w.resolve({ type: 'abandoned', reason: `not run: ${e.host} ${e.status}` })
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
