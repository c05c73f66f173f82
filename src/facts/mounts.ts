// Mounts: what the kernel has mounted where (/proc/self/mountinfo, which unlike
// /proc/mounts tells the root of a bind mount), and the entries of an fstab file.
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface MountEntry {
  id: number
  parentId: number
  /** `major:minor` of the filesystem: two mounts of the same filesystem share it. */
  device: string
  /** The directory of that filesystem which is mounted here: `/` unless a bind mount. */
  root: string
  target: string
  options: string[]
  fstype: string
  source: string
  superOptions: string[]
}

/** mountinfo and fstab escape space, tab, newline and backslash as octal `\ooo`. */
export function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
}

export function escapeFstabField(field: string): string {
  return field.replace(/[\\ \t\n]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'))
}

export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const fields = line.split(' ')
    const dash = fields.indexOf('-', 6)
    if (dash < 0) throw new Error(`unexpected mountinfo line: ${line}`)
    const [id, parentId, device, root, target, options] = fields
    const [fstype, source, superOptions = ''] = fields.slice(dash + 1)
    entries.push({
      id: Number(id),
      parentId: Number(parentId),
      device,
      root: unescapeOctal(root),
      target: unescapeOctal(target),
      options: options.split(','),
      fstype,
      source: unescapeOctal(source),
      superOptions: superOptions.split(','),
    })
  }
  return entries
}

export function mounts(): Fact<MountEntry[]> {
  return {
    key: 'mounts',
    command: 'cat /proc/self/mountinfo',
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot read /proc/self/mountinfo: ${stderr.trim()}`)
      return parseMountinfo(stdout)
    },
  }
}

/** What is visible at `path`: the last mount listed there is the one on top. */
export function mountAt(entries: MountEntry[], path: string): MountEntry | undefined {
  return entries.filter((m) => m.target === path).at(-1)
}

/** The mount a path lives on: the longest mount point that contains it. */
export function mountContaining(entries: MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined
  for (const m of entries) {
    const inside = m.target === '/' || path === m.target || path.startsWith(m.target + '/')
    if (inside && (!best || m.target.length >= best.target.length)) best = m
  }
  return best
}

export interface FstabEntry {
  src: string
  target: string
  fstype: string
  opts: string
  dump: number
  pass: number
  /** 0-based line number in the file. */
  line: number
}

export function parseFstab(content: string): FstabEntry[] {
  const entries: FstabEntry[] = []
  content.split('\n').forEach((text, line) => {
    const fields = text.trim().split(/\s+/)
    if (!fields[0] || fields[0].startsWith('#') || fields.length < 2) return
    const [src, target, fstype = 'auto', opts = 'defaults', dump = '0', pass = '0'] = fields
    entries.push({
      src: unescapeOctal(src),
      target: unescapeOctal(target),
      fstype,
      opts,
      dump: Number(dump) || 0,
      pass: Number(pass) || 0,
      line,
    })
  })
  return entries
}

export function fstabEntries(path = '/etc/fstab'): Fact<FstabEntry[]> {
  return {
    key: `fstab:${path}`,
    command: sh`cat -- ${path}`,
    parse: ({ code, stdout }) => (code === 0 ? parseFstab(stdout) : []),
  }
}
