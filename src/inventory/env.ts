// Secrets: `${NAME}` in any inventory string is replaced by NAME from `.env` beside the
// inventory (or the process environment). Every value substituted becomes a secret, but
// for the session's own well-known variables (${HOME}, ${USER}…), which are not.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import type { InputProblem } from '../errors.js'
import { registerSecret } from '../secrets.js'
import { t } from '../i18n.js'

export type Env = Record<string, string | undefined>

/**
 * `.env` beside the inventory, merged under the process environment. A `.env` that group or
 * others may read (or write) is refused: it holds every secret of the cluster.
 */
export function loadEnv(dir: string, problems: InputProblem[]): Env {
  const file = join(dir, '.env')
  const exists = existsSync(file)
  const loose = exists ? statSync(file).mode & 0o077 : 0
  if (loose)
    problems.push({
      file,
      message: t('input.envOpen', { mode: modeOf(file), file }),
    })
  // Still read: its names then count as set, so this is the one problem it causes.
  const fromFile = exists ? dotenv.parse(readFileSync(file)) : {}
  // The process environment wins, so CI and tests can inject secrets without a file.
  return { ...fromFile, ...process.env }
}

function modeOf(file: string): string {
  return (statSync(file).mode & 0o7777).toString(8).padStart(4, '0')
}

/** The login session's variables: substituted like any other, but not secrets (${HOME} is a path). */
const PUBLIC = /^(HOME|USER|LOGNAME|PATH|PWD|SHELL|LANG|LANGUAGE|TERM|HOSTNAME|TMPDIR|TZ|LC_[A-Z_]+|XDG_[A-Z_]+)$/

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Replace `${NAME}` everywhere in `value`; a missing NAME is a problem naming it and the file. */
export function substitute(
  value: unknown,
  env: Env,
  where: () => { file?: string; host?: string; field: string },
  problems: InputProblem[],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (whole, name: string) => {
      const v = env[name]
      if (v === undefined) {
        const w = where()
        problems.push({
          ...w,
          message: t('input.envUnset', { name }),
        })
        return whole
      }
      if (!PUBLIC.test(name)) registerSecret(v)
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, env, where, problems))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, env, where, problems)
    return out
  }
  return value
}
