// Local users: a user's passwd entry (`getent passwd`, so NSS sources count too).
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface PasswdEntry {
  exists: boolean
  uid?: number
  gid?: number
  /** The GECOS field (full name, comment). */
  comment?: string
  home?: string
  shell?: string
}

/** One `name:x:uid:gid:gecos:home:shell` line of passwd(5). */
export function parsePasswdLine(line: string): PasswdEntry {
  const f = line.replace(/\n$/, '').split(':')
  if (f.length < 7) throw new Error(`unexpected passwd entry: ${JSON.stringify(line.trim())}`)
  return { exists: true, uid: Number(f[2]), gid: Number(f[3]), comment: f[4], home: f[5], shell: f.slice(6).join(':') }
}

export function passwdEntry(name: string): Fact<PasswdEntry> {
  return {
    key: `passwd:${name}`,
    command: sh`getent passwd -- ${name}`,
    // getent: 0 found, 2 no such key; anything else (1, 3: no database) is a real failure.
    parse: ({ code, stdout, stderr }) => {
      if (code === 2) return { exists: false }
      if (code !== 0) throw new Error(`cannot read the passwd entry of ${name} (getent exit ${code}): ${stderr.trim()}`)
      return parsePasswdLine(stdout.split('\n')[0])
    },
  }
}
