// `command`: a raw shell command, which halab cannot compare with anything. Guards make
// it idempotent from the real state: `creates` (skip when the path exists), `removes`
// (skip when it is missing), `unless` (skip when a read-only check succeeds). Without
// a guard it runs, and says it is changed, every time.
import { commandSucceeds, pathExists } from '../facts/files.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Fact, Plan, Task } from '../engine/types.js'
import { sh } from '../transport/quote.js'

export interface CommandSpec {
  /** Shell command line, run by `sh` as written (it is the one place raw shell is meant). */
  command: string
  /** Skip when this path exists (what the command makes). Relative to chdir when given. */
  creates?: string
  /** Skip when this path does not exist (what the command consumes). */
  removes?: string
  /** Skip when this read-only check command succeeds (same chdir and env). */
  unless?: string
  chdir?: string
  env?: Record<string, string | number>
  name?: string
  notify?: string[]
  /** Seconds the command may run (default: the host's halab_command_timeout, else 20 min). */
  timeout?: number
}

/** What the guards found on the host: whether each path exists, whether `unless` succeeded. */
export interface CommandGuards {
  creates?: boolean
  removes?: boolean
  unless?: boolean
}

export const NON_IDEMPOTENT = 'non-idempotent command (no creates/removes/unless guard)'

/** `command` wrapped in the spec's directory and environment, as one shell command. */
export function commandLine(spec: CommandSpec, command: string): string {
  if (!spec.chdir && !spec.env) return command
  const env = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`)
  const run = env.length ? sh`env ${env} sh -c ${command}` : sh`sh -c ${command}`
  return spec.chdir ? sh`cd ${spec.chdir}` + ` && ${run}` : run
}

/** Guard paths are relative to chdir, as the command sees them. */
export function guardPath(spec: CommandSpec, path: string): string {
  return spec.chdir && !path.startsWith('/') ? `${spec.chdir.replace(/\/+$/, '')}/${path}` : path
}

export function commandSkipReason(guards: CommandGuards, spec: CommandSpec): string | undefined {
  if (spec.creates !== undefined && guards.creates) return `${spec.creates} exists`
  if (spec.removes !== undefined && guards.removes === false) return `${spec.removes} does not exist`
  if (spec.unless !== undefined && guards.unless) return `\`${spec.unless}\` succeeded`
  return undefined
}

function shortened(command: string): string {
  const first = command.trim().split('\n')[0]
  return first.length > 80 || command.trim().includes('\n') ? `${first.slice(0, 77)}…` : first
}

/** The decision, as data. (In check mode the engine says "would run: …".) */
export function planCommand(guards: CommandGuards, spec: CommandSpec): Change[] {
  if (commandSkipReason(guards, spec)) return []
  const guarded = spec.creates !== undefined || spec.removes !== undefined || spec.unless !== undefined
  const summary = `run: ${shortened(spec.command)}${guarded ? '' : ` — ${NON_IDEMPOTENT}`}`
  return [{ summary, command: commandLine(spec, spec.command) }]
}

function commandSpecProblems(spec: CommandSpec): string[] {
  const problems: string[] = []
  if (!spec.command?.trim()) problems.push('`command` is empty')
  for (const name of Object.keys(spec.env ?? {}))
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.push(`env: ${JSON.stringify(name)} is not a variable name`)
  for (const field of ['creates', 'removes', 'unless', 'chdir'] as const)
    if (spec[field] !== undefined && !spec[field]) problems.push(`\`${field}\` is empty`)
  return problems
}

export function command(spec: CommandSpec): Task {
  const problems = commandSpecProblems(spec)
  if (problems.length) throw new Error(`command ${JSON.stringify(spec.name ?? spec.command)}: ${problems.join('; ')}`)
  const probes = {
    creates: spec.creates !== undefined ? pathExists(guardPath(spec, spec.creates)) : undefined,
    removes: spec.removes !== undefined ? pathExists(guardPath(spec, spec.removes)) : undefined,
    unless: spec.unless !== undefined ? commandSucceeds(commandLine(spec, spec.unless)) : undefined,
  }
  return {
    name: spec.name ?? `command ${shortened(spec.command)}`,
    notify: spec.notify,
    timeout: spec.timeout,
    facts: () => Object.values(probes).filter((f): f is Fact<boolean> => f !== undefined),
    async plan(host: HostContext): Promise<Plan> {
      const guards: CommandGuards = {
        creates: probes.creates && (await host.fact(probes.creates)),
        removes: probes.removes && (await host.fact(probes.removes)),
        unless: probes.unless && (await host.fact(probes.unless)),
      }
      const changes = planCommand(guards, spec)
      return changes.length ? { changes } : { changes, noop: `skipped: ${commandSkipReason(guards, spec)}` }
    },
  }
}
