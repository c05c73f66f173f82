// The host tools the lab runs, and the Debian packages that provide them. A clean
// Debian 12 machine (CI) has none of them: install what is missing, and say so.
import { accessSync, constants, existsSync, writeFileSync, unlinkSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { $ } from 'zx'
import { LabError } from './errors.js'

export interface Need {
  /** A command on PATH, or an absolute file. */
  what: string
  pkg: string
  why: string
}

const NEEDS: Need[] = [
  { what: 'debootstrap', pkg: 'debootstrap', why: 'builds the base image' },
  {
    what: '/usr/share/keyrings/debian-archive-keyring.gpg',
    pkg: 'debian-archive-keyring',
    why: 'debootstrap checks the archive with it',
  },
  { what: 'systemd-nspawn', pkg: 'systemd-container', why: 'runs the hosts' },
  { what: 'apt-cacher-ng', pkg: 'apt-cacher-ng', why: 'the hosts install packages through it' },
  { what: 'ssh', pkg: 'openssh-client', why: 'reaches the hosts' },
  { what: 'ssh-keygen', pkg: 'openssh-client', why: 'makes the lab key and host keys' },
  { what: 'ip', pkg: 'iproute2', why: 'namespaces, bridges, veths' },
  { what: 'nsenter', pkg: 'util-linux', why: 'enters a host without the network' },
  { what: 'losetup', pkg: 'mount', why: 'loop devices for lab_disks' },
  { what: 'setpriv', pkg: 'util-linux', why: 'runs apt-cacher-ng unprivileged' },
  { what: 'ab', pkg: 'apache2-utils', why: '`verify --load` measures the cluster with ab' },
]

/** Packages whose tools are missing, with what each is for (`extra`: a backend's own needs). */
export function missingPackages(extra: Need[] = []): { pkg: string; why: string }[] {
  const out = new Map<string, string>()
  for (const n of [...NEEDS, ...extra]) if (!present(n.what) && !out.has(n.pkg)) out.set(n.pkg, n.why)
  return [...out].map(([pkg, why]) => ({ pkg, why }))
}

/** Install missing host packages with apt-get; `log` tells the user what is installed. */
export async function ensureHostPackages(log: (line: string) => void, extra: Need[] = []): Promise<void> {
  const missing = missingPackages(extra)
  if (!missing.length) return
  log(`installing missing packages on this machine: ${missing.map((m) => `${m.pkg} (${m.why})`).join(', ')}`)
  // Debian's policy-rc.d hook keeps the packages' own daemons from starting: a system-wide
  // apt-cacher-ng would listen on every interface, the lab's listens on its bridges only.
  const policy = '/usr/sbin/policy-rc.d'
  const ownPolicy = !existsSync(policy)
  if (ownPolicy)
    writeFileSync(policy, '#!/bin/sh\n# written by halab while it installs packages\nexit 101\n', { mode: 0o755 })
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const sh = $({ env, quiet: true, nothrow: true })
    await sh`apt-get update -qq`
    const r = await sh`apt-get install -y -qq --no-install-recommends ${missing.map((m) => m.pkg)}`
    if (r.exitCode !== 0)
      throw new LabError(
        `apt-get could not ` +
          `install ${missing.map((m) => m.pkg).join(' ')}:\n${r.stderr.trim().split('\n').slice(-6).join('\n')}`,
        'check that this machine reaches its Debian mirror, then run lab up again',
      )
  } finally {
    if (ownPolicy) unlinkSync(policy)
  }
  const still = missingPackages(extra)
  if (still.length)
    throw new LabError(
      `still missing after apt-get: ${still.map((m) => m.pkg).join(', ')}`,
      'install them by hand with apt-get, then run lab up again',
    )
}

function present(what: string): boolean {
  if (what.startsWith('/')) return existsSync(what)
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin']
  return dirs.some((d) => {
    try {
      accessSync(join(d, what), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** sudo and some shells leave /usr/sbin off PATH, where ip, losetup and debootstrap live. */
export function ensureSbinOnPath(): void {
  const parts = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!parts.includes(d)) parts.push(d)
  process.env.PATH = parts.join(delimiter)
}
