// The OCFS2 filesystem made once, by one node, on the shared device: only when blkid finds
// nothing on it (read below the page cache: the peer writes the same device through DRBD).
// The other nodes wait until the filesystem shows up before they mount it.
import { type Plan, sh, type Task } from '../../src/sdk.ts'
import { deviceFilesystem, type DeviceFilesystem } from './facts.ts'

export interface FormatSpec {
  device: string
  cluster: string
  /** Node slots (mkfs.ocfs2 -N): the number of nodes that may mount it at once. */
  slots: number
  label?: string
  formatNode: string
  /** How long a node that does not format waits for the filesystem to appear (seconds). */
  waitSeconds: number
}

export function mkfsCommand(spec: FormatSpec): string {
  const label = spec.label ? sh` -L ${spec.label}` : ''
  // </dev/null: should mkfs.ocfs2 find something and ask, it gets no answer and refuses.
  return (
    sh`if blkid -p -u filesystem ${spec.device} >/dev/null 2>&1; ` +
    sh`then echo ${`${spec.device} already holds a filesystem: not formatting it`} >&2; exit 1; fi && ` +
    sh`mkfs.ocfs2 -q -N ${String(spec.slots)} --cluster-stack=o2cb --cluster-name=${spec.cluster}` +
    label +
    sh` ${spec.device} </dev/null`
  )
}

/** The format node's decision, as data. Throws when it cannot decide safely. */
export function planFormat(fs: DeviceFilesystem, spec: FormatSpec, host: string, check: boolean): Plan {
  const d = spec.device
  if (!fs.readable) {
    if (check)
      return {
        changes: [
          { summary: `mkfs.ocfs2 ${d} if blkid finds nothing on it (decided once it is readable)`, command: ':' },
        ],
      }
    throw new Error(
      `cannot read ${d} on ${host} (a DRBD device must be Primary): ` +
        `whether it holds a filesystem is unknown, so it is not formatted`,
    )
  }
  if (fs.blkid === 0 && fs.fstype === 'ocfs2')
    return { changes: [], noop: `${d} holds an ocfs2 filesystem: not formatted again` }
  if (fs.blkid === 0)
    throw new Error(
      `${d} on ${host} holds a ${fs.fstype ?? 'unknown'} filesystem, not ocfs2: ` +
        `halab does not format it. Wipe it yourself (wipefs -a) if its data is not wanted`,
    )
  if (fs.blkid !== 2)
    throw new Error(
      `blkid could not tell whether ${d} on ${host} holds a filesystem (exit ${fs.blkid}): it is not formatted`,
    )
  return {
    changes: [
      {
        summary: `mkfs.ocfs2 ${d} for cluster ${spec.cluster}, ${spec.slots} node slots (blkid finds nothing on it)`,
        command: mkfsCommand(spec),
      },
    ],
  }
}

/** Another node's view: the format node's filesystem must be there before it mounts. */
export function planAwaitFilesystem(fs: DeviceFilesystem, spec: FormatSpec, host: string, check: boolean): Plan {
  if (fs.fstype === 'ocfs2')
    return { changes: [], noop: `${spec.device} holds the ocfs2 filesystem ${spec.formatNode} made` }
  if (check) return { changes: [], noop: `${spec.formatNode} makes the filesystem on ${spec.device}` }
  if (fs.fstype)
    throw new Error(`${spec.device} on ${host} holds a ${fs.fstype} filesystem, not ocfs2: not mounting it`)
  throw new Error(
    `no ocfs2 filesystem on ${spec.device} on ${host} after ${spec.waitSeconds} s` +
      (fs.readable ? '' : ' (the device is not readable: is DRBD Primary here?)') +
      `: ${spec.formatNode} (ocfs2_format_node) makes it — run site on both nodes`,
  )
}

export function formatTask(spec: FormatSpec, host: string): Task {
  const mine = host === spec.formatNode
  return {
    name: mine
      ? `ocfs2 filesystem on ${spec.device}`
      : `ocfs2 filesystem on ${spec.device} (made by ${spec.formatNode})`,
    // Not prefetched: the device becomes readable (Primary) during this run, and the
    // other nodes wait for the format node.
    async plan(ctx) {
      const fs = await ctx.fact(deviceFilesystem(spec.device, mine || ctx.mode.check ? 0 : spec.waitSeconds))
      return mine
        ? planFormat(fs, spec, ctx.name, ctx.mode.check)
        : planAwaitFilesystem(fs, spec, ctx.name, ctx.mode.check)
    },
  }
}
