// The lab's ssh identity (one key for every host, kept across labs) and the known_hosts
// file holding each host's freshly made host key under its name and every address.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { $ } from 'zx'
import { KEY_PATH, KNOWN_HOSTS_PATH } from './paths.js'

export async function ensureLabKey(): Promise<{ privateKeyPath: string; publicKey: string }> {
  if (!existsSync(KEY_PATH)) {
    mkdirSync(dirname(KEY_PATH), { recursive: true, mode: 0o700 })
    await $({ quiet: true })`ssh-keygen -q -t ed25519 -N '' -C halab-lab -f ${KEY_PATH}`
  }
  return { privateKeyPath: KEY_PATH, publicKey: readFileSync(`${KEY_PATH}.pub`, 'utf8').trim() }
}

/** Fresh host keys in a host's root (ssh-keygen -A under a prefix); returns the ed25519 public key. */
export async function makeHostKeys(root: string): Promise<string> {
  await $({ quiet: true })`ssh-keygen -q -A -f ${root}`
  const [type, key] = readFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/)
  return `${type} ${key}`
}

/** One line per host: `name,addr1,addr2 ssh-ed25519 AAAA…`. */
export function writeKnownHosts(hosts: { name: string; addresses: string[]; hostKey: string }[]): string {
  const lines = hosts.map((h) => `${[h.name, ...h.addresses].join(',')} ${h.hostKey}`)
  writeFileSync(KNOWN_HOSTS_PATH, lines.join('\n') + '\n', { mode: 0o600 })
  return KNOWN_HOSTS_PATH
}
