// `mount`: a filesystem mounted on a path now (mount), at boot (its fstab line), both,
// or neither. The fstab line is managed whole, one per mount point, and written through
// planFile. Only this mount point is ever mounted or unmounted: a different filesystem
// found there is reported, never replaced.
import { posix } from 'node:path'
import { fileContent, fileState, type FileState } from '../facts/files.js'
import { escapeFstabField, mountAt, mountContaining, mounts, parseFstab, type MountEntry } from '../facts/mounts.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { raw, sh } from '../transport/quote.js'
import { assertValidSpec, joinLines, planTextFile, readTextFile, splitLines } from './line.js'

export interface MountSpec {
  /** Device, `UUID=…`, `server:/export`, or for a bind mount the directory to show. */
  src: string
  /** The mount point. */
  path: string
  /** `ext4`, `ocfs2`, `nfs`…; `none` for a bind mount. */
  fstype: string
  /** Mount options (default "defaults"); a bind mount needs `bind`. */
  opts?: string | string[]
  dump?: number
  pass?: number
  /**
   * mounted: mounted now and in fstab (default); present: in fstab only;
   * unmounted: not mounted now, fstab untouched; absent: neither.
   */
  state?: 'mounted' | 'present' | 'unmounted' | 'absent'
  /** The fstab file to manage (default /etc/fstab). */
  fstab?: string
  name?: string
  notify?: string[]
}

export interface MountFacts {
  mounts: MountEntry[]
  fstab: FileState
  fstabContent: string | undefined
  /** The mount point itself (created when missing, for `mounted`). */
  mountPoint: FileState
}

const trimSlash = (p: string): string => p.replace(/\/+$/, '') || '/'
const optsOf = (spec: MountSpec): string => (Array.isArray(spec.opts) ? spec.opts.join(',') : spec.opts) || 'defaults'
const isBind = (spec: MountSpec): boolean =>
  optsOf(spec)
    .split(',')
    .some((o) => o === 'bind' || o === 'rbind')

export function fstabLine(spec: MountSpec): string {
  return [
    escapeFstabField(spec.src),
    escapeFstabField(trimSlash(spec.path)),
    spec.fstype,
    optsOf(spec),
    spec.dump ?? 0,
    spec.pass ?? 0,
  ].join(' ')
}

/** The fstab content wanted: this mount point's last line replaced (or added), or all its lines removed. */
export function editFstab(content: string | undefined, spec: MountSpec): string {
  const before = content ?? ''
  const path = trimSlash(spec.path)
  const ours = parseFstab(before).filter((e) => trimSlash(e.target) === path)
  const lines = splitLines(before)
  if (spec.state === 'absent')
    return ours.length ? joinLines(lines.filter((_, i) => !ours.some((e) => e.line === i))) : before
  const last = ours.at(-1)
  if (!last) return joinLines([...lines, fstabLine(spec)])
  const same =
    last.src === spec.src &&
    last.fstype === spec.fstype &&
    last.opts === optsOf(spec) &&
    last.dump === (spec.dump ?? 0) &&
    last.pass === (spec.pass ?? 0)
  return same ? before : joinLines(lines.map((l, i) => (i === last.line ? fstabLine(spec) : l)))
}

function mountCommand(spec: MountSpec): string {
  // `none` (bind) and `auto` are what mount does without -t.
  const type = spec.fstype === 'none' || spec.fstype === 'auto' ? '' : sh` -t ${spec.fstype}`
  return sh`mount${raw(type)} -o ${optsOf(spec)} ${spec.src} ${trimSlash(spec.path)}`
}

