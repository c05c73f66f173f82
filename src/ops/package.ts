// `package`: Debian packages installed or removed with apt, never asking questions. The
// lists are refreshed only when something must be installed and they are older than
// cacheValidTime; a name apt does not know is an error that names it.
import { posix } from 'node:path'
import { TaskError } from '../errors.js'
import { APT_UPDATE_STAMP, packageStates, type PackageStates } from '../facts/apt.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { raw, sh } from '../transport/quote.js'

export interface PackageSpec {
  /** Package names (no version pins or architecture qualifiers). */
  names: string | string[]
  state?: 'present' | 'absent'
  /** Refresh the apt lists first when they are older than this, in seconds (default 3600). */
  cacheValidTime?: number
  /** Install recommended packages too (default false). */
  installRecommends?: boolean
  /** Remove configuration files too when absent (default false). */
  purge?: boolean
  name?: string
  notify?: string[]
  /** Seconds apt may run (default: the host's halab_command_timeout, else 20 min). */
  timeout?: number
}

const NAME = /^[a-z0-9][a-z0-9+.-]+$/
const APT = raw('DEBIAN_FRONTEND=noninteractive apt-get -y -q')
// Keep the admin's edited config files and take the package's for the untouched ones.
const KEEP_CONFIG = raw('-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold')

const namesOf = (spec: PackageSpec): string[] => [
  ...new Set(typeof spec.names === 'string' ? [spec.names] : spec.names),
]

function age(seconds: number): string {
  if (seconds === Infinity) return 'never refreshed'
  if (seconds < 120) return `${seconds} s old`
  return seconds < 7200 ? `${Math.round(seconds / 60)} min old` : `${Math.round(seconds / 3600)} h old`
}

/** Fails the install, naming package and host, when the fresh lists still lack a name. */
function knownCheck(names: string[], host: string): string {
  return (
    sh`for p in ${names}; do LC_ALL=C apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]' || ` +
    sh`{ echo "package $p is unknown to apt on "${host}" (even after apt-get update): ` +
    sh`check its name and the apt sources" >&2; exit 100; }; done`
  )
}

/** The decision, as data. */
export function planPackages(states: PackageStates, spec: PackageSpec, opts: { host: string }): Change[] {
  const names = namesOf(spec)
  if (spec.state === 'absent') {
    const installed = names.filter((n) => states.installed.has(n))
    if (!installed.length) return []
    const verb = spec.purge ? 'purge' : 'remove'
    return [{ summary: `${verb} ${installed.join(' ')}`, command: sh`${APT} ${verb} ${installed}` }]
  }

  const missing = names.filter((n) => !states.installed.has(n))
  if (!missing.length) return []
  const refresh = states.listsAge > (spec.cacheValidTime ?? 3600)
  const unknown = missing.filter((n) => !states.available.has(n))
  if (unknown.length && !refresh)
    throw new TaskError(
      `package${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} unknown ` +
        `to apt on ${opts.host} (lists ${age(states.listsAge)})`,
      {},
      'check the name and the apt sources; cacheValidTime: 0 forces a refresh',
    )

  const changes: Change[] = []
  if (refresh)
    changes.push({
      summary: `refresh apt lists (${age(states.listsAge)})`,
      command: sh`apt-get update -q && mkdir -p ${posix.dirname(APT_UPDATE_STAMP)} && touch ${APT_UPDATE_STAMP}`,
    })
  const recommends = spec.installRecommends ? '--install-recommends' : '--no-install-recommends'
  const install = sh`${APT} ${KEEP_CONFIG} install ${recommends} ${missing}`
  const later = unknown.length ? ` (${unknown.join(', ')} not in the current lists yet)` : ''
  changes.push({
    summary: `install ${missing.join(' ')}${later}`,
    command: refresh ? `${knownCheck(missing, opts.host)} && ${install}` : install,
    display: install,
  })
  return changes
}

export function packages(spec: PackageSpec): Task {
  const names = namesOf(spec)
  const bad = names.filter((n) => !NAME.test(n))
  if (!names.length) throw new Error('package: `names` is empty')
  if (bad.length)
    throw new Error(
      `package: invalid package ` +
        `name${bad.length > 1 ? 's' : ''} ${bad.map((n) => JSON.stringify(n)).join(', ')} (plain ` +
        `Debian names only, no version pins or :arch)`,
    )
  if (spec.cacheValidTime !== undefined && !(spec.cacheValidTime >= 0))
    throw new Error('package: `cacheValidTime` must be a number of seconds ≥ 0')
  return {
    tags: ['packages'],
    name: spec.name ?? `package ${spec.state === 'absent' ? 'absent' : 'present'}: ${names.join(' ')}`,
    notify: spec.notify,
    timeout: spec.timeout,
    facts: () => [packageStates(names)],
    async plan(host: HostContext): Promise<Plan> {
      const changes = planPackages(await host.fact(packageStates(names)), spec, { host: host.name })
      if (changes.length) return { changes }
      return {
        changes,
        noop: spec.state === 'absent' ? `${names.join(' ')}: not installed` : `${names.join(' ')}: installed`,
      }
    },
  }
}
