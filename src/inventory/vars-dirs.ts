// group_vars/ and host_vars/ beside the inventory: `NAME.yml`, `NAME.yaml`, `NAME`
// (YAML), or a directory `NAME/` whose YAML files are merged in name order.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { InputProblem } from '../errors.js'
import type { VarLayer } from './types.js'
import { readYaml } from './yaml-file.js'

export function readVarsDir(base: string, name: string, problems: InputProblem[]): VarLayer {
  const layer: VarLayer = { vars: {}, origins: {} }
  const candidates = [`${name}.yml`, `${name}.yaml`, name].map((f) => join(base, f))
  const files: string[] = []
  for (const c of candidates) {
    if (!existsSync(c)) continue
    if (statSync(c).isDirectory())
      files.push(
        ...readdirSync(c)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(c, f)),
      )
    else files.push(c)
  }
  for (const file of files) {
    const one = readVarsFile(file, problems)
    Object.assign(layer.vars, one.vars)
    Object.assign(layer.origins, one.origins)
  }
  return layer
}

export function readVarsFile(file: string, problems: InputProblem[]): VarLayer {
  const layer: VarLayer = { vars: {}, origins: {} }
  const parsed = readYaml(file, problems)
  if (!parsed || parsed.value === null || parsed.value === undefined) return layer
  if (typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    problems.push({ file, line: 1, message: 'a vars file must be a mapping of variable names to values' })
    return layer
  }
  for (const [k, v] of Object.entries(parsed.value as Record<string, unknown>)) {
    layer.vars[k] = v
    const line = parsed.lineOf([k])
    layer.origins[k] = line ? `${file}:${line}` : file
  }
  return layer
}

/** Names that have a vars file/dir under `base`, to flag group_vars for groups that do not exist. */
export function varsDirNames(base: string): string[] {
  if (!existsSync(base)) return []
  return readdirSync(base).map((f) => f.replace(/\.ya?ml$/, ''))
}
