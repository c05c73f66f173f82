// -e/--extra-vars as ansible-playbook takes them: `k=v k2=v2`, `@file.yml`, or JSON/YAML.
// Anything malformed is invalid input (exit 3) naming the flag, the value and the problem.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { InventoryError, type InputProblem } from '../errors.js'

const FLAG = '-e'
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function parseExtraVars(values: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const problems: InputProblem[] = []
  for (const v of values) Object.assign(out, extraVarsOf(v, problems))
  if (problems.length) throw new InventoryError(problems)
  return out
}

/** One -e value's variables; what is wrong with it goes to `problems`. */
function extraVarsOf(v: string, problems: InputProblem[]): Record<string, unknown> {
  if (v.startsWith('@')) return fromFile(v.slice(1), problems)
  if (/^\s*[{[]/.test(v)) return mapping(parsed(v, problems, { field: FLAG }), problems, { field: FLAG })
  const out: Record<string, unknown> = {}
  for (const pair of v.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []) {
    const eq = pair.indexOf('=')
    const key = pair.slice(0, Math.max(eq, 0))
    if (eq <= 0 || !VAR_NAME.test(key)) {
      problems.push({ field: FLAG, message: `expected key=value with a variable name as key, got "${pair}"` })
      continue
    }
    const raw = pair.slice(eq + 1).replace(/^(['"])(.*)\1$/, '$2')
    out[key] = raw === '' ? '' : (parsed(raw, problems, { field: `${FLAG} ${key}` }) ?? raw)
  }
  return out
}

function fromFile(file: string, problems: InputProblem[]): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    problems.push({ file, field: FLAG, message: `cannot read extra vars: ${(e as Error).message}` })
    return {}
  }
  return mapping(parsed(text, problems, { file, field: FLAG }), problems, { file, field: FLAG })
}

/** YAML 1.1 (JSON is YAML); a syntax error becomes a problem with its first line. */
function parsed(text: string, problems: InputProblem[], where: Omit<InputProblem, 'message'>): unknown {
  try {
    return parse(text, { version: '1.1' })
  } catch (e) {
    const first = (e as Error).message.split('\n')[0].replace(/:\s*$/, '')
    problems.push({ ...where, message: `cannot parse ${JSON.stringify(shorten(text))} as YAML/JSON: ${first}` })
    return undefined
  }
}

function mapping(data: unknown, problems: InputProblem[], where: Omit<InputProblem, 'message'>) {
  if (data === undefined) return {}
  if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>
  problems.push({ ...where, message: 'extra vars must be a mapping of variable names to values' })
  return {}
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
