// `line`: one line of a text file, present (replacing the last line a regexp matches, or
// appended) or absent. The new content is computed here, locally, and written through
// planFile: the same diff, validation and atomic rename as a whole file.
import { fileContent, fileState, type FileState } from '../facts/files.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { normalizeMode, planFile, type FileSpec } from './file.js'

/** What line, block, sysctl and mount share: the file and how it is written. */
export interface TextFileSpec {
  path: string
  /** Create the file when missing (default true); false makes a missing file an error. */
  create?: boolean
  owner?: string
  group?: string
  mode?: string | number
  /** Checker run on the candidate before it goes live; `%s` is the candidate's path. */
  validate?: string
  /** Keep the previous content as PATH.halab-bak (default true). */
  backup?: boolean
  name?: string
  notify?: string[]
}

export interface LineSpec extends TextFileSpec {
  /** The wanted line (required when present; without regexp, also what absent removes). */
  line?: string
  /** Lines this matches are the line's previous versions: the last is replaced, all are removed when absent. */
  regexp?: string | RegExp
  state?: 'present' | 'absent'
}

/** Lines without their terminators; a missing final newline is added by any edit. */
export function splitLines(content: string): string[] {
  const lines = content.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

export function joinLines(lines: string[]): string {
  return lines.map((l) => l + '\n').join('')
}

function matcher(regexp: string | RegExp): RegExp {
  // A global regexp remembers lastIndex between test() calls: use a fresh, stateless one.
  return typeof regexp === 'string' ? new RegExp(regexp) : new RegExp(regexp.source, regexp.flags.replace(/[gy]/g, ''))
}

function lastIndexWhere<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i
  return -1
}

/** The file's new content (the old one, untouched, when nothing needs to change). */
export function editLines(content: string | undefined, spec: LineSpec): string {
  const before = content ?? ''
  const lines = splitLines(before)
  const re = spec.regexp !== undefined ? matcher(spec.regexp) : undefined
  const matches = (l: string) => (re ? re.test(l) : l === spec.line)

  if (spec.state === 'absent') {
    const kept = lines.filter((l) => !matches(l))
    return kept.length === lines.length ? before : joinLines(kept)
  }
  const line = spec.line as string
  const last = re ? lastIndexWhere(lines, (l) => re.test(l)) : -1
  if (last >= 0) {
    if (lines[last] === line) return before
    return joinLines(lines.map((l, i) => (i === last ? line : l)))
  }
  if (lines.includes(line)) return before
  return joinLines([...lines, line])
}

/** Every input mistake at once, before anything runs. */
export function lineSpecProblems(spec: LineSpec): string[] {
  const problems: string[] = []
  if (spec.state !== 'absent' && spec.line === undefined) problems.push('`line` is required unless state is absent')
  if (spec.state === 'absent' && spec.line === undefined && spec.regexp === undefined)
    problems.push('absent needs `line` or `regexp`')
  if (spec.line?.includes('\n')) problems.push('`line` must be a single line (use `block` for several)')
  if (typeof spec.regexp === 'string') {
    try {
      new RegExp(spec.regexp)
    } catch (e) {
      problems.push(`invalid regexp: ${(e as Error).message}`)
    }
  }
  return problems
}

/**
 * Write `after` as the file's content through planFile (diff, validate, atomic rename),
 * and fix ownership/mode. A missing file that would stay empty is left missing.
 */
export function planTextFile(
  current: FileState,
  before: string | undefined,
  after: string,
  spec: TextFileSpec,
): Change[] {
  if (!current.exists) {
    if (after === '') return []
    if (spec.create === false) throw new Error(`${spec.path} does not exist (create: false)`)
  }
  const fileSpec: FileSpec = {
    path: spec.path,
    owner: spec.owner,
    group: spec.group,
    mode: spec.mode,
    validate: spec.validate,
    backup: spec.backup,
  }
  return planFile(current, fileSpec, Buffer.from(after), before ?? '')
}

export function planLine(current: FileState, content: string | undefined, spec: LineSpec): Change[] {
  return planTextFile(current, content, editLines(content, spec), spec)
}

/** Read a text file's state and content (one batch), for the ops that edit files. */
export async function readTextFile(
  host: HostContext,
  path: string,
): Promise<{ current: FileState; content: string | undefined }> {
  await host.prefetch([fileState(path), fileContent(path)])
  const current = await host.fact(fileState(path))
  return { current, content: current.exists ? await host.fact(fileContent(path)) : undefined }
}

/** Throws one error listing every problem of a spec (and a relative path or bad mode). */
export function assertValidSpec(op: string, spec: TextFileSpec, problems: string[]): void {
  if (!spec.path.startsWith('/')) problems.unshift(`path must be absolute, got ${JSON.stringify(spec.path)}`)
  try {
    normalizeMode(spec.mode)
  } catch (e) {
    problems.push((e as Error).message)
  }
  if (problems.length) throw new Error(`${op} ${spec.path}: ${problems.join('; ')}`)
}

export function line(spec: LineSpec): Task {
  assertValidSpec('line', spec, lineSpecProblems(spec))
  return {
    tags: ['config'],
    name: spec.name ?? `line in ${spec.path}`,
    notify: spec.notify,
    facts: () => [fileState(spec.path), fileContent(spec.path)],
    async plan(host: HostContext): Promise<Plan> {
      const { current, content } = await readTextFile(host, spec.path)
      const changes = planLine(current, content, spec)
      if (changes.length) return { changes }
      return { changes, noop: spec.state === 'absent' ? `no such line in ${spec.path}` : `${spec.path} has the line` }
    },
  }
}
