// Ansible's INI inventory: `[group]` host lines with key=value vars, `[group:vars]`,
// `[group:children]`. Values are read the way Ansible does: YAML 1.1 scalars.
import { parse as parseYamlValue } from 'yaml'
import type { InputProblem } from '../errors.js'
import { emptyStructure, ensureGroup, hostNames, mergeLayer, VALID_NAME, type InventoryStructure } from './structure.js'

export function readIniInventory(text: string, file: string, problems: InputProblem[]): InventoryStructure {
  const s = emptyStructure()
  let section = { group: 'ungrouped', kind: 'hosts' as 'hosts' | 'vars' | 'children' }
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    const content = raw.replace(/^\s+|\s+$/g, '')
    if (!content || content.startsWith('#') || content.startsWith(';')) return
    const header = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(content)
    if (header) {
      section = { group: header[1], kind: (header[2] as 'vars' | 'children') ?? 'hosts' }
      if (!VALID_NAME.test(section.group))
        problems.push({ file, line, message: `invalid group name "${section.group}"` })
      const g = ensureGroup(s, section.group)
      if (section.group !== 'all') ensureGroup(s, 'all').children.add(section.group)
      void g
      return
    }
    const origin = `${file}:${line}`
    const group = ensureGroup(s, section.group)
    if (section.kind === 'children') {
      ensureGroup(s, content)
      group.children.add(content)
      ensureGroup(s, 'all').children.delete(content)
      return
    }
    if (section.kind === 'vars') {
      const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(content)
      if (!kv) return void problems.push({ file, line, message: `expected key=value in [${section.group}:vars]` })
      group.vars.vars[kv[1]] = scalar(kv[2])
      group.vars.origins[kv[1]] = origin
      return
    }
    const [pattern, ...pairs] = splitWords(content)
    const hosts = hostNames(pattern, problems, { file, line })
    const vars: Record<string, unknown> = {}
    for (const pair of pairs) {
      const eq = pair.indexOf('=')
      if (eq <= 0) {
        problems.push({ file, line, host: pattern, message: `expected key=value, got "${pair}"` })
        continue
      }
      vars[pair.slice(0, eq)] = scalar(pair.slice(eq + 1))
    }
    for (const host of hosts) {
      group.hosts.add(host)
      let layer = s.hostVars.get(host)
      if (!layer) s.hostVars.set(host, (layer = { vars: {}, origins: {} }))
      mergeLayer(layer, vars, () => origin)
    }
  })
  return s
}

/** Split on whitespace, keeping quoted strings ("a b" / 'a b') whole and unquoted. */
function splitWords(line: string): string[] {
  const words: string[] = []
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g
  for (const m of line.matchAll(re)) words.push(m[0])
  return words
}

function scalar(raw: string): unknown {
  const v = raw.trim()
  if (/^(['"]).*\1$/.test(v)) return v.slice(1, -1)
  try {
    return parseYamlValue(v, { version: '1.1' })
  } catch {
    return v
  }
}
