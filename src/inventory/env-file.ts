// The `.env` file beside an inventory, as a file: refused when it still holds the
// placeholders of `.env.example` (env.ts refuses one others may read); and written new,
// mode 0600, from generated values (`lab secrets`, `lab site`), never over an existing one.
// Reading and substituting its values is env.ts's.
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import type { InputProblem } from '../errors.js'

export const envFile = (dir: string): string => join(dir, '.env')
const exampleFile = (dir: string): string => join(dir, '.env.example')

/** What `lab site` and `lab secrets` offer, for messages. */
export function howToGetSecrets(dir: string): string {
  return (
    `\`run-playbook lab secrets -i ${dir}\` prints fresh values that satisfy the roles ` +
    `(or delete ${envFile(dir)} and \`run-playbook lab site\` writes a new one)`
  )
}

/** Values still equal to `.env.example`'s: a problem naming them and the fix (env.ts refuses a loose mode). */
export function envFileProblems(dir: string): InputProblem[] {
  const stale = placeholders(dir)
  if (!stale.length) return []
  return [
    {
      file: envFile(dir),
      field: stale.join(', '),
      message:
        `${stale.length > 1 ? 'still the placeholders' : 'still the placeholder'} from .env.example: ` +
        `set real values; ${howToGetSecrets(dir)}`,
    },
  ]
}

/** Names whose value in `.env` is the one `.env.example` shows. */
export function placeholders(dir: string): string[] {
  if (!existsSync(exampleFile(dir)) || !existsSync(envFile(dir))) return []
  const example = dotenv.parse(readFileSync(exampleFile(dir)))
  const actual = dotenv.parse(readFileSync(envFile(dir)))
  return Object.keys(actual).filter((k) => actual[k] !== '' && actual[k] === example[k])
}

/**
 * `.env`'s text: `.env.example`'s lines with each NAME= given its value (comments kept),
 * then the names the example lacks.
 */
export function envFileText(example: string, values: Map<string, string>): string {
  const done = new Set<string>()
  const lines = example
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .map((line) => {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)
      if (!m || !values.has(m[1])) return line
      done.add(m[1])
      return `${m[1]}=${values.get(m[1])}`
    })
  for (const [k, v] of values) if (!done.has(k)) lines.push(`${k}=${v}`)
  return lines.join('\n') + '\n'
}

const HEADER =
  '# Written by run-playbook with random values that satisfy each role (git-ignored, mode 0600).\n' +
  '# Masked as ******** in all halab output. Edit a value to choose your own.\n'

/** Creates `.env` (0600) with `values`; false, touching nothing, when one exists. */
export function writeNewEnvFile(dir: string, values: Map<string, string>): boolean {
  const example = existsSync(exampleFile(dir)) ? readFileSync(exampleFile(dir), 'utf8') : ''
  const text = HEADER + envFileText(example, values)
  let fd: number
  try {
    // 'wx': fails if the file exists, also when another process made it a moment ago.
    fd = openSync(envFile(dir), 'wx', 0o600)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
  try {
    fchmodSync(fd, 0o600)
    writeSync(fd, text)
  } finally {
    closeSync(fd)
  }
  return true
}
