// Everything that can be checked before connecting: the playbook, host patterns, each
// role's variables on each host, and every task list (templates rendered). All problems
// are collected; only a clean result goes on to the hosts.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { InventoryError, TemplateError, type InputProblem } from '../errors.js'
import type { Inventory } from '../inventory/types.js'
import { renderTemplate } from '../ops/template.js'
import { selectHosts } from './host-pattern.js'
import type { Playbook } from './playbook.js'
import { importModule } from './precompiled.js'
import type { Role, RoleContext } from './role.js'
import type { Task } from './types.js'

export interface PreparedRole {
  role: string
  tasks: Task[]
  handlers: Record<string, Task>
  notes: string[]
}

export interface PreparedPlay {
  name: string
  /** Per host, the roles to run in order. */
  hosts: Map<string, PreparedRole[]>
}

export interface PreparedRun {
  plays: PreparedPlay[]
  /** Hosts that run anything, in inventory order. */
  hosts: string[]
}

export interface PrepareOptions {
  projectRoot: string
  limit?: string
  roles?: string[]
}

export async function loadPlaybook(projectRoot: string, name: string): Promise<{ playbook: Playbook; file: string }> {
  const file = [name, join(projectRoot, 'playbooks', `${name}.ts`), join(projectRoot, 'playbooks', name)].find((f) => existsSync(f) && f.endsWith('.ts'))
  if (!file) throw new InventoryError([{ file: join(projectRoot, 'playbooks', `${name}.ts`), message: `no playbook "${name}" (playbooks are playbooks/<name>.ts)` }])
  const mod = (await importModule(file, pathToFileURL(file).href)) as { default?: Playbook }
  if (!mod.default?.plays) throw new InventoryError([{ file, message: 'a playbook module must `export default definePlaybook({ plays: [...] })`' }])
  return { playbook: mod.default, file }
}

export async function loadRole(projectRoot: string, name: string): Promise<Role | undefined> {
  const file = join(projectRoot, 'roles', name, 'index.ts')
  if (!existsSync(file)) return undefined
  const mod = (await importModule(file, pathToFileURL(file).href)) as { default?: Role }
  return mod.default
}

export async function prepareRun(inventory: Inventory, playbook: Playbook, playbookFile: string, opts: PrepareOptions): Promise<PreparedRun> {
  const problems: InputProblem[] = []
  const limited = opts.limit ? new Set(selectHostsChecked(inventory, opts.limit, '--limit', problems)) : undefined
  const wantedRoles = opts.roles ? new Set(opts.roles) : undefined
  const roleCache = new Map<string, Role | undefined>()
  const allRoles = new Set(playbook.plays.flatMap((p) => p.roles))
  for (const r of opts.roles ?? []) if (!allRoles.has(r)) problems.push({ field: '--roles', message: `role "${r}" is not in this playbook (it has: ${[...allRoles].join(', ')})` })

  const plays: PreparedPlay[] = []
  for (const play of playbook.plays) {
    // A play whose groups this inventory lacks matches no host: one site playbook serves
    // every topology. (--limit, which a person types, is checked strictly above.)
    const hosts = selectHosts(inventory, play.hosts).filter((h) => !limited || limited.has(h))
    const prepared: PreparedPlay = { name: play.name ?? play.hosts, hosts: new Map() }
    for (const roleName of play.roles) {
      if (!roleCache.has(roleName)) roleCache.set(roleName, await loadRole(opts.projectRoot, roleName))
      const role = roleCache.get(roleName)
      if (!role) {
        problems.push({ file: playbookFile, message: `role "${roleName}" not found (expected roles/${roleName}/index.ts exporting defineRole(...))` })
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
  if (problems.length) throw new InventoryError(problems)
  const used = new Set(plays.flatMap((p) => [...p.hosts.keys()]))
  return { plays, hosts: [...inventory.hosts.keys()].filter((h) => used.has(h)) }
}

function selectHostsChecked(inventory: Inventory, pattern: string, where: string, problems: InputProblem[]): string[] {
  const unknown: string[] = []
  const hosts = selectHosts(inventory, pattern, unknown)
  for (const u of unknown) problems.push({ field: where, message: `"${u}" is neither a host nor a group of the inventory ${inventory.file}` })
  return hosts
}

function buildRole(role: Role, inventory: Inventory, hostName: string, projectRoot: string, problems: InputProblem[]): PreparedRole | undefined {
  const host = inventory.hosts.get(hostName)!
  const parsed = role.vars.safeParse(host.vars)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = String(issue.path[0] ?? '')
      problems.push({ file: host.origins[top] ?? `roles/${role.name}/defaults.ts`, host: hostName, field: issue.path.join('.') || '(role variables)', message: `${role.name}: ${issue.message}` })
    }
    return undefined
  }
  const notes: string[] = []
  const ctx: RoleContext<unknown> = {
    host,
    vars: parsed.data,
    inventory,
    template: (name, extra = {}) =>
      renderTemplate(join(projectRoot, 'templates', role.name, name), { ...host.vars, ...(parsed.data as object), ...extra, inventory_hostname: hostName, hostvars: hostVars(inventory), groups: groupsOf(inventory) }),
    note: (text) => notes.push(text),
  }
  try {
    return { role: role.name, tasks: role.tasks(ctx), handlers: role.handlers?.(ctx) ?? {}, notes }
  } catch (e) {
    const file = e instanceof TemplateError ? undefined : `roles/${role.name}/index.ts`
    problems.push({ file, host: hostName, message: `${role.name}: ${(e as Error).message}` })
    return undefined
  }
}

export function hostVars(inventory: Inventory): Record<string, Record<string, unknown>> {
  return Object.fromEntries([...inventory.hosts].map(([n, h]) => [n, h.vars]))
}

export function groupsOf(inventory: Inventory): Record<string, string[]> {
  return Object.fromEntries([...inventory.groups.keys()].map((g) => [g, [...inventory.hosts.values()].filter((h) => h.groups.includes(g)).map((h) => h.name)]))
}
