// What the shared-state role reads on a host: whether the shared copy of a directory
// exists (polled while another node makes it), whether the local directory exists, and
// whether something is already mounted on it (the bind mount of an earlier run).
import { type Fact, sh } from '../../src/sdk.ts'
import type { SharedPath } from './copy.ts'

export interface SharedCopyState {
  /** The shared copy exists (a directory). */
  shared: boolean
  /** The local directory exists. */
  local: boolean
  /** Something is already mounted on the local path (the bind mount of an earlier run). */
  mounted: boolean
}

/** Polls up to `seconds` for the shared copy (0: look once). */
export function sharedCopyState(p: Pick<SharedPath, 'path' | 'shared'>, seconds: number): Fact<SharedCopyState> {
  return {
    key: `shared-copy:${p.shared}:${seconds}`,
    command:
      sh`s=${p.shared}; l=${p.path}; n=${seconds}; i=0; ` +
      `while [ ! -d "$s" ] && [ "$i" -lt "$n" ]; do sleep 1; i=$((i+1)); done; ` +
      `[ -d "$s" ] && echo shared=yes; [ -d "$l" ] && echo local=yes; ` +
      `mountpoint -q "$l" 2>/dev/null && echo mounted=yes; true`,
    parse: ({ stdout }) => {
      const words = new Set(stdout.split('\n').map((l) => l.trim()))
      return { shared: words.has('shared=yes'), local: words.has('local=yes'), mounted: words.has('mounted=yes') }
    },
  }
}
