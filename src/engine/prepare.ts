// Everything that can be checked before connecting: the playbook, host patterns, each
// role (its name is its folder's), its variables on each host, and every task list
// (templates rendered from the role's templates/, every notify naming one of the role's
// handlers). All problems are collected; only a clean result goes on to the hosts.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import { InventoryError, TemplateError, type InputProblem } from '../errors.js'
import { connectionProblems } from '../inventory/connection-vars.js'
import { routeProblems, type RouteOptions } from '../transport/connect.js'
import type { Inventory } from '../inventory/types.js'
import { renderTemplate } from '../ops/template.js'
import { selectHosts } from './host-pattern.js'
import type { Playbook } from './playbook.js'
import { importModule } from './precompiled.js'
import { kernelNeeds, type KernelFeature, type Role, type RoleContext } from './role.js'
import type { Task } from './types.js'
import { selectTasks, type TaskSelection } from './select-tasks.js'
import { closest, declaredKeys, unknownUnder, type UnknownKey } from './strict-vars.js'
import { t } from '../i18n.js'

export interface PreparedRole {
  role: string
  tasks: Task[]
  handlers: Record<string, Task>
  notes: string[]
  /** Kernel features the role needs on this host (its `kernel` declaration). */
  kernel: KernelFeature[]
}

export interface PreparedPlay {
  name: string
  /** The play's host pattern (`web`, `directors:&drbd`). */
  pattern: string
  /** Per host, the roles to run in order. */
  hosts: Map<string, PreparedRole[]>
}

export interface PreparedRun {
  plays: PreparedPlay[]
  /** Every role of the playbook (folder names), in play order, whether or not a host runs it. */
  roles: string[]
  /** Hosts that run anything, in inventory order. */
  hosts: string[]
}

export interface PrepareOptions {
  projectRoot: string
  /** Check how hosts are reached (~/.ssh/config, jump hosts) too: for runs that will connect. */
  route?: RouteOptions
  limit?: string
  roles?: string[]
  /** --tags, --skip-tags, --start-at-task. */
  select?: TaskSelection
}

export async function loadPlaybook(projectRoot: string, name: string): Promise<{ playbook: Playbook; file: string }> {
  const file = [name, join(projectRoot, 'playbooks', `${name}.ts`), join(projectRoot, 'playbooks', name)].find(
    (f) => existsSync(f) && f.endsWith('.ts'),
  )
  if (!file)
    throw new InventoryError([
      {
        file: join(projectRoot, 'playbooks', `${name}.ts`),
        message: t('input.noPlaybook', { name }),
      },
    ])
  const mod = (await importModule(file, pathToFileURL(file).href)) as { default?: Playbook }
  if (!mod.default?.plays)
    throw new InventoryError([
      { file, message: 'a playbook module must `export default definePlaybook({ plays: [...] })`' },
    ])
  return { playbook: mod.default, file }
}

export async function loadRole(projectRoot: string, name: string): Promise<Role | undefined> {
  const file = join(projectRoot, 'roles', name, 'index.ts')
  if (!existsSync(file)) return undefined
  const mod = (await importModule(file, pathToFileURL(file).href)) as { default?: Role }
  return mod.default
}

/** The roles' folder, where prepare finds index.ts and templates/. */
export const roleDir = (projectRoot: string, name: string): string => join(projectRoot, 'roles', name)

