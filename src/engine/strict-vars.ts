// Misspelled variables are errors, not silently dropped values. zod drops keys an object
// schema does not know; inside a role's variables (a VRRP instance, a virtual server) such
// a key is always a mistake — `auth_pas:` gave a keepalived.conf with no authentication.
// At the top level a host carries every role's variables and other tools' too, so there a
// key is reported only when no role knows it and it is one or two letters from one that does.

/** The parts of zod's schema definitions this walk reads. */
interface Def {
  type: string
  shape?: Record<string, { _zod: { def: Def } }>
  innerType?: { _zod: { def: Def } }
  element?: { _zod: { def: Def } }
  options?: { _zod: { def: Def } }[]
  in?: { _zod: { def: Def } }
  valueType?: { _zod: { def: Def } }
}

export interface UnknownKey {
  path: (string | number)[]
  key: string
  suggestion?: string
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def

/** The top-level keys a role's variables schema declares. */
export function declaredKeys(schema: unknown): string[] {
  const d = unwrap(defOf(schema))
  return d.type === 'object' ? Object.keys(d.shape ?? {}) : []
}

/** Keys inside `value` (the variable `key`) that the role's schema for it does not declare. */
export function unknownUnder(schema: unknown, key: string, value: unknown): UnknownKey[] {
  const out: UnknownKey[] = []
  const d = unwrap(defOf(schema))
  const own = d.type === 'object' ? d.shape?.[key] : undefined
  if (own) walk(own, value, [key], out)
  return out
}

function walk(schema: unknown, value: unknown, path: (string | number)[], out: UnknownKey[]): void {
  if (value === undefined || value === null) return
  const d = unwrap(defOf(schema))
  if (d.type === 'array' && Array.isArray(value)) value.forEach((v, i) => walk(d.element, v, [...path, i], out))
  else if (d.type === 'record' && isRecord(value))
    for (const [k, v] of Object.entries(value)) walk(d.valueType, v, [...path, k], out)
  else if (d.type === 'union') walkUnion(d, value, path, out)
  else if (d.type === 'object' && isRecord(value)) {
    const shape = d.shape ?? {}
    for (const key of Object.keys(value))
      if (!(key in shape)) out.push({ path, key, suggestion: closest(key, Object.keys(shape)) })
      else walk(shape[key], value[key], [...path, key], out)
  }
}

/** A union of objects: a key is unknown when no object option declares it. */
function walkUnion(d: Def, value: unknown, path: (string | number)[], out: UnknownKey[]): void {
  const objects = (d.options ?? []).map((o) => unwrap(defOf(o))).filter((o) => o.type === 'object')
  if (!objects.length || !isRecord(value)) return
  const keys = new Set(objects.flatMap((o) => Object.keys(o.shape ?? {})))
  for (const key of Object.keys(value)) if (!keys.has(key)) out.push({ path, key, suggestion: closest(key, [...keys]) })
}

function unwrap(d: Def): Def {
  for (;;) {
    if (d.innerType) d = defOf(d.innerType)
    else if (d.type === 'pipe' && d.in) d = defOf(d.in)
    else return d
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The known name one or two edits away from `name`, if there is one. */
export function closest(name: string, known: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = distance(name, k)
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return best
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]
}
