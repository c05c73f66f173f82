// Files and directories: type, ownership, mode, and a content hash (the content itself
// is read only when a diff is wanted); whether a path exists, whether a directory is
// empty, whether a check command succeeds.
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface FileState {
  exists: boolean
  type?: 'file' | 'directory' | 'symlink' | 'other'
  owner?: string
  group?: string
  /** Octal string without leading zero, as stat prints it: "644". */
  mode?: string
  sha256?: string
}

export function fileState(path: string): Fact<FileState> {
  return {
    key: `file:${path}`,
    // The hash is read from stdin: no file name in sha256sum's answer (it escapes names
    // holding a backslash or a newline), and no `cut` process per file.
    command:
      sh`p=${path}; if [ -e "$p" ] || [ -L "$p" ]; ` +
      sh`then stat -c '%F|%U|%G|%a' -- "$p" && { [ ! -f "$p" ] || [ -L "$p" ] || sha256sum <"$p"; ` +
      sh`}; else echo absent; fi`,
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot stat ${path}: ${stderr.trim()}`)
      const [first, hash] = stdout.trim().split('\n')
      if (first === 'absent') return { exists: false }
      const [kind, owner, group, mode] = first.split('|')
      const type = kind.startsWith('regular')
        ? 'file'
        : kind === 'directory'
          ? 'directory'
          : kind === 'symbolic link'
            ? 'symlink'
            : 'other'
      return { exists: true, type, owner, group, mode, sha256: hash?.slice(0, 64) }
    },
  }
}

export function fileContent(path: string): Fact<string | undefined> {
  return {
    key: `content:${path}`,
    command: sh`cat -- ${path}`,
    parse: ({ code, stdout }) => (code === 0 ? stdout : undefined),
  }
}

/** Whether a path exists: the guard behind `creates` / `removes`. */
export function pathExists(path: string): Fact<boolean> {
  return { key: `exists:${path}`, command: sh`test -e ${path}`, parse: ({ code }) => code === 0 }
}

/** Exit status of a read-only check command (the `unless` guard). */
export function commandSucceeds(command: string): Fact<boolean> {
  return { key: `succeeds:${command}`, command, parse: ({ code }) => code === 0 }
}

/** Succeeds when the directory has no entry at all, hidden ones included. */
export function directoryIsEmpty(path: string): Fact<boolean> {
  return commandSucceeds(sh`test -z "$(ls -A -- ${path})"`)
}
