// `user`: a local user present with its uid, home, shell and comment, or absent. Facts
// from `getent passwd`; `useradd` only when the user is missing, `usermod` only for the
// fields that differ, `userdel` only when it exists.
import { passwdEntry, type PasswdEntry } from '../facts/users.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { sh } from '../transport/quote.js'

export interface UserSpec {
  /** The account's name. */
  user: string
  state?: 'present' | 'absent'
  uid?: number
  /** Home directory (default: useradd's, /home/USER). */
  home?: string
  shell?: string
  /** The GECOS field. */
  comment?: string
  /** A system account (useradd --system: no aging, uid from the system range). */
  system?: boolean
  /** Create the home directory from /etc/skel when the user is created (default true). */
  createHome?: boolean
  /** With state absent: remove the home directory and mail spool too (default false). */
  removeHome?: boolean
  /** The task's title (default "user USER"). */
  name?: string
  notify?: string[]
}

// useradd(8)'s default NAME_REGEX, plus the trailing $ of machine accounts.
const NAME = /^[a-z_][a-z0-9_-]*\$?$/

/** The decision, as data. A home that differs is changed with `usermod -d`, never moved. */
export function planUser(current: PasswdEntry, spec: UserSpec): Change[] {
  const name = spec.user
  if (spec.state === 'absent') {
    if (!current.exists) return []
    return [
      {
        summary: `remove user ${name}${spec.removeHome ? ' and its home' : ''}`,
        command: spec.removeHome ? sh`userdel -r ${name}` : sh`userdel ${name}`,
      },
    ]
  }
  if (!current.exists) {
    const args: (string | number)[] = []
    if (spec.system) args.push('--system')
    if (spec.uid !== undefined) args.push('-u', spec.uid)
    if (spec.home) args.push('-d', spec.home)
    args.push(spec.createHome === false ? '-M' : '-m')
    if (spec.shell) args.push('-s', spec.shell)
    if (spec.comment !== undefined) args.push('-c', spec.comment)
    return [{ summary: `create user ${name}`, command: sh`useradd ${args} ${name}` }]
  }
  const args: (string | number)[] = []
  const what: string[] = []
  if (spec.uid !== undefined && spec.uid !== current.uid)
    (args.push('-u', spec.uid), what.push(`uid ${current.uid} → ${spec.uid}`))
  if (spec.home && spec.home !== current.home)
    (args.push('-d', spec.home), what.push(`home ${current.home} → ${spec.home} (not moved)`))
  if (spec.shell && spec.shell !== current.shell)
    (args.push('-s', spec.shell), what.push(`shell ${current.shell} → ${spec.shell}`))
  if (spec.comment !== undefined && spec.comment !== current.comment)
    (args.push('-c', spec.comment),
      what.push(`comment ${JSON.stringify(current.comment)} → ${JSON.stringify(spec.comment)}`))
  if (!args.length) return []
  return [{ summary: `user ${name}: ${what.join(', ')}`, command: sh`usermod ${args} ${name}` }]
}

function userSpecProblems(spec: UserSpec): string[] {
  const problems: string[] = []
  if (!NAME.test(spec.user ?? '') || spec.user.length > 32)
    problems.push(
      `invalid user name ${JSON.stringify(spec.user)} (lower-case letters, digits, "_" and "-", at most 32)`,
    )
  if (spec.uid !== undefined && !(Number.isInteger(spec.uid) && spec.uid >= 0))
    problems.push(`uid must be a non-negative integer, got ${spec.uid}`)
  for (const field of ['home', 'shell'] as const)
    if (spec[field] !== undefined && !spec[field]!.startsWith('/'))
      problems.push(`${field} must be an absolute path, got ${JSON.stringify(spec[field])}`)
  if (spec.comment !== undefined && /[:\n]/.test(spec.comment))
    problems.push('comment cannot contain ":" or a newline (passwd fields)')
  return problems
}

export function user(spec: UserSpec): Task {
  const problems = userSpecProblems(spec)
  if (problems.length) throw new Error(`user: ${problems.join('; ')}`)
  return {
    tags: ['users'],
    name: spec.name ?? `user ${spec.user}${spec.state === 'absent' ? ' absent' : ''}`,
    notify: spec.notify,
    facts: () => [passwdEntry(spec.user)],
    async plan(host: HostContext): Promise<Plan> {
      const current = await host.fact(passwdEntry(spec.user))
      const changes = planUser(current, spec)
      if (changes.length) return { changes }
      return { changes, noop: spec.state === 'absent' ? `${spec.user} does not exist` : `${spec.user} is as wanted` }
    },
  }
}
