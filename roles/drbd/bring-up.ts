// A DRBD resource's first bring-up, each step guarded by the real state so that a rerun
// repeats none of them: metadata only when the backing disk has none; `drbdadm up` only
// when the resource is down; the initial overwrite and mkfs only on the designated node,
// only when neither node holds UpToDate data (both Inconsistent: never synced) and blkid
// finds no filesystem. Then the resource is left Secondary: heartbeat (drbddisk,
// Filesystem) decides which node is Primary and mounts it.
import { type Change, pathExists, type Plan, sh, type Task } from '../../src/sdk.ts'
import {
  backingFilesystem,
  drbdAfterConnect,
  drbdAfterSync,
  drbdResource,
  isConnected,
  type BackingFilesystem,
  type DrbdState,
} from './facts.ts'

export interface BringUpSpec {
  resource: string
  /** The DRBD device (/dev/drbd0) and this node's backing disk (/dev/sda6). */
  device: string
  disk: string
  /** The node that overwrites its peer and formats the device on the first bring-up. */
  initialPrimary?: string
  peer: string
  /** Filesystem made on the device after the initial overwrite, with mkfs options. */
  filesystem?: string
  mkfsOptions: string[]
  /** How long the first bring-up waits for the peer to connect. */
  connectTimeout: number
  /** Dual primary (OCFS2 and other cluster filesystems): both nodes end Primary. */
  dualPrimary?: boolean
  /** How long promoting a node waits for its disk to be UpToDate (the initial sync). */
  syncTimeout?: number
}

/** mkfs options that keep a first format fast on a replicated device (no discard pass). */
export function defaultMkfsOptions(fs: string): string[] {
  if (/^ext[234]$/.test(fs)) return ['-q', '-E', 'nodiscard']
  if (fs === 'xfs') return ['-q', '-K']
  return []
}

export function planMetadata(state: DrbdState, spec: Pick<BringUpSpec, 'resource' | 'disk'>): Plan {
  if (state.metadata === 'attached')
    return { changes: [], noop: `${spec.resource} is attached to ${spec.disk} (its metadata is in use)` }
  if (state.metadata === 'present') return { changes: [], noop: `${spec.disk} has DRBD metadata` }
  // No --force: should drbdmeta find data it would destroy, it asks, and with no terminal it
  // refuses, so the run fails with its question instead of overwriting anything.
  return {
    changes: [
      {
        summary: `create DRBD metadata for ${spec.resource} on ${spec.disk} (it has none)`,
        command: sh`drbdadm create-md ${spec.resource} </dev/null`,
      },
    ],
  }
}

export function planUp(state: DrbdState, spec: Pick<BringUpSpec, 'resource'>): Plan {
  if (!state.up)
    return {
      changes: [{ summary: `bring ${spec.resource} up (it is down)`, command: sh`drbdadm up ${spec.resource}` }],
    }
  if (state.disk === 'Diskless')
    return {
      changes: [
        {
          summary: `attach ${spec.resource}'s disk (it is up but Diskless)`,
          command: sh`drbdadm adjust ${spec.resource}`,
        },
      ],
    }
  const warnings =
    state.cstate === 'StandAlone'
      ? [
          `${spec.resource} is StandAlone: it does not try to reach its peer (split brain?). ` +
            `See drbdadm status ${spec.resource}; halab does not reconnect it`,
        ]
      : undefined
  return {
    changes: [],
    noop: `${spec.resource} is up (${state.cstate}, ${state.role}/${state.peerRole}, ${state.disk}/${state.peerDisk})`,
    warnings,
  }
}

/**
 * The initial overwrite and mkfs, as data: `state` is this node's view after waiting for the
 * peer (its dstate shows the peer's disk once connected), `fs` what blkid found on the
 * backing disk. Throws when it cannot decide safely; nothing has been changed then.
 */
