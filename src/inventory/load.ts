// Load an Ansible-style inventory (YAML or INI) with group_vars/ and host_vars/, merge
// variables in Ansible's order and resolve `${NAME}` secrets. Every problem is collected
// and thrown together as one InventoryError, before anything connects anywhere.
//
// Precedence, lowest first (role defaults sit below all of these, applied per role):
//   all (inventory vars:, then group_vars/all) → parent groups → child groups (by depth,
//   then name) → host (inventory vars, then host_vars/HOST) → lab.yml (only when the
//   local lab is up for this inventory) → extra vars (-e).
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { InventoryError, type InputProblem } from '../errors.js'
import { registerSecret } from '../secrets.js'
import { PASSWORD_VARS, passwordProblems } from './connection-vars.js'
import { loadEnv, substitute } from './env.js'
import { envFileProblems } from './env-file.js'
import { readIniInventory } from './ini-inventory.js'
import type { InventoryStructure } from './structure.js'
import type { Inventory, InventoryGroup, InventoryHost, VarLayer, Vars } from './types.js'
import { readVarsDir, readVarsFile, varsDirNames } from './vars-dirs.js'
import { readYaml } from './yaml-file.js'
import { readYamlInventory } from './yaml-inventory.js'
import { t } from '../i18n.js'

export type { Inventory, InventoryHost, InventoryGroup, Vars } from './types.js'

const INVENTORY_FILES = [
  'hosts.yml',
  'hosts.yaml',
  'inventory.yml',
  'inventory.yaml',
  'hosts',
  'hosts.ini',
  'inventory.ini',
]

export interface LoadOptions {
  extraVars?: Vars
  /** A vars file applied to every host above host_vars, below -e (the lab's lab.yml). */
  overlayFile?: string
  /** Leave `${NAME}` unresolved: for readers that need no secrets (the lab reads addresses). */
  skipSecrets?: boolean
}

export async function loadInventory(path: string, opts: LoadOptions = {}): Promise<Inventory> {
  const problems: InputProblem[] = []
  const file = findInventoryFile(path, problems)
  if (!file) throw new InventoryError(problems)
  const dir = dirname(file)

  const structure = readStructure(file, problems)
  if (!structure) throw new InventoryError(problems)

  const groups = toGroups(structure)
  const before = problems.length
  checkCycles(groups, file, problems)
  // A cycle makes precedence meaningless; any other problem is reported with the rest.
  if (problems.length > before) throw new InventoryError(dedupe(problems))

  const depth = groupDepths(groups)
  const groupLayers = new Map<string, VarLayer[]>()
  for (const name of groups.keys())
    groupLayers.set(name, [structure.groups.get(name)!.vars, readVarsDir(join(dir, 'group_vars'), name, problems)])
  for (const n of varsDirNames(join(dir, 'group_vars')))
    if (!groups.has(n))
      problems.push({
        file: join(dir, 'group_vars', n),
        message: `group_vars for "${n}", which is not a group of the inventory`,
      })

  const hostNames = new Set<string>()
  for (const g of groups.values()) for (const h of g.hosts) hostNames.add(h)
  for (const n of varsDirNames(join(dir, 'host_vars')))
    if (!hostNames.has(n))
      problems.push({
        file: join(dir, 'host_vars', n),
        message: `host_vars for "${n}", which is not a host of the inventory`,
      })

  const overlay = opts.overlayFile ? readVarsFile(opts.overlayFile, problems) : undefined
  const env = opts.skipSecrets ? {} : loadEnv(dir, problems)
  if (!opts.skipSecrets) problems.push(...envFileProblems(dir))
  const hosts = new Map<string, InventoryHost>()
  for (const name of [...hostNames].sort()) {
    const memberOf = ancestorsOf(name, groups)
    const ordered = [...memberOf].sort((a, b) => depth.get(a)! - depth.get(b)! || (a === b ? 0 : a < b ? -1 : 1))
    const layers: VarLayer[] = ordered.flatMap((g) => groupLayers.get(g)!)
    layers.push(structure.hostVars.get(name) ?? { vars: {}, origins: {} })
    layers.push(readVarsDir(join(dir, 'host_vars'), name, problems))
    if (overlay) layers.push(overlay)
    if (opts.extraVars)
      layers.push({
        vars: opts.extraVars,
        origins: Object.fromEntries(Object.keys(opts.extraVars).map((k) => [k, '-e'])),
      })
    const vars: Vars = {}
    const origins: Record<string, string> = {}
    for (const l of layers) Object.assign(vars, l.vars) && Object.assign(origins, l.origins)
    problems.push(...passwordProblems(name, vars, origins))
    if (!opts.skipSecrets)
      for (const [k, v] of Object.entries(vars)) {
        const before = problems.length
        vars[k] = substitute(v, env, () => ({ file: origins[k], host: name, field: k }), problems)
        // A password is a secret whatever variable it came from (${LC_X} alone is not one), from here on:
        // the inventory's problems, --list-hosts, --syntax-check are printed before any connection.
        // Not a reference left unset: the problem that names it must show it.
        const resolved = problems.length === before && typeof vars[k] === 'string'
        if (resolved && PASSWORD_VARS.includes(k)) registerSecret(vars[k] as string)
      }
    hosts.set(name, { name, groups: ordered, vars, origins })
  }
  if (problems.length) throw new InventoryError(dedupe(problems))
  return { dir, file, hosts, groups }
}

