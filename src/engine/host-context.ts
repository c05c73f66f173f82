// Everything a task sees of one host during a run: its variables, its transport, the
// fact cache, and the run's mode (check / diff). Facts are re-read after any change
// this run makes on the host, so no task plans from stale state.
import { TaskError } from '../errors.js'
import { t } from '../i18n.js'
import type { InventoryHost } from '../inventory/types.js'
import type { ExecResult, Transport } from '../transport/types.js'
import type { Fact } from './types.js'
import type { CommandRecord } from './events.js'

export interface RunMode {
  check: boolean
  diff: boolean
  /** Record the commands each task runs and their output (-vv, -vvv). */
  commands?: boolean
}

export class HostContext {
  private readonly facts = new Map<string, unknown>()
  /** Services this run started: their restart handlers have nothing left to do. */
  readonly startedServices = new Set<string>()
  /** The running task's `timeout` in ms; undefined: the transport's (halab_command_timeout, else 20 min). */
  commandTimeoutMs: number | undefined
  /** The running task's commands, when the run records them (RunMode.commands). */
  commandLog: CommandRecord[] | undefined

  constructor(
    readonly inventoryHost: InventoryHost,
    readonly transport: Transport,
    readonly mode: RunMode,
    /** Every host of the inventory, for roles that compute peers (ucast, /etc/hosts). */
    readonly allHosts: Map<string, InventoryHost>,
  ) {}

  get name(): string {
    return this.inventoryHost.name
  }

  get vars(): Record<string, unknown> {
    return this.inventoryHost.vars
  }

  /** Run a command; a non-zero exit throws a TaskError unless `allowFailure`. */
  async run(
    command: string,
    opts: { stdin?: string | Buffer; allowFailure?: boolean; display?: string; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs
    const result = await this.transport.exec(command, { stdin: opts.stdin, timeoutMs })
    this.commandLog?.push({
      command: opts.display ?? command,
      code: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
    })
    if (result.code !== 0 && !opts.allowFailure)
      throw new TaskError(
        t('error.commandFailed', { host: this.name }),
        { command: opts.display ?? command, exitCode: result.code, stderr: result.stderr, stdout: result.stdout },
        nextStep(this.name, result.code),
      )
    return result
  }

  async fact<T>(fact: Fact<T>): Promise<T> {
    if (!this.facts.has(fact.key)) await this.prefetch([fact])
    const value = this.facts.get(fact.key)
    if (value instanceof FactError) throw value.cause
    return value as T
  }

  /** Fetch every fact not yet cached in one round trip. */
  async prefetch(facts: Fact[]): Promise<void> {
    const missing = [...new Map(facts.filter((f) => !this.facts.has(f.key)).map((f) => [f.key, f])).values()]
    if (!missing.length) return
    const timeoutMs = this.commandTimeoutMs
    const results = await this.transport.execBatch(missing.map((f) => ({ command: f.command, timeoutMs })))
    missing.forEach((f, i) => {
      try {
        this.facts.set(f.key, f.parse(results[i]))
      } catch (e) {
        // Kept as the value: only the task that reads this fact fails, with this error.
        this.facts.set(f.key, new FactError(e as Error))
      }
    })
  }

  /** After a change: anything read before may be stale. */
  invalidateFacts(): void {
    this.facts.clear()
  }
}

class FactError {
  constructor(readonly cause: Error) {}
}

function nextStep(host: string, code: number | null): string {
  if (code === 127) return t('error.nextNotInstalled', { host })
  if (code === null) return t('error.nextConnectionLost', { host })
  return t('error.nextFix', { host })
}
