// --tags, --skip-tags and --start-at-task: which of the prepared tasks a run keeps, as
// ansible-playbook chooses them. Pure: prepared plays in, fewer tasks out, and a problem
// (exit 3, nothing runs) for a tag or a task name that no task of the run has.
import type { InputProblem } from '../errors.js'
import type { PreparedPlay, PreparedRole } from './prepare.js'
import type { Task } from './types.js'
import { globRegExp, isGlob } from './glob.js'
import { t } from '../i18n.js'

export interface TaskSelection {
  tags?: string[]
  skipTags?: string[]
  /** A task's name, or `role : name` as ansible-playbook --list-tasks shows it. */
  startAt?: string
}

/**
 * Ansible's special tags: `all` and `tagged` pick every task (each one carries at least its
 * role's name), `untagged` the tasks with no tag, hence none.
 */
const EVERY = new Set(['all', 'tagged'])
const UNTAGGED = 'untagged'

/** What a --tags/--skip-tags value picks: a tag, a special tag, or a wildcard such as `conf*`. */
function tagPattern(pattern: string): (tags: string[]) => boolean {
  if (EVERY.has(pattern)) return () => true
  if (pattern === UNTAGGED) return (tags) => !tags.length
  const re = globRegExp(pattern)
  return (tags) => tags.some((t) => re.test(t))
}

/** A task's tags: its role's name, then its own (the operation's kind, the role's). */
export function taskTags(role: string, task: Task): string[] {
  return [...new Set([role, ...(task.tags ?? [])])]
}

/** The tags a play's tasks carry, on any of its hosts: sorted, once each. */
export function playTags(play: PreparedPlay): string[] {
  const tags = new Set<string>()
  for (const roles of play.hosts.values())
    for (const r of roles) for (const t of r.tasks) for (const tag of taskTags(r.role, t)) tags.add(tag)
  return [...tags].sort()
}

export function selectTasks(plays: PreparedPlay[], sel: TaskSelection, problems: InputProblem[]): PreparedPlay[] {
  problems.push(...unknownTags(plays, sel))
  const started = sel.startAt ? startAtTask(plays, sel.startAt, problems) : plays
  const wanted = sel.tags?.length ? sel.tags.map(tagPattern) : undefined
  const skipped = (sel.skipTags ?? []).map(tagPattern)
  if (!wanted && !skipped.length) return started
  const keep = (role: string, task: Task) => {
    const tags = taskTags(role, task)
    return (!wanted || wanted.some((m) => m(tags))) && !skipped.some((m) => m(tags))
  }
  return started.map((p) => mapTasks(p, (r) => r.tasks.filter((t) => keep(r.role, t))))
}

/** Each host leaves out every task before the first one named `name` (plays in order). */
function startAtTask(plays: PreparedPlay[], name: string, problems: InputProblem[]): PreparedPlay[] {
  const reached = new Set<string>()
  const named = (role: string, t: Task) => t.name === name || `${role} : ${t.name}` === name
  const out = plays.map((p) =>
    mapTasks(p, (r, host) =>
      r.tasks.filter((t) => {
        if (!reached.has(host) && named(r.role, t)) reached.add(host)
        return reached.has(host)
      }),
    ),
  )
  if (!reached.size)
    problems.push({
      field: '--start-at-task',
      message: t('select.noStartTask', { name }),
    })
  return out
}

/** The play with each role's tasks replaced; roles left with none, and hosts left with no role, dropped. */
function mapTasks(play: PreparedPlay, tasks: (role: PreparedRole, host: string) => Task[]): PreparedPlay {
  const hosts = new Map<string, PreparedRole[]>()
  for (const [host, roles] of play.hosts) {
    const kept = roles.map((r) => ({ ...r, tasks: tasks(r, host) })).filter((r) => r.tasks.length)
    if (kept.length) hosts.set(host, kept)
  }
  return { ...play, hosts }
}

/** A problem for each --tags/--skip-tags value that picks no task of the run. */
function unknownTags(plays: PreparedPlay[], sel: TaskSelection): InputProblem[] {
  const tagLists = plays.flatMap((p) =>
    [...p.hosts.values()].flatMap((roles) => roles.flatMap((r) => r.tasks.map((t) => taskTags(r.role, t)))),
  )
  const tags = [...new Set(tagLists.flat())].sort().join(', ')
  return (['tags', 'skipTags'] as const).flatMap((k) =>
    (sel[k] ?? [])
      .filter((pattern) => !tagLists.some(tagPattern(pattern)))
      .map((pattern) => ({ field: k === 'tags' ? '--tags' : '--skip-tags', message: noTaskPicked(pattern, tags) })),
  )
}

function noTaskPicked(pattern: string, tags: string): string {
  if (pattern === UNTAGGED) return t('select.untagged', { tag: pattern })
  if (isGlob(pattern)) return t('select.noTagMatches', { pattern, tags })
  return t('select.noTag', { tag: pattern, tags })
}
