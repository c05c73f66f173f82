// Ansible host patterns: `all`, `*`, names, groups, globs, `a:b` or `a,b` (union),
// `&g` (intersection) and `!x` (exclusion).
import type { Inventory } from '../inventory/types.js'
import { globRegExp, isGlob } from './glob.js'

export function selectHosts(inventory: Inventory, pattern: string, unknown: string[] = []): string[] {
  const all = [...inventory.hosts.keys()]
  let selected = new Set<string>()
  const parts = pattern
    .split(/[:,]/)
    .map((p) => p.trim())
    .filter(Boolean)
  const positive = parts.filter((p) => !p.startsWith('!') && !p.startsWith('&'))
  if (!positive.length) selected = new Set(all)
  for (const p of positive) for (const h of resolve(p)) selected.add(h)
  for (const p of parts.filter((x) => x.startsWith('&'))) {
    const keep = new Set(resolve(p.slice(1)))
    selected = new Set([...selected].filter((h) => keep.has(h)))
  }
  for (const p of parts.filter((x) => x.startsWith('!'))) for (const h of resolve(p.slice(1))) selected.delete(h)
  return all.filter((h) => selected.has(h))

  function resolve(term: string): string[] {
    if (term === 'all' || term === '*') return all
    const group = inventory.groups.get(term)
    if (group) return all.filter((h) => inventory.hosts.get(h)!.groups.includes(term))
    if (inventory.hosts.has(term)) return [term]
    if (isGlob(term)) {
      const re = globRegExp(term)
      const groups = [...inventory.groups.keys()].filter((g) => re.test(g))
      return all.filter((h) => re.test(h) || groups.some((g) => inventory.hosts.get(h)!.groups.includes(g)))
    }
    unknown.push(term)
    return []
  }
}
