import type { HostContext } from './host-context.js'

/** A read-only probe of a host: one shell command and a parser, cached per host per run. */
export interface Fact<T = unknown> {
  /** Cache key, unique per probed thing: `file:/etc/hosts`, `service:apache2`. */
  key: string
  command: string
  parse(result: { code: number | null; stdout: string; stderr: string }): T
}

export interface FileDiff {
  path: string
  before: string
  after: string
}

/**
 * One difference between the host and the wanted state, and how to remove it: a shell
 * command (kept as data, so operations are tested without SSH) or, rarely, a function.
 */
export interface Change {
  summary: string
  diff?: FileDiff
  command?: string
  stdin?: string | Buffer
  /** What error messages show instead of the command (e.g. without a heredoc). */
  display?: string
  apply?(host: HostContext): Promise<void>
  /** A service this change starts: its restart handlers are then skipped this run. */
  starts?: string
}

export interface Plan {
  changes: Change[]
  /** Why nothing needs doing (shown with --verbose and in JSON events). */
  noop?: string
  /** Said on the recap for this host, e.g. "drbd: configuration only". */
  notes?: string[]
  warnings?: string[]
}

/** An idempotent task: read state (facts), compare, return the changes. */
export interface Task {
  name: string
  /** Facts this task reads, fetched for all of a role's tasks in one round trip. */
  facts?(host: HostContext): Fact[]
  plan(host: HostContext): Promise<Plan>
  /**
   * This task's tags for --tags / --skip-tags; the role's name is always added to them
   * (select-tasks.ts). Most operations set their kind here (`packages`, `config`, `service`,
   * `sysctl`, `storage`, `users`, `kernel`); `command` and hand-written tasks set none.
   * A role that sets `tags` replaces the operation's: `{ ...file(...), tags: ['init'] }` has
   * the tags `init` and the role's name, not `config` (write `tags: ['config', 'init']` to keep it).
   */
  tags?: string[]
  /** Handlers (by name) to run once after the role, when this task changed something. */
  notify?: string[]
  /** A reason: the task is skipped (reported as skipped, with it); false or absent: it runs. */
  skip?: string | false
  /**
   * Seconds each of this task's commands may run before it is stopped with all it started
   * (exit 124). Default: the host's `halab_command_timeout`, else 20 minutes.
   */
  timeout?: number
}

/** `unreachable`: the connection was lost during the task; the host counts as unreachable (exit 4). */
export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable'
