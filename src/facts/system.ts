// The operating system: which distribution and release (/etc/os-release), and whether
// systemd is PID 1 (roles choose between unit files and init scripts on that).
import type { Fact } from '../engine/types.js'

export interface OsRelease {
  /** `debian`, `ubuntu`… ("linux" when the file says nothing, as os-release(5) specifies). */
  id: string
  /** `12`; empty on rolling or testing releases. */
  versionId: string
  /** `bookworm`; empty when the release has none. */
  codename: string
  prettyName: string
  /** Every variable of the file, unquoted. */
  vars: Record<string, string>
}

/** Shell-style `KEY=value` lines, values optionally quoted with ' or " (os-release(5)). */
export function parseOsRelease(text: string): OsRelease {
  const vars: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(line)
    if (!m) continue
    let value = m[2]
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1)
      if (quote === '"') value = value.replace(/\\([$"`\\])/g, '$1')
    }
    vars[m[1]] = value
  }
  // Older releases (Debian ≤ 8) only say the codename inside VERSION: "8 (jessie)".
  const codename = vars.VERSION_CODENAME ?? /\(([a-z]+)\)/.exec(vars.VERSION ?? '')?.[1] ?? ''
  return {
    id: vars.ID ?? 'linux',
    versionId: vars.VERSION_ID ?? '',
    codename,
    prettyName: vars.PRETTY_NAME ?? 'Linux',
    vars,
  }
}

export function osRelease(): Fact<OsRelease> {
  return {
    key: 'os-release',
    command: 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release',
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot read /etc/os-release: ${stderr.trim()}`)
      return parseOsRelease(stdout)
    },
  }
}

export interface InitSystem {
  /** systemd runs as PID 1 and manages services (its runtime directory exists). */
  systemd: boolean
  /** PID 1's command name: `systemd`, `init`, `sh`, `tini`… */
  pid1: string
}

export function initSystem(): Fact<InitSystem> {
  return {
    key: 'init-system',
    // sd_booted() tests /run/systemd/system; the services fact uses the same test.
    command: `cat /proc/1/comm 2>/dev/null || echo unknown; [ -d /run/systemd/system ] && echo systemd-booted; true`,
    parse: ({ stdout }) => {
      const [pid1 = 'unknown', ...rest] = stdout.trim().split('\n')
      return { pid1: pid1.trim(), systemd: pid1.trim() === 'systemd' && rest.includes('systemd-booted') }
    },
  }
}
