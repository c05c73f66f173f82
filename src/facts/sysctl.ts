// Kernel parameters: the runtime value of one key (`sysctl -n`), and the entries of a
// sysctl.d file as the kernel's loader reads them.
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface SysctlValue {
  /** False when the kernel has no such key (a module not loaded yet, or a typo). */
  exists: boolean
  /** Whitespace-normalized: `sysctl -n` separates multi-value keys with tabs. */
  value?: string
}

/** One space between words, none around: how values are compared everywhere. */
export function normalizeSysctlValue(value: string | number): string {
  return String(value).trim().split(/\s+/).join(' ')
}

export function sysctlValue(key: string): Fact<SysctlValue> {
  return {
    key: `sysctl:${key}`,
    command: sh`sysctl -n -- ${key}`,
    parse: ({ code, stdout }) =>
      code === 0 ? { exists: true, value: normalizeSysctlValue(stdout) } : { exists: false },
  }
}

export interface SysctlConf {
  exists: boolean
  content?: string
  /** key → value of the last assignment of each key (later lines win, as in sysctl --system). */
  entries: Map<string, string>
}

/** Parse sysctl.d syntax: `key = value`, `#`/`;` comments, a leading `-` (ignore errors). */
export function parseSysctlConf(content: string): Map<string, string> {
  const entries = new Map<string, string>()
  for (const raw of content.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = dottedKey(line.slice(0, eq).trim().replace(/^-/, ''))
    entries.set(key, normalizeSysctlValue(line.slice(eq + 1)))
  }
  return entries
}

/**
 * `net/ipv4/conf/eth0.100/forwarding` and `net.ipv4.conf.eth0/100.forwarding` are the same
 * key: when the first separator is a slash, slashes and dots swap roles (sysctl.d(5)).
 */
export function dottedKey(key: string): string {
  const first = key.search(/[./]/)
  if (first < 0 || key[first] === '.') return key
  return key.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'))
}

export function sysctlConf(path: string): Fact<SysctlConf> {
  return {
    key: `sysctl-conf:${path}`,
    command: sh`cat -- ${path}`,
    parse: ({ code, stdout }) =>
      code === 0
        ? { exists: true, content: stdout, entries: parseSysctlConf(stdout) }
        : { exists: false, entries: new Map() },
  }
}