/** The decision, as data: mount before fstab, so a mount that fails leaves boot untouched. */
export function planMount(facts: MountFacts, spec: MountSpec): Change[] {
  const state = spec.state ?? 'mounted'
  const path = trimSlash(spec.path)
  const fstabPath = spec.fstab ?? '/etc/fstab'
  const mounted = mountAt(facts.mounts, path)
  const changes: Change[] = []

  if (state === 'mounted' && !mounted) {
    if (!facts.mountPoint.exists) changes.push({ summary: `create mount point ${path}`, command: sh`mkdir -p ${path}` })
    changes.push({ summary: `mount ${spec.src} on ${path}`, command: mountCommand(spec) })
  }
  if ((state === 'unmounted' || state === 'absent') && mounted)
    changes.push({ summary: `unmount ${path}`, command: sh`umount ${path}` })

  if (state !== 'unmounted') {
    const after = editFstab(facts.fstabContent, { ...spec, state: state === 'absent' ? 'absent' : 'mounted' })
    for (const change of planTextFile(facts.fstab, facts.fstabContent, after, { path: fstabPath }))
      changes.push(
        change.diff
          ? { ...change, summary: `${change.summary} (${state === 'absent' ? 'remove' : 'line for'} ${path})` }
          : change,
      )
  }
  return changes
}

/** What is worth saying but not changing: something else already mounted on the path. */
export function mountWarnings(facts: MountFacts, spec: MountSpec): string[] {
  const path = trimSlash(spec.path)
  const mounted = mountAt(facts.mounts, path)
  if (!mounted || (spec.state !== undefined && spec.state !== 'mounted')) return []
  const leftAlone = 'halab leaves an existing mount alone: unmount it yourself to change it'
  if (isBind(spec)) {
    // A bind mount shows the source's filesystem, rooted at the source's place in it.
    const src = trimSlash(spec.src)
    const home = mountContaining(
      facts.mounts.filter((m) => m !== mounted),
      src,
    )
    const root = home && posix.join(home.root, src.slice(home.target === '/' ? 0 : home.target.length))
    if (home && (home.device !== mounted.device || root !== mounted.root))
      return [`${path} shows ${mounted.root} of ${mounted.source}, not ${src}; ${leftAlone}`]
    return []
  }
  if (!['auto', 'none'].includes(spec.fstype) && mounted.fstype !== spec.fstype)
    return [`${path} has a ${mounted.fstype} filesystem mounted (${mounted.source}), not ${spec.fstype}; ${leftAlone}`]
  if (spec.src.includes(':') && !spec.src.includes('=') && mounted.source !== spec.src)
    return [`${path} has ${mounted.source} mounted, not ${spec.src}; ${leftAlone}`]
  return []
}

function mountSpecProblems(spec: MountSpec): string[] {
  const problems: string[] = []
  if (!spec.src) problems.push('`src` is required')
  if (!spec.fstype || /\s/.test(spec.fstype)) problems.push('`fstype` must be one word (`none` for a bind mount)')
  if (/\s/.test(optsOf(spec))) problems.push('`opts` must not contain whitespace')
  for (const field of ['dump', 'pass'] as const)
    if (spec[field] !== undefined && !Number.isInteger(spec[field])) problems.push(`\`${field}\` must be an integer`)
  if (!['mounted', 'present', 'unmounted', 'absent'].includes(spec.state ?? 'mounted'))
    problems.push(`unknown state ${spec.state}`)
  return problems
}

export function mount(spec: MountSpec): Task {
  const path = trimSlash(spec.path)
  const fstab = spec.fstab ?? '/etc/fstab'
  assertValidSpec('mount', { path }, mountSpecProblems(spec))
  const state = spec.state ?? 'mounted'
  return {
    tags: ['storage'],
    name: spec.name ?? `mount ${path}`,
    notify: spec.notify,
    facts: () => [mounts(), fileState(fstab), fileContent(fstab), fileState(path)],
    async plan(host: HostContext): Promise<Plan> {
      const { current, content } = await readTextFile(host, fstab)
      const facts: MountFacts = {
        mounts: await host.fact(mounts()),
        fstab: current,
        fstabContent: content,
        mountPoint: await host.fact(fileState(path)),
      }
      const changes = planMount(facts, spec)
      const warnings = mountWarnings(facts, spec)
      const noop = {
        mounted: `${path} is mounted and in ${fstab}`,
        present: `${path} is in ${fstab}`,
        unmounted: `nothing is mounted on ${path}`,
        absent: `${path} is neither mounted nor in ${fstab}`,
      }[state]
      return { changes, ...(changes.length ? {} : { noop }), ...(warnings.length ? { warnings } : {}) }
    },
  }
}
