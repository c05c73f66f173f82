// Every value that came from `.env` (or the environment through `${NAME}`) is a secret.
// They are registered here once, and every byte halab prints passes through `redact`.
//
// A secret is masked wherever it appears, also in its JSON-escaped form (a `"` or `\` in
// it is escaped in --json events). One shorter than LOOSE_LENGTH is masked only where it
// stands as a word of its own, so that `root` as a secret masks `root` but leaves `rooted`
// and `chroot` alone; a longer one is masked inside any text.

const MASK = '********'
const LOOSE_LENGTH = 8
const secrets = new Set<string>()
let patterns: RegExp[] | undefined

export function registerSecret(value: string): void {
  if (!value || secrets.has(value)) return
  secrets.add(value)
  patterns = undefined
}

export function redact(text: string): string {
  patterns ??= compile()
  let out = text
  for (const p of patterns) out = out.replace(p, MASK)
  return out
}

export function isSecret(value: string): boolean {
  return secrets.has(value)
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear()
  patterns = undefined
}

/** Longest first, so a secret containing another is masked whole. */
function compile(): RegExp[] {
  const forms = new Set<string>()
  for (const s of secrets) {
    forms.add(s)
    forms.add(JSON.stringify(s).slice(1, -1))
  }
  return [...forms]
    .sort((a, b) => b.length - a.length)
    .map((f) => {
      const body = f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      return new RegExp(f.length >= LOOSE_LENGTH ? body : `(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'gu')
    })
}
