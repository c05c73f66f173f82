// One task on one host: plan from facts, then apply the changes unless in check mode.
import { ConnectionLostError, TaskError, UnreachableError, renderError } from '../errors.js'
import type { HostContext } from './host-context.js'
import type { CommandRecord, Emit } from './events.js'
import type { FileDiff, Task, TaskStatus } from './types.js'

export async function runTask(
  host: HostContext,
  role: string,
  task: Task,
  emit: Emit,
  handler = false,
): Promise<TaskStatus> {
  const started = performance.now()
  const base = { host: host.name, role, task: task.name, handler }
  emit({ type: 'task-start', ...base })
  let warnings: string[] | undefined
  const commands: CommandRecord[] | undefined = host.mode.commands ? [] : undefined
  host.commandLog = commands
  const end = (
    status: TaskStatus,
    extra: { changes?: string[]; reason?: string; error?: string; diffs?: FileDiff[] } = {},
  ) => {
    emit({
      type: 'task-end',
      ...base,
      status,
      changes: extra.changes ?? [],
      diffs: extra.diffs,
      reason: extra.reason,
      error: extra.error,
      warnings,
      commands: commands?.length ? commands : undefined,
      ms: Math.round(performance.now() - started),
    })
    return status
  }
  if (task.skip) return end('skipped', { reason: task.skip })
  host.commandTimeoutMs = task.timeout !== undefined ? task.timeout * 1000 : undefined
  try {
    const plan = await task.plan(host)
    warnings = plan.warnings?.length ? plan.warnings : undefined
    for (const n of plan.notes ?? []) emit({ type: 'host-note', host: host.name, note: n })
    if (!plan.changes.length) return end('ok', { reason: plan.noop })
    const diffs = plan.changes.flatMap((c) => (c.diff ? [c.diff] : []))
    if (!host.mode.check) {
      try {
        for (const change of plan.changes) {
          if (change.apply) await change.apply(host)
          else if (change.command) await host.run(change.command, { stdin: change.stdin, display: change.display })
          if (change.starts) host.startedServices.add(change.starts)
        }
      } finally {
        host.invalidateFacts()
      }
    }
    return end('changed', {
      changes: plan.changes.map((c) => (host.mode.check ? `would ${c.summary}` : c.summary)),
      diffs,
    })
  } catch (e) {
    const where = `${host.name} | ${role} | ${task.name}`
    if (lostHost(e)) return end('unreachable', { error: `${where}: ${renderError(e)}` })
    const err = e instanceof TaskError ? e : new TaskError(`${(e as Error).message}`)
    return end('failed', { error: `${where}: ${renderError(err)}` })
  } finally {
    host.commandTimeoutMs = undefined
    host.commandLog = undefined
  }
}

/** The host went away under the task (as Ansible says: UNREACHABLE, not FAILED). */
function lostHost(e: unknown): boolean {
  return e instanceof ConnectionLostError || e instanceof UnreachableError
}
