// `directory`: a directory with its owner, group and mode, or its absence. Absence only
// ever removes an empty directory: data in it is a person's decision, not a task's.
import { directoryIsEmpty, fileState, type FileState } from '../facts/files.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Fact, Plan, Task } from '../engine/types.js'
import { sh } from '../transport/quote.js'
import { checkFileSpec, normalizeMode } from './file.js'

export interface DirectorySpec {
  path: string
  owner?: string
  group?: string
  /** Octal as a string ("0750") or a number as YAML 1.1 reads 0750. */
  mode?: string | number
  state?: 'present' | 'absent'
  name?: string
  notify?: string[]
}

/** The decision, as data. `empty` is only consulted when the directory must go. */
export function planDirectory(current: FileState, spec: DirectorySpec, empty?: boolean): Change[] {
  const { path } = spec
  const mode = normalizeMode(spec.mode)
  checkFileSpec(spec)
  if (current.exists && current.type !== 'directory')
    throw new Error(`${path} exists but is a ${current.type}, not a directory: move it away first`)

  if (spec.state === 'absent') {
    if (!current.exists) return []
    if (!empty)
      throw new Error(
        `${path} is not empty: halab removes only empty directories; move or delete its contents yourself`,
      )
    return [{ summary: `remove empty directory ${path}`, command: sh`rmdir -- ${path}` }]
  }

  if (!current.exists) {
    const steps = [sh`mkdir -p -- ${path}`]
    if (spec.owner) steps.push(sh`chown -- ${spec.owner} ${path}`)
    if (spec.group) steps.push(sh`chgrp -- ${spec.group} ${path}`)
    if (mode) steps.push(sh`chmod -- ${mode} ${path}`)
    return [{ summary: `create directory ${path}`, command: steps.join(' && ') }]
  }
  const changes: Change[] = []
  if (spec.owner && spec.owner !== current.owner)
    changes.push({ summary: `owner ${current.owner} → ${spec.owner}`, command: sh`chown -- ${spec.owner} ${path}` })
  if (spec.group && spec.group !== current.group)
    changes.push({ summary: `group ${current.group} → ${spec.group}`, command: sh`chgrp -- ${spec.group} ${path}` })
  if (mode && modeDiffers(current.mode ?? '', mode))
    changes.push({ summary: `mode ${current.mode} → ${mode}`, command: sh`chmod -- ${mode} ${path}` })
  return changes
}

/**
 * GNU chmod keeps a directory's setuid/setgid bits unless the mode names them (4 digits):
 * a 3-digit wanted mode is compared with the permission bits only, or it would never settle.
 */
function modeDiffers(current: string, wanted: string): boolean {
  return wanted.length === 3 ? current.slice(-3) !== wanted : current.padStart(4, '0') !== wanted
}

export function directory(spec: DirectorySpec): Task {
  // A relative path, an owner like `--reference=…` or a bad mode fails when the playbook is built, not mid-run.
  checkFileSpec(spec)
  normalizeMode(spec.mode)
  const probes = (): Fact[] =>
    spec.state === 'absent' ? [fileState(spec.path), directoryIsEmpty(spec.path)] : [fileState(spec.path)]
  return {
    tags: ['config'],
    name: spec.name ?? `directory ${spec.path}`,
    notify: spec.notify,
    facts: probes,
    async plan(host: HostContext): Promise<Plan> {
      const current = await host.fact(fileState(spec.path))
      const empty =
        spec.state === 'absent' && current.type === 'directory'
          ? await host.fact(directoryIsEmpty(spec.path))
          : undefined
      const changes = planDirectory(current, spec, empty)
      if (changes.length) return { changes }
      return { changes, noop: spec.state === 'absent' ? `${spec.path} is absent` : `${spec.path} is as wanted` }
    },
  }
}
