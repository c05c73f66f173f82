// `block`: several lines kept together between two marker lines
//   # BEGIN halab <marker>
//   …
//   # END halab <marker>
// inserted at the end of the file, replaced in place, or removed. Like `line`, the new
// content is computed locally and written through planFile.
import { fileContent, fileState, type FileState } from '../facts/files.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { assertValidSpec, joinLines, planTextFile, readTextFile, splitLines, type TextFileSpec } from './line.js'

export interface BlockSpec extends TextFileSpec {
  /** Names the block, so several blocks live in one file. */
  marker: string
  /** The lines between the markers (a final newline is optional). */
  content?: string
  state?: 'present' | 'absent'
  /** Comment prefix of the marker lines in this file's syntax (default "#"). */
  comment?: string
}

export function blockMarkers(spec: Pick<BlockSpec, 'marker' | 'comment'>): { begin: string; end: string } {
  const prefix = spec.comment ?? '#'
  return { begin: `${prefix} BEGIN halab ${spec.marker}`, end: `${prefix} END halab ${spec.marker}` }
}

/** The file's new content (the old one, untouched, when nothing needs to change). */
export function editBlock(content: string | undefined, spec: BlockSpec): string {
  const before = content ?? ''
  const lines = splitLines(before)
  const { begin, end } = blockMarkers(spec)
  const first = lines.findIndex((l) => l.trimEnd() === begin)
  const last = first < 0 ? -1 : lines.findIndex((l, i) => i > first && l.trimEnd() === end)
  if (first >= 0 && last < 0) throw new Error(`${spec.path}: "${begin}" has no "${end}" after it; fix the file by hand`)

  if (spec.state === 'absent')
    return first < 0 ? before : joinLines([...lines.slice(0, first), ...lines.slice(last + 1)])
  const block = [begin, ...splitLines(spec.content ?? ''), end]
  if (first < 0) return joinLines([...lines, ...block])
  const current = lines.slice(first, last + 1)
  if (current.length === block.length && current.every((l, i) => l === block[i])) return before
  return joinLines([...lines.slice(0, first), ...block, ...lines.slice(last + 1)])
}

export function planBlock(current: FileState, content: string | undefined, spec: BlockSpec): Change[] {
  return planTextFile(current, content, editBlock(content, spec), spec)
}

function blockSpecProblems(spec: BlockSpec): string[] {
  const problems: string[] = []
  if (!spec.marker || /[\n\r]/.test(spec.marker)) problems.push('`marker` must be a non-empty single line')
  if (spec.comment !== undefined && (!spec.comment || /[\n\r]/.test(spec.comment)))
    problems.push('`comment` must be a non-empty single line')
  const { begin, end } = blockMarkers(spec)
  if (splitLines(spec.content ?? '').some((l) => l.trimEnd() === begin || l.trimEnd() === end))
    problems.push('`content` must not contain the marker lines')
  return problems
}

export function block(spec: BlockSpec): Task {
  assertValidSpec('block', spec, blockSpecProblems(spec))
  return {
    tags: ['config'],
    name: spec.name ?? `block ${spec.marker} in ${spec.path}`,
    notify: spec.notify,
    facts: () => [fileState(spec.path), fileContent(spec.path)],
    async plan(host: HostContext): Promise<Plan> {
      const { current, content } = await readTextFile(host, spec.path)
      const changes = planBlock(current, content, spec)
      if (changes.length) return { changes }
      return {
        changes,
        noop:
          spec.state === 'absent'
            ? `no block ${spec.marker} in ${spec.path}`
            : `block ${spec.marker} in ${spec.path} is as wanted`,
      }
    },
  }
}
