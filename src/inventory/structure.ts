// The shape an inventory file describes, whatever its format: groups, their hosts and
// children, and the variables written inline (with the file:line they came from).
import type { InputProblem } from '../errors.js'
import { expandHostRange } from './host-ranges.js'
import type { VarLayer } from './types.js'

export interface InventoryStructure {
  groups: Map<string, { hosts: Set<string>; children: Set<string>; vars: VarLayer }>
  /** Variables written inline on a host line/entry; several entries merge in order. */
  hostVars: Map<string, VarLayer>
}

export function emptyStructure(): InventoryStructure {
  return { groups: new Map([['all', newGroup()]]), hostVars: new Map() }
}

export function newGroup() {
  return { hosts: new Set<string>(), children: new Set<string>(), vars: { vars: {}, origins: {} } as VarLayer }
}

export function ensureGroup(s: InventoryStructure, name: string) {
  let g = s.groups.get(name)
  if (!g) s.groups.set(name, (g = newGroup()))
  return g
}

export function mergeLayer(into: VarLayer, vars: Record<string, unknown>, origin: (key: string) => string): void {
  for (const [k, v] of Object.entries(vars)) {
    into.vars[k] = v
    into.origins[k] = origin(k)
  }
}

export const VALID_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/** The hosts a host entry names (`web[01:03]` is three), each checked; problems name `where`. */
export function hostNames(pattern: string, problems: InputProblem[], where: Omit<InputProblem, 'message'>): string[] {
  let names: string[]
  try {
    names = expandHostRange(pattern)
  } catch (e) {
    problems.push({ ...where, message: `invalid host range ${(e as Error).message}` })
    return []
  }
  const bad = names.filter((n) => !VALID_NAME.test(n))
  for (const n of bad) problems.push({ ...where, message: `invalid host name "${n}"` })
  return names.filter((n) => VALID_NAME.test(n))
}
