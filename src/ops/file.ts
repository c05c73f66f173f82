// `file`: a file's content, owner, group and mode. Content is compared by hash, written
// to a temporary file in the same directory, validated there by the service's own
// checker, the old file kept as FILE.halab-bak, and renamed into place atomically.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileContent, fileState, type FileState } from '../facts/files.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { sh, raw } from '../transport/quote.js'
import { checkAbsolute, checkAccount } from './names.js'

export interface FileSpec {
  path: string
  /** The wanted content; omit to manage only ownership and mode of an existing file. */
  content?: string | Buffer
  /** A local file to copy (instead of content). */
  src?: string
  owner?: string
  group?: string
  /** Octal as a string ("0640") or a number as YAML 1.1 reads 0640 (416). */
  mode?: string | number
  /** Checker run on the candidate before it goes live; `%s` is the candidate's path. */
  validate?: string
  /** Keep the previous content as PATH.halab-bak (default: yes, unless sensitive). */
  backup?: boolean
  /** Diffs show only that it changed (secrets, binaries); no backup of its old content is left. */
  sensitive?: boolean
  name?: string
  notify?: string[]
}

export function normalizeMode(mode: string | number | undefined): string | undefined {
  if (mode === undefined) return undefined
  const octal = typeof mode === 'number' ? mode.toString(8) : mode.replace(/^0+(?=\d)/, '')
  if (!/^[0-7]{3,4}$/.test(octal)) throw new Error(`invalid file mode ${String(mode)} (expected octal such as "0644")`)
  return octal.replace(/^0(?=\d{3}$)/, '')
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** The decision, as data: what differs between `current` and the spec. */
export function planFile(current: FileState, spec: FileSpec, content: Buffer | undefined, before?: string): Change[] {
  const mode = normalizeMode(spec.mode)
  checkFileSpec(spec)
  const changes: Change[] = []
  if (current.exists && current.type !== 'file')
    throw new Error(`${spec.path} exists but is a ${current.type}, not a file: move it away first`)
  if (content !== undefined && (!current.exists || current.sha256 !== sha256(content))) {
    const diff = spec.sensitive
      ? {
          path: spec.path,
          before: current.exists ? '(sensitive content)\n' : '',
          after: '(sensitive content, changed)\n',
        }
      : { path: spec.path, before: before ?? '', after: content.toString('utf8') }
    changes.push({
      summary: current.exists ? `update ${spec.path}` : `create ${spec.path}`,
      diff,
      command: writeCommand(spec.path, current, spec, mode),
      display: `write ${spec.path} (atomic rename${spec.validate ? `, validated by: ${spec.validate}` : ''})`,
      stdin: content,
    })
    return changes
  }
  if (!current.exists) {
    if (content === undefined) throw new Error(`${spec.path} does not exist and no content was given`)
    return changes
  }
  if (spec.owner && spec.owner !== current.owner)
    changes.push({
      summary: `owner ${current.owner} → ${spec.owner}`,
      command: sh`chown -- ${spec.owner} ${spec.path}`,
    })
  if (spec.group && spec.group !== current.group)
    changes.push({
      summary: `group ${current.group} → ${spec.group}`,
      command: sh`chgrp -- ${spec.group} ${spec.path}`,
    })
  if (mode && mode !== current.mode)
    changes.push({ summary: `mode ${current.mode} → ${mode}`, command: sh`chmod -- ${mode} ${spec.path}` })
  return changes
}

/**
 * Shell text that runs `cleanup` when the command ends, also when it is stopped: a signal's default action would
 * end the shell without its EXIT trap, and a run killed mid-write (its host's watcher sends TERM) would leave the
 * temp file behind, maybe holding a secret.
 */
export function cleanupOnExit(cleanup: string): string {
  return `trap '${cleanup}' EXIT; trap 'exit 143' TERM; trap 'exit 129' HUP; trap 'exit 130' INT`
}

/** Owner and group names, and the path, before any of them reaches a command line. */
export function checkFileSpec(spec: Pick<FileSpec, 'path' | 'owner' | 'group'>): void {
  checkAbsolute(spec.path)
  if (spec.owner !== undefined) checkAccount(spec.owner, `owner of ${spec.path}:`)
  if (spec.group !== undefined) checkAccount(spec.group, `group of ${spec.path}:`)
}

function writeCommand(path: string, current: FileState, spec: FileSpec, mode: string | undefined): string {
  const dir = path.replace(/\/[^/]*$/, '') || '/'
  const base = path.slice(dir.length + 1)
  // mktemp makes the candidate 0600 and empty. It gets its final owner and mode (the old
  // file's, then the spec's) before a byte is written, so a reader never sees the content
  // under a looser mode; a validator sees it as it will be.
  const steps = [sh`t=$(mktemp -p ${dir} ${'.' + base + '.halabXXXXXX'}) || exit 1`, cleanupOnExit('rm -f "$t"')]
  if (current.exists) steps.push(sh`chown --reference=${path} -- "$t"`)
  if (spec.owner) steps.push(sh`chown -- ${spec.owner} "$t"`)
  if (spec.group) steps.push(sh`chgrp -- ${spec.group} "$t"`)
  steps.push(
    mode ? sh`chmod -- ${mode} "$t"` : current.exists ? sh`chmod --reference=${path} -- "$t"` : 'chmod 644 "$t"',
  )
  steps.push(`cat > "$t"`)
  // In a subshell: the checker may be several commands, and must not end the chain.
  if (spec.validate) steps.push(`( ${spec.validate.split('%s').join('"$t"')} )`)
  // A sensitive file's old content is an old secret: not left behind (settings.php's would be under the web root).
  if (current.exists && (spec.backup ?? !spec.sensitive)) steps.push(sh`cp -p ${path} ${path + '.halab-bak'}`)
  steps.push(sh`mv -f "$t" ${path}`, `trap - EXIT`)
  return raw(steps.join(' && ')).text
}

/** `content`: what the task writes, for a plan read as data (the unit tests). */
export function file(spec: FileSpec): Task & { content?: Buffer } {
  const content = spec.content !== undefined ? Buffer.from(spec.content) : spec.src ? readFileSync(spec.src) : undefined
  return {
    tags: ['config'],
    name: spec.name ?? `file ${spec.path}`,
    content,
    notify: spec.notify,
    facts: () => [fileState(spec.path)],
    async plan(host: HostContext): Promise<Plan> {
      const current = await host.fact(fileState(spec.path))
      let before: string | undefined
      if (
        host.mode.diff &&
        current.exists &&
        content !== undefined &&
        current.sha256 !== sha256(content) &&
        !spec.sensitive
      )
        before = await host.fact(fileContent(spec.path))
      const changes = planFile(current, spec, content, before)
      return changes.length ? { changes } : { changes, noop: `${spec.path} is as wanted` }
    },
  }
}
