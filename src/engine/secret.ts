// A role's secret variables: `secret('base64', 256, schema)` is the zod type of the value
// (the role's own rules) that also knows how to generate one that passes them, so that
// `lab site` and `lab secrets` can write a `.env` without a person inventing keys. A
// variable without a declared generator gets letters and digits, within its length rules.
import { randomBytes } from 'node:crypto'
import { z } from 'zod'

/** hex: `size` random bytes as hex; base64: `size` random bytes as base64; alnum: `size` letters and digits. */
export type SecretKind = 'hex' | 'base64' | 'alnum'

export interface SecretSpec {
  kind: SecretKind
  size: number
}

const declared = new WeakMap<object, SecretSpec>()

/** The role's schema for a secret, marked with how to generate a value; without one, the rule `kind` implies. */
export function secret<S extends z.ZodType = z.ZodString>(kind: SecretKind, size: number, schema?: S): S {
  const s = schema ?? (defaultSchema(kind, size) as unknown as S)
  declared.set(s, { kind, size })
  return s
}

/** The generator declared with secret() on exactly this schema (not through optional()/default()). */
export function declaredSecret(schema: unknown): SecretSpec | undefined {
  return typeof schema === 'object' && schema !== null ? declared.get(schema) : undefined
}

export function isBase64OfAtLeast(value: string, bytes: number): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length >= bytes
}

function defaultSchema(kind: SecretKind, size: number): z.ZodType<string> {
  if (kind === 'base64')
    return z.string().refine((v) => isBase64OfAtLeast(v, size), `must be base64 of at least ${size} bytes`)
  const length = kind === 'hex' ? 2 * size : size
  return z.string().min(length, `at least ${length} characters`)
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A fresh random value (crypto.randomBytes), unbiased for alnum (bytes ≥ 248 are drawn again). */
export function generateSecret(spec: SecretSpec): string {
  if (spec.kind === 'hex') return randomBytes(spec.size).toString('hex')
  if (spec.kind === 'base64') return randomBytes(spec.size).toString('base64')
  let out = ''
  while (out.length < spec.size)
    for (const b of randomBytes(spec.size * 2)) if (b < 248 && out.length < spec.size) out += ALNUM[b % ALNUM.length]
  return out
}
