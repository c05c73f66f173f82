// The small family of errors halab raises on purpose. Each carries a stable code and
// renders itself for people: what failed, where, and what to do next.
import { t } from './i18n.js'
import { printable } from './output/printable.js'

export type ErrorCode = 'INVENTORY' | 'TEMPLATE' | 'TASK' | 'UNREACHABLE' | 'HOSTKEY' | 'USAGE' | 'LAB'

export abstract class HalabError extends Error {
  abstract readonly code: ErrorCode
  /** One or more lines for a person; `hint` says what to try next. */
  render(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message
  }
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/** One problem found while validating input: a file, a line when known, a host, a field. */
export interface InputProblem {
  file?: string
  line?: number
  host?: string
  /** Set by foldProblems: the same problem on each of these hosts. */
  hosts?: string[]
  field?: string
  message: string
}

export function formatProblem(p: InputProblem): string {
  const where = [
    p.file && (p.line ? `${p.file}:${p.line}` : p.file),
    p.hosts ? t('error.whereHosts', { hosts: p.hosts.join(', ') }) : p.host && t('error.whereHost', { host: p.host }),
    p.field && t('error.whereField', { field: p.field }),
  ]
    .filter(Boolean)
    .join(', ')
  return where ? `${where}: ${p.message}` : p.message
}

/**
 * The same problem (file, line, field, message) on several hosts, as one ("hosts a, b: ..."):
 * a group variable wrong for 4 hosts is one thing to fix, not 4. Order: first occurrence.
 */
export function foldProblems(problems: InputProblem[]): InputProblem[] {
  const byKey = new Map<string, InputProblem>()
  for (const p of problems) {
    const key = JSON.stringify([p.file, p.line, p.field, p.message, p.host === undefined])
    const seen = byKey.get(key)
    if (!seen) byKey.set(key, { ...p })
    else if (p.host !== undefined && !(seen.hosts ?? [seen.host]).includes(p.host))
      seen.hosts = [...(seen.hosts ?? [seen.host!]), p.host]
  }
  return [...byKey.values()]
}

/** Invalid inventory, variables or playbook: every problem at once, nothing has run (exit 3). */
export class InventoryError extends HalabError {
  readonly code = 'INVENTORY'
  constructor(readonly problems: InputProblem[]) {
    const folded = foldProblems(problems)
    super(
      `${t('error.invalidInput', { count: folded.length })}\n` +
        folded.map((p) => `  - ${formatProblem(p)}`).join('\n'),
      t('error.fixProblems'),
    )
  }
}

export class UsageError extends HalabError {
  readonly code = 'USAGE'
}

export class TemplateError extends HalabError {
  readonly code = 'TEMPLATE'
}

export class UnreachableError extends HalabError {
  readonly code = 'UNREACHABLE'
  /** What happened, without the host's name in front (the message has it). */
  readonly detail: string
  constructor(
    readonly host: string,
    message: string,
    hint?: string,
  ) {
    super(t('error.unreachable', { host, message }), hint)
    this.detail = message
  }
}

/** Nothing answered: the TCP connection was refused or timed out, or the SSH handshake never finished. */
export class NoAnswerError extends UnreachableError {}

/**
 * The connection, or the host's shell, went away while commands were running or queued:
 * the host counts as unreachable (exit 4), not as a failed task.
 */
export class ConnectionLostError extends HalabError {
  readonly code = 'UNREACHABLE'
  constructor(message: string) {
    super(message, t('error.connectionLostHint'))
  }
}

export class HostKeyError extends HalabError {
  readonly code = 'HOSTKEY'
  constructor(
    readonly host: string,
    message: string,
    hint: string,
  ) {
    super(`${host}: ${message}`, hint)
  }
}

/** A remote command that exited non-zero, with what a person needs to see. */
export class TaskError extends HalabError {
  readonly code = 'TASK'
  constructor(
    message: string,
    readonly detail: { command?: string; exitCode?: number | null; stderr?: string; stdout?: string } = {},
    hint?: string,
  ) {
    super(message, hint)
  }
  override render(): string {
    const lines = [this.message]
    if (this.detail.command) lines.push(`  ${t('error.command')}: ${printable(this.detail.command)}`)
    if (this.detail.exitCode !== undefined)
      lines.push(
        `  ${t('error.exitCode')}: ${this.detail.exitCode ?? t('error.noExitCode')}${meaning(this.detail.exitCode)}`,
      )
    const tail = printable(lastLines(this.detail.stderr || this.detail.stdout || '', 8))
    if (tail) lines.push(`  ${t('error.output')}:`, ...tail.split('\n').map((l) => `    ${l}`))
    if (this.hint) lines.push(`  → ${this.hint}`)
    return lines.join('\n')
  }
}

function meaning(code: number | null | undefined): string {
  if (code === 127) return ` (${t('error.exit127')})`
  if (code === 126) return ` (${t('error.exit126')})`
  if (code === 124) return ` (${t('error.exit124')})`
  return ''
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n')
}

export function renderError(err: unknown): string {
  if (err instanceof HalabError) return err.render()
  if (err instanceof Error) return err.message
  return String(err)
}
