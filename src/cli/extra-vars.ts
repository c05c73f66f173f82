// -e/--extra-vars as ansible-playbook takes them: `k=v k2=v2`, `@file.yml`, or JSON/YAML.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { InventoryError } from '../errors.js'

export function parseExtraVars(values: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const v of values) {
    if (v.startsWith('@')) {
      const file = v.slice(1)
      let data: unknown
      try {
        data = parse(readFileSync(file, 'utf8'), { version: '1.1' })
      } catch (e) {
        throw new InventoryError([{ file, field: '-e', message: `cannot read extra vars: ${(e as Error).message}` }])
      }
      if (!data || typeof data !== 'object')
        throw new InventoryError([{ file, field: '-e', message: 'extra vars file must be a mapping' }])
      Object.assign(out, data)
    } else if (/^\s*[{[]/.test(v)) {
      Object.assign(out, parse(v, { version: '1.1' }) as object)
    } else {
      for (const pair of v.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []) {
        const eq = pair.indexOf('=')
        if (eq <= 0) throw new InventoryError([{ field: '-e', message: `expected key=value, got "${pair}"` }])
        const raw = pair.slice(eq + 1).replace(/^(['"])(.*)\1$/, '$2')
        out[pair.slice(0, eq)] = parse(raw, { version: '1.1' }) ?? raw
      }
    }
  }
  return out
}