export function planInitialSync(
  state: DrbdState,
  fs: BackingFilesystem | undefined,
  spec: BringUpSpec,
  opts: { host: string; check: boolean },
): Plan {
  const r = spec.resource
  if (!state.up) {
    if (opts.check)
      return {
        changes: [
          {
            summary: `first bring-up of ${r} from ${opts.host} if neither node holds data (decided once ${r} is up)`,
            command: ':',
          },
        ],
      }
    throw new Error(`${r} is not up on ${opts.host}: the first bring-up cannot read its state`)
  }
  if (state.disk === 'UpToDate' || state.peerDisk === 'UpToDate')
    return { changes: [], noop: `${r} holds UpToDate data (${state.disk}/${state.peerDisk}): no overwrite, no mkfs` }
  if (!isConnected(state))
    throw new Error(
      `${r} on ${opts.host} did not connect to ${spec.peer} within ${spec.connectTimeout} s (cstate ${state.cstate}, ` +
        `dstate ${state.disk}/${state.peerDisk}), so whether ${spec.peer} holds data is unknown. ` +
        `Nothing was overwritten. The first bring-up needs both nodes: ` +
        `run site on both (no --limit), or check the replication network (drbdadm status ${r})`,
    )
  if (state.disk !== 'Inconsistent' || state.peerDisk !== 'Inconsistent')
    return {
      changes: [],
      noop: `${r} is ${state.disk}/${state.peerDisk}: not a first bring-up`,
      warnings: [
        `${r} is ${state.disk}/${state.peerDisk} and neither node is UpToDate: ` +
          `halab does not choose whose data wins; promote the right node by hand (drbdadm primary ${r})`,
      ],
    }
  if (!fs?.readable)
    throw new Error(
      `cannot read ${spec.disk} on ${opts.host}: whether it holds a filesystem is unknown, so ${r} is not overwritten`,
    )
  if (fs.blkid === 0)
    throw new Error(
      `${r} was never synced (Inconsistent on both nodes), ` +
        `but ${spec.disk} on ${opts.host} holds a ${fs.fstype ?? 'unknown'} filesystem: halab does not overwrite it. ` +
        `To keep this node's data, run drbdadm primary --force ${r} here by hand; ` +
        `to discard it, wipe it (wipefs -a) and run site again`,
    )
  if (fs.blkid !== 2)
    throw new Error(
      `blkid could not tell whether ${spec.disk} on ${opts.host} holds ` +
        `a filesystem (exit ${fs.blkid}): ${r} is not overwritten`,
    )

  const steps = [sh`drbdadm primary --force ${r}`]
  let summary =
    `first bring-up of ${r}: ${opts.host} overwrites ${spec.peer} (both Inconsistent, ` +
    `no filesystem on ${spec.disk})`
  if (spec.filesystem) {
    // The same guard once more on the device itself, now readable as Primary.
    steps.push(
      sh`if blkid -p -u filesystem ${spec.device} >/dev/null 2>&1; ` +
        sh`then echo ${`${spec.device} already holds a filesystem: not formatting it`} >&2; ` +
        sh`drbdadm secondary ${r}; exit 1; fi`,
      sh`mkfs -t ${spec.filesystem} ${spec.mkfsOptions} ${spec.device}`,
    )
    summary += `, mkfs.${spec.filesystem} ${spec.device}`
  }
  // Single primary: heartbeat decides who is Primary. Dual primary: this node stays Primary
  // (the peer promotes itself once it is UpToDate, planPrimary).
  if (spec.dualPrimary)
    return { changes: [{ summary: `${summary}, stays Primary (dual primary)`, command: steps.join(' && ') }] }
  steps.push(sh`drbdadm secondary ${r}`)
  const change: Change = { summary: `${summary}, back to Secondary`, command: steps.join(' && ') }
  return { changes: [change] }
}

/**
 * Dual primary: this node is promoted only when it is Connected and both disks are
 * UpToDate. A node that cannot see its peer is never promoted by halab: two Primaries
 * that do not see each other are a split brain in the making.
 */