export async function prepareRun(
  inventory: Inventory,
  playbook: Playbook,
  playbookFile: string,
  opts: PrepareOptions,
): Promise<PreparedRun> {
  const problems: InputProblem[] = []
  const limited = opts.limit ? new Set(selectHostsChecked(inventory, opts.limit, '--limit', problems)) : undefined
  const wantedRoles = opts.roles ? new Set(opts.roles) : undefined
  const roleCache = new Map<string, Role | undefined>()
  const misnamed = new Set<string>()
  const allRoles = new Set(playbook.plays.flatMap((p) => p.roles))
  for (const r of opts.roles ?? [])
    if (!allRoles.has(r))
      problems.push({
        field: '--roles',
        message: t('input.roleNotInPlaybook', { role: r, roles: [...allRoles].join(', ') }),
      })

  const plays: PreparedPlay[] = []
  for (const play of playbook.plays) {
    // A play whose groups this inventory lacks matches no host: one site playbook serves
    // every topology. (--limit, which a person types, is checked strictly above.)
    const hosts = selectHosts(inventory, play.hosts).filter((h) => !limited || limited.has(h))
    const prepared: PreparedPlay = { name: play.name ?? play.hosts, pattern: play.hosts, hosts: new Map() }
    for (const roleName of play.roles) {
      if (!roleCache.has(roleName)) roleCache.set(roleName, await loadRole(opts.projectRoot, roleName))
      const role = roleCache.get(roleName)
      if (!role) {
        problems.push({
          file: playbookFile,
          message: `role "${roleName}" not found (expected roles/${roleName}/index.ts exporting defineRole(...))`,
        })
        continue
      }
      if (role.name !== roleName) {
        if (!misnamed.has(roleName))
          problems.push({
            file: `roles/${roleName}/index.ts`,
            message:
              `defineRole({ name: "${role.name}" }) ` +
              `in the folder roles/${roleName}: a role's name is its folder's`,
          })
        misnamed.add(roleName)
        continue
      }
      if (wantedRoles && !wantedRoles.has(roleName)) continue
      for (const hostName of hosts) {
        const built = buildRole(role, inventory, hostName, opts.projectRoot, problems)
        if (!built) continue
        if (!prepared.hosts.has(hostName)) prepared.hosts.set(hostName, [])
        prepared.hosts.get(hostName)!.push(built)
      }
    }
    plays.push(prepared)
  }
  problems.push(
    ...misspelledVars(
      inventory,
      [...roleCache.values()].filter((r): r is Role => !!r),
    ),
  )
  const selected = opts.select ? selectTasks(plays, opts.select, problems) : plays
  const used = new Set(selected.flatMap((p) => [...p.hosts.keys()]))
  for (const h of used) {
    const host = inventory.hosts.get(h)!
    problems.push(...connectionProblems(host, inventory.file), ...(opts.route ? routeProblems(host, opts.route) : []))
  }
  if (problems.length) throw new InventoryError(problems)
  return { plays: selected, roles: [...allRoles], hosts: [...inventory.hosts.keys()].filter((h) => used.has(h)) }
}

/** A pattern a person typed: a name in it that is no host or group, or no host matched, is a problem. */
function selectHostsChecked(inventory: Inventory, pattern: string, where: string, problems: InputProblem[]): string[] {
  const unknown: string[] = []
  const hosts = selectHosts(inventory, pattern, unknown)
  const groups = [...inventory.groups.keys()].sort().join(', ')
  for (const u of unknown)
    problems.push({ field: where, message: t('input.notHostOrGroup', { name: u, inventory: inventory.file, groups }) })
  if (!hosts.length && !unknown.length)
    problems.push({
      field: where,
      message: t('input.matchesNoHost', { pattern, inventory: inventory.file, groups }),
    })
  return hosts
}

/** Variables every run or the lab reads, besides the roles' own. */
const RUNNER_VARS = /^(ansible_|lab_|halab_)|^(configuration_only|interfaces)$/

/**
 * Misspelled variables: a key inside a role's variable that no role reading that variable
 * declares (`auth_pas:` in a VRRP instance), and a host variable no role reads that is one
 * or two letters from one that a role does.
 */
function misspelledVars(inventory: Inventory, roles: Role[]): InputProblem[] {
  const readers = new Map<string, Role[]>()
  for (const r of roles) for (const k of declaredKeys(r.vars)) readers.set(k, [...(readers.get(k) ?? []), r])
  const declared = [...readers.keys()]
  const problems: InputProblem[] = []
  for (const host of inventory.hosts.values())
    for (const [key, value] of Object.entries(host.vars)) {
      const at = { file: host.origins[key] ?? inventory.file, host: host.name }
      if (RUNNER_VARS.test(key)) continue
      const by = readers.get(key)
      if (by) {
        for (const u of unknownToAll(by, key, value))
          problems.push({ ...at, field: [...u.path, u.key].join('.'), message: unknownKeyMessage(u) })
        continue
      }
      const suggestion = key.length >= 6 ? closest(key, declared) : undefined
      if (suggestion)
        problems.push({ ...at, field: key, message: `no role reads "${key}": did you mean "${suggestion}"?` })
    }
  return problems
}

