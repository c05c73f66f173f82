// Ansible's YAML inventory: `all:` → `hosts:`, `children:`, `vars:`, nested freely.
import type { InputProblem } from '../errors.js'
import type { ParsedYaml } from './yaml-file.js'
import { emptyStructure, ensureGroup, mergeLayer, VALID_NAME, type InventoryStructure } from './structure.js'

const GROUP_KEYS = new Set(['hosts', 'children', 'vars'])

export function readYamlInventory(parsed: ParsedYaml, file: string, problems: InputProblem[]): InventoryStructure {
  const s = emptyStructure()
  const root = parsed.value
  if (!isObject(root)) {
    problems.push({ file, line: 1, message: 'an inventory must be a mapping of groups, starting with `all:`' })
    return s
  }
  for (const [name, body] of Object.entries(root)) readGroup(name, body, [name], undefined)
  return s

  function readGroup(name: string, body: unknown, path: string[], parent: string | undefined): void {
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
      if (!isObject(vars))
        problems.push({
          file,
          line: parsed.lineOf([...path, 'vars']),
          field: [...path, 'vars'].join('.'),
          message: 'vars must be a mapping',
        })
      else mergeLayer(group.vars, vars, (k) => at(parsed.lineOf([...path, 'vars', k])))
    }
    if (hosts !== undefined && hosts !== null) {
      if (!isObject(hosts))
        problems.push({
          file,
          line: parsed.lineOf([...path, 'hosts']),
          field: [...path, 'hosts'].join('.'),
          message: 'hosts must be a mapping of host names',
        })
      else
        for (const [host, hvars] of Object.entries(hosts)) {
          const hpath = [...path, 'hosts', host]
          if (!VALID_NAME.test(host))
            problems.push({
              file,
              line: parsed.lineOf(hpath),
              field: hpath.join('.'),
              message: `invalid host name "${host}"`,
            })
          group.hosts.add(host)
          let layer = s.hostVars.get(host)
          if (!layer) s.hostVars.set(host, (layer = { vars: {}, origins: {} }))
          if (hvars === null || hvars === undefined) continue
          if (!isObject(hvars)) {
            problems.push({ file, line: parsed.lineOf(hpath), host, message: 'host variables must be a mapping' })
            continue
          }
          mergeLayer(layer, hvars, (k) => at(parsed.lineOf([...hpath, k])))
        }
    }
    if (children !== undefined && children !== null) {
      if (!isObject(children))
        problems.push({
          file,
          line: parsed.lineOf([...path, 'children']),
          field: [...path, 'children'].join('.'),
          message: 'children must be a mapping of groups',
        })
      else
        for (const [child, cbody] of Object.entries(children))
          readGroup(child, cbody, [...path, 'children', child], name)
    }
  }

  function at(line: number | undefined): string {
    return line ? `${file}:${line}` : file
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
