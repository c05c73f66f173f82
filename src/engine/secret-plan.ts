// Which secrets an inventory needs and how to generate each: every `${NAME}` in a host's
// variables is followed to the place in each role's schema that reads it, where the role
// declared a generator (secret()) or at least length rules; one NAME used in several places
// (a database password in PostgreSQL, PHP and Drupal) gets a value that all of them accept.
import type { Inventory } from '../inventory/types.js'
import type { Role } from './role.js'
import { declaredSecret, generateSecret, type SecretSpec } from './secret.js'

type Path = (string | number)[]

/** One `${NAME}` in the inventory: the host, and where in its variables. */
export interface SecretUse {
  name: string
  host: string
  path: Path
}

/** What the schema at one place says of a string: a declared generator, or its length bounds. */
export interface LeafRules {
  spec?: SecretSpec
  min?: number
  max?: number
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g
/** Without a declared generator: letters and digits, this long unless the schema's bounds say otherwise. */
const FALLBACK_LENGTH = 32

/** Every `${NAME}` in the hosts' variables (read with skipSecrets, so the references are still there). */
export function secretUses(inv: Inventory): SecretUse[] {
  const out: SecretUse[] = []
  const visit = (value: unknown, host: string, path: Path): void => {
    if (typeof value === 'string') for (const m of value.matchAll(REF)) out.push({ name: m[1], host, path })
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, host, [...path, i]))
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) visit(v, host, [...path, k])
  }
  for (const h of inv.hosts.values()) for (const [k, v] of Object.entries(h.vars)) visit(v, h.name, [k])
  return out
}

interface Def {
  type: string
  shape?: Record<string, unknown>
  catchall?: unknown
  element?: unknown
  valueType?: unknown
  options?: unknown[]
  innerType?: unknown
  in?: unknown
  getter?: () => unknown
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def

/** The rules of the string at `path` inside `schema`, if the path leads to one. */
export function leafRules(schema: unknown, path: Path): LeafRules | undefined {
  const spec = declaredSecret(schema)
  if (spec) return { spec }
  const d = defOf(schema)
  if (d.innerType) return leafRules(d.innerType, path)
  if (d.type === 'pipe') return leafRules(d.in, path)
  if (d.type === 'lazy') return leafRules(d.getter!(), path)
  if (d.type === 'union') {
    for (const o of d.options ?? []) {
      const r = leafRules(o, path)
      if (r) return r
    }
    return undefined
  }
  if (!path.length) return stringRules(schema, d)
  const [key, ...rest] = path
  if (d.type === 'object') {
    const next = d.shape?.[String(key)] ?? d.catchall
    return next ? leafRules(next, rest) : undefined
  }
  if (d.type === 'array' && typeof key === 'number') return leafRules(d.element, rest)
  if (d.type === 'record') return leafRules(d.valueType, rest)
  return undefined
}

function stringRules(schema: unknown, d: Def): LeafRules | undefined {
  if (d.type !== 'string') return undefined
  const s = schema as { minLength?: number | null; maxLength?: number | null }
  return { min: s.minLength ?? undefined, max: s.maxLength ?? undefined }
}

/** One generator for a NAME from the rules of every place that reads it. */
export function specFor(rules: LeafRules[]): SecretSpec {
  const declaredSpec = rules.find((r) => r.spec)?.spec
  if (declaredSpec) return declaredSpec
  const max = Math.min(...rules.map((r) => r.max ?? Infinity))
  const min = Math.max(0, ...rules.map((r) => r.min ?? 0))
  return { kind: 'alnum', size: Math.min(Math.max(FALLBACK_LENGTH, min), max) }
}

/** NAME → its generator, for every `${NAME}` of the inventory; `roles` are the playbook's. */
export function planSecrets(inv: Inventory, roles: Role[]): Map<string, SecretSpec> {
  const rules = new Map<string, LeafRules[]>()
  for (const use of secretUses(inv)) {
    const list = rules.get(use.name) ?? []
    for (const role of roles) {
      const r = leafRules(role.vars, use.path)
      if (r) list.push(r)
    }
    rules.set(use.name, list)
  }
  return new Map([...rules].map(([name, r]) => [name, specFor(r)]))
}

/** NAME → a fresh value for each. */
export function generateSecrets(plan: Map<string, SecretSpec>): Map<string, string> {
  return new Map([...plan].map(([name, spec]) => [name, generateSecret(spec)]))
}
