// What pyinfra needs to mirror workload B's 2-node site without halab's roles: per host,
// the files the `site` playbook writes there (content as halab wrote it, owner, group,
// mode), the sites-enabled link, the stock site left disabled, the packages and the
// services. Read from a host halab has just converged, through the lab host's root as
// this machine sees it (no SSH), into a private folder the benchmark removes afterwards.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { LabHost } from './lab.ts'

export interface SiteSpec {
  files: string[]
  links: string[]
  absent: string[]
  packages: string[]
  services: { name: string; running?: boolean; enabled?: boolean }[]
}

/** inventory/2-node's site: roles base, drbd, apache-php, heartbeat (see bench/ansible/site-2node.yml). */
export const SITE_2NODE: SiteSpec = {
  files: [
    '/etc/hostname',
    '/etc/hosts',
    '/etc/apache2/sites-available/ha.conf',
    '/var/www/html/index.html',
    '/etc/drbd.d/global_common.conf',
    '/etc/drbd.d/r0.res',
    '/etc/ha.d/ha.cf',
    '/etc/ha.d/authkeys',
    '/etc/ha.d/haresources',
  ],
  links: ['/etc/apache2/sites-enabled/000-ha.conf'],
  absent: ['/etc/apache2/sites-enabled/000-default.conf'],
  packages: ['apache2', 'libapache2-mod-php', 'php-gd', 'php-pgsql', 'drbd-utils', 'heartbeat'],
  // heartbeat owns apache2 (started on the active node only): disabled at boot, left running or not.
  services: [
    { name: 'heartbeat', running: true, enabled: true },
    { name: 'apache2', enabled: false },
  ],
}

export interface SiteManifest {
  files: { path: string; src: string; user: string; group: string; mode: string }[]
  links: { path: string; target: string }[]
  absent: string[]
  packages: string[]
  /** sysv: the host has an init script and no unit file for it (systemd generates one). */
  services: (SiteSpec['services'][number] & { sysv: boolean })[]
}

const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system']

/** uid (or gid) → name from an /etc/passwd or /etc/group text. */
export function idNames(text: string): Map<number, string> {
  const names = new Map<number, string>()
  for (const line of text.split('\n')) {
    const f = line.split(':')
    if (f.length >= 3 && /^\d+$/.test(f[2])) names.set(Number(f[2]), f[0])
  }
  return names
}

/** The manifest of one converged host; `into` receives copies of its files (0600, in a 0700 folder). */
export function siteManifest(host: LabHost, spec: SiteSpec, into: string): SiteManifest {
  const at = (p: string) => join(host.root, p)
  const users = idNames(readFileSync(at('/etc/passwd'), 'utf8'))
  const groups = idNames(readFileSync(at('/etc/group'), 'utf8'))
  const missing = [
    ...spec.files.filter((p) => !existsSync(at(p))),
    ...spec.links.filter((p) => !lstatSync(at(p), { throwIfNoEntry: false })?.isSymbolicLink()),
  ]
  if (missing.length)
    throw new Error(`${host.name}: halab's site left no ${missing.join(', ')} (the pyinfra manifest needs them)`)
  mkdirSync(into, { recursive: true, mode: 0o700 })
  const files = spec.files.map((path) => {
    const st = statSync(at(path))
    const src = join(into, host.name, path)
    mkdirSync(dirname(src), { recursive: true, mode: 0o700 })
    copyFileSync(at(path), src)
    const name = (m: Map<number, string>, id: number) => m.get(id) ?? String(id)
    const mode = (st.mode & 0o7777).toString(8).padStart(3, '0')
    return { path, src, user: name(users, st.uid), group: name(groups, st.gid), mode }
  })
  const links = spec.links.map((path) => ({ path, target: readlinkSync(at(path)) }))
  const services = spec.services.map((s) => ({
    ...s,
    sysv: existsSync(at(`/etc/init.d/${s.name}`)) && !UNIT_DIRS.some((d) => existsSync(at(`${d}/${s.name}.service`))),
  }))
  return { files, links, absent: spec.absent, packages: spec.packages, services }
}
