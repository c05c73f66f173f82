// Unified diffs for --diff (secrets are masked by the sink like everything else).
import { createTwoFilesPatch } from 'diff'
import type { FileDiff } from '../engine/types.js'
import { printable } from './printable.js'

export function unifiedDiff(d: FileDiff): string {
  return createTwoFilesPatch(
    `${d.path} (host)`,
    `${d.path} (wanted)`,
    printable(d.before),
    printable(d.after),
    '',
    '',
    {
      context: 3,
    },
  )
    .split('\n')
    .slice(1) // drop the "====" banner line
    .join('\n')
}
