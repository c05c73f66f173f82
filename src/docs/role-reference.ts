// The role reference (docs/roles/<role>.md and its index), generated from each role's zod
// schema: every variable with its type, default and description, nested fields included
// (`list[].field`). `npm run docs:roles` writes the files; a unit test fails when the files
// in the repository differ from what the schemas give now.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'

type Json = Record<string, any>

export interface Field {
  path: string
  type: string
  default: string
  description: string
}

export interface RoleReference {
  name: string
  summary: string
  fields: Field[]
}

/** The seeds' numbers, as the code's comments and descriptions use them, and the guide of each. */
export const SEEDS: Record<string, string> = {
  '000': '5-node',
  '001': '4-node',
  '002': '6-node',
  '003': '2-node',
  '004': '2-node-web',
}

const FORMATS: Record<string, string> = { ipv4: 'IPv4 address', cidrv4: 'IPv4 network (CIDR)', uri: 'URL' }

/** A readable type: "integer 1–65535", "list of object (at least 1)", "string or null"… */
export function typeOf(s: Json, defs: Json): string {
  if (s.$ref) return s.$ref === '#' ? 'nested map' : typeOf(defs[s.$ref.split('/').pop()] ?? {}, {})
  if (s.const !== undefined) return '`' + JSON.stringify(s.const) + '`'
  if (s.enum) return 'one of ' + s.enum.map((v: unknown) => '`' + String(v) + '`').join(', ')
  const union = s.anyOf ?? s.oneOf ?? (Array.isArray(s.type) ? s.type.map((type: string) => ({ ...s, type })) : null)
  if (union) {
    const parts = [...new Set<string>(union.map((u: Json) => typeOf(u, defs)))]
    return parts.filter((p) => p !== 'null').join(' or ') + (parts.includes('null') ? ' or null' : '')
  }
  switch (s.type) {
    case 'string':
      return stringType(s)
    case 'integer':
    case 'number':
      return s.type + range(s)
    case 'array': {
      const min = s.minItems ? ` (at least ${s.minItems})` : ''
      return `list of ${typeOf(s.items ?? {}, defs)}${min}`
    }
    case 'object':
      if (s.properties) return 'object'
      if (s.additionalProperties && typeof s.additionalProperties === 'object')
        return `map of name → ${recordValue(s.additionalProperties, defs)}`
      return 'map'
    case 'null':
      return 'null'
    case 'boolean':
      return 'boolean'
  }
  return 'any'
}

function recordValue(s: Json, defs: Json): string {
  const union: Json[] | undefined = s.anyOf
  // A recursive section (DRBD's): its own type refers back to the definition.
  if (union?.some((u) => u.$ref))
    return (
      union
        .filter((u) => !u.$ref)
        .map((u) => typeOf(u, defs))
        .join(', ') + ' or map'
    )
  return typeOf(s, defs)
}

const PATTERNS: Record<string, string> = { '^\\/.*': 'absolute path', '^\\/dev\\/.*': 'device path (/dev/…)' }

function stringType(s: Json): string {
  if (s.format && FORMATS[s.format]) return FORMATS[s.format]
  if (s.pattern && PATTERNS[s.pattern]) return PATTERNS[s.pattern]
  if (s.pattern && s.pattern.length <= 32) return 'string `' + s.pattern + '`'
  if (s.maxLength) return `string (at most ${s.maxLength} characters)`
  return 'string'
}

function range(s: Json): string {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined)
  if (min !== undefined && s.maximum !== undefined) return ` ${min}–${s.maximum}`
  if (min !== undefined && min <= 1 && s.exclusiveMinimum === 0) return ' > 0'
  if (min !== undefined) return ` ≥ ${min}`
  return ''
}

/** Every property of the schema, depth first, nested ones as `parent[].child` or `parent.child`. */
export function fieldsOf(schema: Json, defs: Json = schema.$defs ?? {}, prefix = ''): Field[] {
  const out: Field[] = []
  const required = new Set<string>(schema.required ?? [])
  for (const [name, prop] of Object.entries<Json>(schema.properties ?? {})) {
    if (prop.const !== undefined && prefix.includes('[')) continue // a variant's discriminator: named in its path
    const path = prefix + name
    out.push({
      path,
      type: typeOf(prop, defs),
      default: defaultOf(prop, required.has(name)),
      description: prop.description ?? '',
    })
    out.push(...nested(prop, defs, path))
  }
  return out
}

function nested(prop: Json, defs: Json, path: string): Field[] {
  const objects = (s: Json): Json[] => (s.anyOf ?? s.oneOf ?? [s]).filter((x: Json) => x.properties)
  for (const [s, suffix] of [
    [prop, '.'],
    [prop.items ?? {}, '[].'],
  ] as const) {
    const variants = objects(s)
    if (!variants.length) continue
    if (variants.length === 1) return fieldsOf(variants[0], defs, path + suffix)
    return variants.flatMap((v) => {
      const tag = Object.entries<Json>(v.properties).find(([, p]) => p.const !== undefined)
      const label = tag ? `[${tag[0]}=${tag[1].const}]` : '[]'
      return fieldsOf(v, defs, `${path}${label}.`)
    })
  }
  return []
}

function defaultOf(prop: Json, required: boolean): string {
  if (prop.default !== undefined) return '`' + JSON.stringify(prop.default) + '`'
  return required ? '**required**' : '—'
}

/** The leading `//` comment of roles/<role>/index.ts, as one paragraph. */
export function summaryOf(source: string): string {
  const lines: string[] = []
  for (const line of source.split('\n')) {
    if (!line.startsWith('//')) break
    lines.push(line.replace(/^\/\/ ?/, ''))
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim()
}

export async function loadReferences(rolesDir: string): Promise<RoleReference[]> {
  const names = readdirSync(rolesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
  const out: RoleReference[] = []
  for (const name of names) {
    const file = join(rolesDir, name, 'index.ts')
    const role = (await import(pathToFileURL(file).href)).default as { vars: z.ZodType }
    const schema = z.toJSONSchema(role.vars, { io: 'input', unrepresentable: 'any' }) as Json
    out.push({ name, summary: summaryOf(readFileSync(file, 'utf8')), fields: fieldsOf(schema) })
  }
  return out
}
