// Ansible's YAML inventory: `all:` → `hosts:`, `children:`, `vars:`, nested freely.
import type { InputProblem } from '../errors.js'
import type { ParsedYaml } from './yaml-file.js'
import { emptyStructure, ensureGroup, hostNames, mergeLayer, VALID_NAME, type InventoryStructure } from './structure.js'

const GROUP_KEYS = new Set(['hosts', 'children', 'vars'])

/** What the readers below share: the structure being filled, the file, and where problems go. */
interface Reader {
  s: InventoryStructure
  parsed: ParsedYaml
  file: string
  problems: InputProblem[]
}

export function readYamlInventory(parsed: ParsedYaml, file: string, problems: InputProblem[]): InventoryStructure {
  const r: Reader = { s: emptyStructure(), parsed, file, problems }
  const root = parsed.value
  if (!isObject(root)) {
    problems.push({ file, line: 1, message: 'an inventory must be a mapping of groups, starting with `all:`' })
    return r.s
  }
  for (const [name, body] of Object.entries(root)) readGroup(r, name, body, [name], undefined)
  return r.s
}

function readGroup(r: Reader, name: string, body: unknown, path: string[], parent: string | undefined): void {
  const { s, parsed, file, problems } = r
  const line = parsed.lineOf(path)
  if (!VALID_NAME.test(name))
    problems.push({ file, line, field: path.join('.'), message: `invalid group name "${name}"` })
  const group = ensureGroup(s, name)
  if (parent) ensureGroup(s, parent).children.add(name)
  else if (name !== 'all') ensureGroup(s, 'all').children.add(name)
  if (body === null || body === undefined) return
  if (!isObject(body)) {
    problems.push({
      file,
      line,
      field: path.join('.'),
      message: 'a group must be a mapping with hosts:, children: or vars:',
    })
    return
  }
  for (const key of Object.keys(body)) {
    if (!GROUP_KEYS.has(key))
      problems.push({
        file,
        line: parsed.lineOf([...path, key]),
        field: [...path, key].join('.'),
        message: `unknown key "${key}" (a group takes hosts:, children:, vars:)`,
      })
  }
  const { hosts, children, vars } = body as Record<string, unknown>
  if (vars !== undefined && vars !== null) {
    if (!isObject(vars)) problems.push(notMapping(r, [...path, 'vars'], 'vars must be a mapping'))
    else mergeLayer(group.vars, vars, (k) => at(r, parsed.lineOf([...path, 'vars', k])))
  }
  if (hosts !== undefined && hosts !== null) {
    if (!isObject(hosts)) problems.push(notMapping(r, [...path, 'hosts'], 'hosts must be a mapping of host names'))
    else for (const [host, hvars] of Object.entries(hosts)) readHost(r, group.hosts, host, hvars, [...path, 'hosts'])
  }
  if (children !== undefined && children !== null) {
    if (!isObject(children)) problems.push(notMapping(r, [...path, 'children'], 'children must be a mapping of groups'))
    else
      for (const [child, cbody] of Object.entries(children))
        readGroup(r, child, cbody, [...path, 'children', child], name)
  }
}

/** One host under a group's hosts: (at `hostsPath`): it joins the group, its variables (if any) are merged. */
function readHost(r: Reader, groupHosts: Set<string>, host: string, hvars: unknown, hostsPath: string[]): void {
  const { s, parsed, file, problems } = r
  const hpath = [...hostsPath, host]
  const line = parsed.lineOf(hpath)
  if (hvars !== null && hvars !== undefined && !isObject(hvars))
    return void problems.push({ file, line, host, message: 'host variables must be a mapping' })
  for (const name of hostNames(host, problems, { file, line, field: hpath.join('.') })) {
    groupHosts.add(name)
    let layer = s.hostVars.get(name)
    if (!layer) s.hostVars.set(name, (layer = { vars: {}, origins: {} }))
    if (hvars) mergeLayer(layer, hvars, (k) => at(r, parsed.lineOf([...hpath, k])))
  }
}

function notMapping(r: Reader, path: string[], message: string): InputProblem {
  return { file: r.file, line: r.parsed.lineOf(path), field: path.join('.'), message }
}

function at(r: Reader, line: number | undefined): string {
  return line ? `${r.file}:${line}` : r.file
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
