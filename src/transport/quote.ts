// POSIX shell quoting for commands that run on remote hosts (dash or bash alike).
// Never zx's quote(): it emits bash-only $'…' strings that dash reads literally.

/** A trusted shell fragment that `sh` interpolates as-is (e.g. a redirection). */
export class Raw {
  constructor(readonly text: string) {}
}
export const raw = (text: string): Raw => new Raw(text)

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** Quote one word: safe strings pass through, everything else is single-quoted. */
export function quote(value: string | number): string {
  const s = String(value)
  if (s !== '' && SAFE.test(s)) return s
  return `'${s.replace(/'/g, `'\\''`)}'`
}

export type ShValue = string | number | Raw | readonly (string | number | Raw)[]

/**
 * Tagged template for shell commands: every interpolated value becomes one quoted word
 * (arrays become several words, Raw is inserted untouched).
 *   sh`install -m ${mode} ${src} ${dest}`
 */
export function sh(strings: TemplateStringsArray, ...values: ShValue[]): string {
  let out = strings[0]
  values.forEach((v, i) => {
    out += word(v) + strings[i + 1]
  })
  return out
}

function word(v: ShValue): string {
  if (v instanceof Raw) return v.text
  if (Array.isArray(v)) return v.map((x) => word(x as string | number | Raw)).join(' ')
  return quote(v as string | number)
}
