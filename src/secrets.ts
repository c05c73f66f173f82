// Every value that came from `.env` (or the environment through `${NAME}`) is a secret.
// They are registered here once, and every byte halab prints passes through `redact`.

const MASK = '********'
const secrets = new Set<string>()

export function registerSecret(value: string): void {
  // Very short values would mask ordinary words; a 1–2 character secret is no secret.
  if (value.length >= 3) secrets.add(value)
}

export function redact(text: string): string {
  let out = text
  // Longest first, so a secret containing another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(MASK)
  }
  return out
}

export function isSecret(value: string): boolean {
  return secrets.has(value)
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear()
}
