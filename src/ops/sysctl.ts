// `sysctl`: a kernel parameter, now (`sysctl -w`) and at every boot (a line in a file
// under /etc/sysctl.d, kept by `line`). Nothing to do when both already say the value.
import { fileContent, fileState, type FileState } from '../facts/files.js'
import { dottedKey, normalizeSysctlValue, parseSysctlConf, sysctlValue, type SysctlValue } from '../facts/sysctl.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { sh } from '../transport/quote.js'
import { assertValidSpec, editLines, planTextFile, readTextFile } from './line.js'

export const DEFAULT_SYSCTL_FILE = '/etc/sysctl.d/60-halab.conf'

export interface SysctlSpec {
  key: string
  /** Several words for multi-value keys ("32768 60999"); spacing does not matter. */
  value: string | number
  /** Where the value persists (default /etc/sysctl.d/60-halab.conf). */
  file?: string
  name?: string
  notify?: string[]
}

/** Matches the key's line in either spelling (dots or slashes), `-` prefix included. */
function keyLine(key: string): RegExp {
  const pattern = key
    .split(/[./]/)
    .map((part) => part.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&'))
    .join('[./]')
  return new RegExp(`^\\s*-?${pattern}\\s*=`)
}

/** The decision, as data. In check mode a key the kernel lacks yet (module loaded later) is not an error. */
export function planSysctl(
  runtime: SysctlValue,
  file: FileState,
  content: string | undefined,
  spec: SysctlSpec,
  opts: { check: boolean },
): Change[] {
  const key = dottedKey(spec.key)
  const value = normalizeSysctlValue(spec.value)
  const path = spec.file ?? DEFAULT_SYSCTL_FILE
  const changes: Change[] = []
  const setNow = sh`sysctl -w ${`${key}=${value}`}`

  // Runtime first: a value the kernel refuses then fails before it is made persistent.
  if (!runtime.exists) {
    if (!opts.check)
      throw new Error(`sysctl ${key} does not exist in this kernel (is its module loaded? is the key spelled right?)`)
    changes.push({ summary: `set ${key} = ${value} (key not present yet)`, command: setNow })
  } else if (runtime.value !== value) {
    changes.push({ summary: `set ${key} = ${value} (was ${runtime.value})`, command: setNow })
  }

  if (parseSysctlConf(content ?? '').get(key) !== value) {
    const after = editLines(content, { path, line: `${key} = ${value}`, regexp: keyLine(key) })
    for (const change of planTextFile(file, content, after, { path }))
      changes.push(change.diff ? { ...change, summary: `${change.summary} (${key} = ${value})` } : change)
  }
  return changes
}

export function sysctl(spec: SysctlSpec): Task {
  const path = spec.file ?? DEFAULT_SYSCTL_FILE
  const problems = /^[\w.\/@:-]+$/.test(spec.key) ? [] : [`invalid key ${JSON.stringify(spec.key)}`]
  if (/[\n\r]/.test(String(spec.value)) || normalizeSysctlValue(spec.value) === '')
    problems.push('`value` must be a non-empty single line')
  assertValidSpec(`sysctl ${spec.key}`, { path }, problems)
  return {
    tags: ['sysctl'],
    name: spec.name ?? `sysctl ${spec.key}`,
    notify: spec.notify,
    facts: () => [sysctlValue(spec.key), fileState(path), fileContent(path)],
    async plan(host: HostContext): Promise<Plan> {
      const runtime = await host.fact(sysctlValue(spec.key))
      const { current, content } = await readTextFile(host, path)
      const changes = planSysctl(runtime, current, content, spec, { check: host.mode.check })
      if (changes.length) return { changes }
      return { changes, noop: `${dottedKey(spec.key)} is ${normalizeSysctlValue(spec.value)} (now and in ${path})` }
    },
  }
}