export function planPrimary(
  state: DrbdState,
  spec: Pick<BringUpSpec, 'resource' | 'peer' | 'syncTimeout'>,
  opts: { host: string; check: boolean },
): Plan {
  const r = spec.resource
  if (!state.up) {
    if (opts.check)
      return { changes: [{ summary: `promote ${r} to Primary once it is up and UpToDate`, command: ':' }] }
    throw new Error(`${r} is not up on ${opts.host}: it cannot be promoted`)
  }
  if (state.role === 'Primary')
    return {
      changes: [],
      noop: `${r} is Primary (${state.cstate}, ${state.role}/${state.peerRole}, ${state.disk}/${state.peerDisk})`,
    }
  if (state.cstate === 'Connected' && state.disk === 'UpToDate' && state.peerDisk === 'UpToDate')
    return {
      changes: [
        {
          summary: `promote ${r} to Primary (dual primary; Connected, UpToDate/UpToDate)`,
          command: sh`drbdadm primary ${r}`,
        },
      ],
    }
  if (opts.check && state.disk === 'Inconsistent' && state.peerDisk === 'Inconsistent')
    return { changes: [{ summary: `promote ${r} to Primary once the initial sync is done`, command: ':' }] }
  throw new Error(
    `${r} on ${opts.host} is ${state.cstate}, ${state.disk}/${state.peerDisk} after ` +
      `waiting ${spec.syncTimeout ?? '?'} s: ` +
      `halab promotes a dual-primary node only when it is Connected ` +
      `to ${spec.peer} and both disks are UpToDate. Nothing was changed. See drbdadm status ${r} on both nodes`,
  )
}

export function metadataTask(spec: BringUpSpec): Task {
  return {
    tags: ['bring-up'],
    name: `drbd ${spec.resource} metadata`,
    facts: () => [drbdResource(spec.resource)],
    plan: async (host) => planMetadata(await host.fact(drbdResource(spec.resource)), spec),
  }
}

export function upTask(spec: BringUpSpec): Task {
  return {
    tags: ['bring-up'],
    name: `drbd ${spec.resource} up`,
    facts: () => [drbdResource(spec.resource)],
    plan: async (host) => planUp(await host.fact(drbdResource(spec.resource)), spec),
  }
}

export function initialSyncTask(spec: BringUpSpec, host: string): Task {
  return {
    tags: ['bring-up'],
    name: `drbd ${spec.resource} first bring-up`,
    skip: !spec.initialPrimary
      ? `${spec.resource} has no initial_primary: no node overwrites its peer`
      : spec.initialPrimary !== host
        ? `${spec.initialPrimary} is ${spec.resource}'s initial_primary`
        : false,
    // Not prefetched: it waits for the peer, and is read once the resource is up.
    async plan(ctx) {
      const state = await ctx.fact(drbdAfterConnect(spec.resource, spec.connectTimeout))
      const needsFs =
        state.up && state.disk === 'Inconsistent' && state.peerDisk === 'Inconsistent' && isConnected(state)
      const fs = needsFs ? await ctx.fact(backingFilesystem(spec.disk)) : undefined
      return planInitialSync(state, fs, spec, { host: ctx.name, check: ctx.mode.check })
    },
  }
}

export function primaryTask(spec: BringUpSpec): Task {
  const seconds = spec.syncTimeout ?? 300
  return {
    tags: ['bring-up'],
    name: `drbd ${spec.resource} Primary (dual primary)`,
    // Not prefetched: it waits for the initial sync, which the peer may still be starting.
    async plan(ctx) {
      const state = await ctx.fact(drbdAfterSync(spec.resource, seconds))
      return planPrimary(state, { ...spec, syncTimeout: seconds }, { host: ctx.name, check: ctx.mode.check })
    },
  }
}

/** The module loaded before drbdadm runs: drbd-utils picks its 8.4 or 9 path from /proc/drbd. */
export function moduleTask(): Task {
  return {
    tags: ['kernel'],
    name: 'drbd module loaded',
    facts: () => [pathExists('/proc/drbd')],
    plan: async (host) =>
      (await host.fact(pathExists('/proc/drbd')))
        ? { changes: [], noop: '/proc/drbd exists' }
        : { changes: [{ summary: 'load the drbd module', command: 'modprobe drbd' }] },
  }
}