function findInventoryFile(path: string, problems: InputProblem[]): string | undefined {
  const abs = resolve(path)
  if (!existsSync(abs)) {
    problems.push({
      file: abs,
      message: t('input.noInventory'),
    })
    return undefined
  }
  if (!statSync(abs).isDirectory()) return realpathSync(abs)
  for (const f of INVENTORY_FILES) if (existsSync(join(abs, f))) return realpathSync(join(abs, f))
  problems.push({
    file: abs,
    message: t('input.noInventoryFile', { files: INVENTORY_FILES.join(', ') }),
  })
  return undefined
}

function readStructure(file: string, problems: InputProblem[]): InventoryStructure | undefined {
  const isYaml =
    /\.ya?ml$/.test(file) ||
    (!/\.ini$/.test(file) &&
      /^\s*(all|[A-Za-z0-9_-]+)\s*:\s*$/m.test(
        readFileSync(file, 'utf8')
          .split('\n')
          .find((l) => l.trim() && !l.trim().startsWith('#')) ?? '',
      ))
  if (isYaml) {
    const parsed = readYaml(file, problems)
    return parsed ? readYamlInventory(parsed, basename(file) === file ? file : file, problems) : undefined
  }
  return readIniInventory(readFileSync(file, 'utf8'), file, problems)
}

function toGroups(s: InventoryStructure): Map<string, InventoryGroup> {
  const groups = new Map<string, InventoryGroup>()
  for (const [name, g] of s.groups)
    groups.set(name, { name, hosts: [...g.hosts].sort(), children: [...g.children].sort() })
  // Ansible's implicit `ungrouped`: hosts directly under `all` with no other group.
  return groups
}

function checkCycles(groups: Map<string, InventoryGroup>, file: string, problems: InputProblem[]): void {
  const visiting = new Set<string>()
  const done = new Set<string>()
  const visit = (g: string, path: string[]): void => {
    if (done.has(g)) return
    if (visiting.has(g)) return void problems.push({ file, message: `group cycle: ${[...path, g].join(' → ')}` })
    visiting.add(g)
    for (const c of groups.get(g)?.children ?? []) visit(c, [...path, g])
    visiting.delete(g)
    done.add(g)
  }
  for (const g of groups.keys()) visit(g, [])
}

/** Longest distance from `all`: children always outrank their parents. */
function groupDepths(groups: Map<string, InventoryGroup>): Map<string, number> {
  const depth = new Map<string, number>([['all', 0]])
  const walk = (g: string, d: number): void => {
    if ((depth.get(g) ?? -1) > d) return
    depth.set(g, d)
    for (const c of groups.get(g)?.children ?? []) walk(c, d + 1)
  }
  walk('all', 0)
  for (const g of groups.keys()) if (!depth.has(g)) depth.set(g, 1)
  return depth
}

function ancestorsOf(host: string, groups: Map<string, InventoryGroup>): Set<string> {
  const parents = new Map<string, string[]>()
  for (const g of groups.values()) for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name])
  const out = new Set<string>(['all'])
  const up = (g: string): void => {
    if (out.has(g) && g !== 'all') return
    out.add(g)
    for (const p of parents.get(g) ?? []) up(p)
  }
  for (const g of groups.values()) if (g.hosts.includes(host)) up(g.name)
  return out
}

function dedupe(problems: InputProblem[]): InputProblem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = JSON.stringify(p)
    return seen.has(key) ? false : (seen.add(key), true)
  })
}
