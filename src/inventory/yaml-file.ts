// YAML as Ansible reads it: YAML 1.1 (`yes` → true, `0644` → 420), with the line of
// every top-level key kept so errors can point at it.
import { readFileSync } from 'node:fs'
import { LineCounter, parseDocument, isMap, isScalar, type Node } from 'yaml'
import type { InputProblem } from '../errors.js'

export interface ParsedYaml {
  value: unknown
  /** Line (1-based) of a node by its path of keys, e.g. ['all','children','web','hosts','h1']. */
  lineOf(path: (string | number)[]): number | undefined
}

export function readYaml(file: string, problems: InputProblem[]): ParsedYaml | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    problems.push({ file, message: `cannot read: ${(e as Error).message}` })
    return undefined
  }
  return parseYaml(text, file, problems)
}

export function parseYaml(text: string, file: string, problems: InputProblem[]): ParsedYaml | undefined {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false })
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0]?.line ?? (err.pos ? lineCounter.linePos(err.pos[0]).line : undefined)
      problems.push({ file, line, message: `YAML syntax: ${err.message.split('\n')[0]}` })
    }
    return undefined
  }
  const lineOf = (path: (string | number)[]): number | undefined => {
    let node: unknown = doc.contents
    let keyLine: number | undefined
    for (const key of path) {
      if (!isMap(node)) return keyLine
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key))
      if (!pair) return keyLine
      const keyNode = pair.key as Node
      if (keyNode.range) keyLine = lineCounter.linePos(keyNode.range[0]).line
      node = pair.value
    }
    return keyLine
  }
  return { value: doc.toJS({ maxAliasCount: 1000 }), lineOf }
}
