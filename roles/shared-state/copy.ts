// A directory moved onto the shared volume once: the designated node copies it there only
// when the shared copy does not exist yet (a rerun, or another node, never copies again);
// the other nodes wait for that copy before they bind-mount it.
import { type Plan, sh, type Task } from '../../src/sdk.ts'
import { sharedCopyState, type SharedCopyState } from './facts.ts'

export interface SharedPath {
  /** Where the service reads it (/etc/apache2), and its copy on the shared volume (/opt/etc/apache2). */
  path: string
  shared: string
  /** The services that use it (apache2, postgresql@): stopped while it is copied. */
  services?: string[]
}

/** `apache2` → apache2.service; a template `postgresql@` → every instance, postgresql@*.service. */
const unitPattern = (unit: string): string =>
  /\.[a-z]+$/.test(unit) ? unit : unit.endsWith('@') ? `${unit}*.service` : `${unit}.service`

/** The copying node's decision, as data. */
export function planCopy(state: SharedCopyState, p: SharedPath, host: string, check = false): Plan {
  if (state.shared) return { changes: [], noop: `${p.shared} exists: not copied again` }
  if (state.mounted)
    throw new Error(
      `${p.path} on ${host} is a mount point but ${p.shared} does not exist: ` +
        `not copying a mount; see findmnt ${p.path}`,
    )
  // --check on a fresh host: the package that makes the directory is not installed yet.
  if (!state.local && check)
    return { changes: [{ summary: `copy ${p.path} to ${p.shared} once ${p.path} exists`, command: ':' }] }
  if (!state.local)
    throw new Error(
      `${p.path} does not exist on ${host}: nothing to copy to ${p.shared} (install the package that makes it first)`,
    )
  // Copied beside, then renamed: a copy cut short never looks like the shared copy.
  const tmp = `${p.shared}.halab-copy`
  return {
    changes: [
      {
        summary: `copy ${p.path} to ${p.shared} (the shared copy does not exist yet)`,
        // A running service (PostgreSQL above all) is stopped for the copy, so the copy is
        // consistent, and started again after it, as it was.
        command:
          (p.services?.length
            ? sh`was=$(systemctl list-units --type=service --state=active --plain ` +
              sh`--no-legend ${p.services.map(unitPattern)} | awk '{print $1}'); ` +
              sh`[ -z "$was" ] || systemctl stop $was; `
            : '') +
          sh`mkdir -p "$(dirname ${p.shared})" && rm -rf ${tmp} && cp -a ${p.path} ${tmp} && mv ${tmp} ${p.shared}` +
          (p.services?.length ? '; r=$?; [ -z "$was" ] || systemctl start $was; exit $r' : ''),
      },
    ],
  }
}

/** Another node's view: the copy must be there before it is mounted in place. */
export function planAwaitCopy(
  state: SharedCopyState,
  p: SharedPath,
  copier: string,
  seconds: number,
  check: boolean,
): Plan {
  if (state.shared || check)
    return { changes: [], noop: state.shared ? `${p.shared} exists` : `${copier} copies ${p.path} to ${p.shared}` }
  throw new Error(
    `${p.shared} does not exist after ${seconds} s: ${copier} (shared_state_copy_node) ` +
      `copies it there — run site on every node`,
  )
}

export function copyTask(p: SharedPath, copier: string, host: string, waitSeconds: number): Task {
  const mine = host === copier
  return {
    name: mine ? `${p.path} copied to ${p.shared}` : `${p.path} on ${p.shared} (copied by ${copier})`,
    // Not prefetched: the cluster filesystem is mounted earlier in this run.
    async plan(ctx) {
      const state = await ctx.fact(sharedCopyState(p, mine || ctx.mode.check ? 0 : waitSeconds))
      return mine
        ? planCopy(state, p, ctx.name, ctx.mode.check)
        : planAwaitCopy(state, p, copier, waitSeconds, ctx.mode.check)
    },
  }
}
