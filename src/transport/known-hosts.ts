// Host key checking against OpenSSH known_hosts files (plain and hashed names),
// the way `StrictHostKeyChecking=yes` does it: unknown keys and changed keys are refused.
import { createHash, createHmac } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'

export interface KnownKey {
  type: string
  key: string // base64 blob
  file: string
  line: number
  revoked: boolean
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownKey }
  | { status: 'unknown' }
  | { status: 'changed'; entries: KnownKey[] }
  | { status: 'revoked'; entry: KnownKey }

/** The name known_hosts uses: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

export function keyType(blob: Buffer): string {
  const len = blob.readUInt32BE(0)
  return blob.subarray(4, 4 + len).toString('latin1')
}

export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
}

export function entriesFor(files: string[], names: string[]): KnownKey[] {
  const found: KnownKey[] = []
  for (const file of files) {
    if (!existsSync(file)) continue
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((raw, i) => {
        const line = raw.trim()
        if (!line || line.startsWith('#')) return
        let fields = line.split(/\s+/)
        let marker = ''
        if (fields[0].startsWith('@')) [marker, ...fields] = fields
        if (marker === '@cert-authority' || fields.length < 3) return
        const [patterns, type, key] = fields
        if (names.some((n) => matchesPatterns(patterns, n)))
          found.push({ type, key, file, line: i + 1, revoked: marker === '@revoked' })
      })
  }
  return found
}

export function verifyHostKey(files: string[], names: string[], blob: Buffer): HostKeyVerdict {
  const entries = entriesFor(files, names)
  const b64 = blob.toString('base64')
  const revoked = entries.find((e) => e.revoked && e.key === b64)
  if (revoked) return { status: 'revoked', entry: revoked }
  const match = entries.find((e) => !e.revoked && e.key === b64)
  if (match) return { status: 'known', entry: match }
  const sameType = entries.filter((e) => !e.revoked && e.type === keyType(blob))
  if (sameType.length) return { status: 'changed', entries: sameType }
  return { status: 'unknown' }
}

/** Key types already known for a host, so the handshake asks for one of those first. */
export function knownTypes(files: string[], names: string[]): string[] {
  return [
    ...new Set(
      entriesFor(files, names)
        .filter((e) => !e.revoked)
        .map((e) => e.type),
    ),
  ]
}

export function appendKnownHost(file: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  appendFileSync(file, `${name} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 })
}

function matchesPatterns(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return matchesHashed(patterns, name)
  let matched = false
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!')
    const pat = negated ? p.slice(1) : p
    if (globMatch(pat, name)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

function matchesHashed(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|')
  if (!salt || !hash) return false
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  )
  return re.test(name)
}