/** The unknown keys every role that reads `key` reports (roles may share a variable). */
function unknownToAll(roles: Role[], key: string, value: unknown): UnknownKey[] {
  const [first, ...rest] = roles.map((r) => unknownUnder(r.vars, key, value))
  const id = (u: UnknownKey) => [...u.path, u.key].join('\0')
  return first.filter((u) => rest.every((other) => other.some((o) => id(o) === id(u))))
}

function unknownKeyMessage(u: UnknownKey): string {
  return `unknown key "${u.key}"${u.suggestion ? `: did you mean "${u.suggestion}"?` : ' (no role reads it)'}`
}

/** `configuration_only: [role, ...]`: roles that may only be configured on a host (set by a lab overlay). */
const ConfigurationOnly = z.array(z.string()).default([])

function buildRole(
  role: Role,
  inventory: Inventory,
  hostName: string,
  projectRoot: string,
  problems: InputProblem[],
): PreparedRole | undefined {
  const host = inventory.hosts.get(hostName)!
  const parsed = role.vars.safeParse(host.vars)
  const configOnly = ConfigurationOnly.safeParse(host.vars.configuration_only)
  if (!parsed.success || !configOnly.success) {
    const issues = [
      ...(parsed.error?.issues ?? []),
      ...(configOnly.error?.issues.map((i) => ({ ...i, path: ['configuration_only', ...i.path] })) ?? []),
    ]
    for (const issue of issues) {
      const top = String(issue.path[0] ?? '')
      problems.push({
        file: host.origins[top] ?? `roles/${role.name}/defaults.ts`,
        host: hostName,
        field: issue.path.join('.') || '(role variables)',
        message: `${role.name}: ${issue.message}`,
      })
    }
    return undefined
  }
  const notes: string[] = []
  const templates = join(roleDir(projectRoot, role.name), 'templates')
  const ctx: RoleContext<unknown> = {
    host,
    vars: parsed.data,
    inventory,
    render: (name, extra = {}) =>
      renderTemplate(join(templates, name), {
        ...host.vars,
        ...(parsed.data as object),
        ...extra,
        inventory_hostname: hostName,
        hostvars: hostVars(inventory),
        groups: groupsOf(inventory),
      }),
    hostsOf: (group) => [...inventory.hosts.values()].filter((h) => h.groups.includes(group)),
    configurationOnly: (name = role.name) => configOnly.data.includes(name),
    note: (text) => notes.push(text),
  }
  try {
    const built = {
      role: role.name,
      tasks: role.tasks(ctx),
      handlers: role.handlers?.(ctx) ?? {},
      notes,
      kernel: kernelNeeds(role, parsed.data, host),
    }
    for (const problem of [...unknownNotifies(built), ...badTimeouts(built)])
      problems.push({ file: `roles/${role.name}/index.ts`, host: hostName, message: `${role.name}: ${problem}` })
    return built
  } catch (e) {
    const file = e instanceof TemplateError ? undefined : `roles/${role.name}/index.ts`
    problems.push({ file, host: hostName, message: `${role.name}: ${(e as Error).message}` })
    return undefined
  }
}

/** A notify naming no handler of the role would be ignored at run time: said here instead. */
function unknownNotifies(role: PreparedRole): string[] {
  const known = Object.keys(role.handlers)
  return role.tasks.flatMap((t) =>
    (t.notify ?? [])
      .filter((n) => !known.includes(n))
      .map(
        (n) =>
          `task "${t.name}" notifies "${n}", ` +
          `which is not a handler of the role (it has: ${known.join(', ') || 'none'})`,
      ),
  )
}

/** A task's `timeout` is seconds above 0: checked here, not when its command is already running. */
function badTimeouts(role: PreparedRole): string[] {
  return [...role.tasks, ...Object.values(role.handlers)]
    .filter((t) => t.timeout !== undefined && !(Number.isFinite(t.timeout) && t.timeout > 0))
    .map((t) => `task "${t.name}": timeout must be a number of seconds above 0, got ${JSON.stringify(t.timeout)}`)
}

export function hostVars(inventory: Inventory): Record<string, Record<string, unknown>> {
  return Object.fromEntries([...inventory.hosts].map(([n, h]) => [n, h.vars]))
}

export function groupsOf(inventory: Inventory): Record<string, string[]> {
  return Object.fromEntries(
    [...inventory.groups.keys()].map((g) => [
      g,
      [...inventory.hosts.values()].filter((h) => h.groups.includes(g)).map((h) => h.name),
    ]),
  )
}
