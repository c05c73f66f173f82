// YAML as Ansible reads it: YAML 1.1 (`yes` → true, `0644` → 420), with the line of
// every top-level key kept so errors can point at it.
import { readFileSync } from 'node:fs'
import { LineCounter, parseDocument, isMap, isPair, isScalar, visit, type Document, type Node } from 'yaml'
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
  if (text.startsWith('$ANSIBLE_VAULT;'))
    return void problems.push({
      file,
      message:
        'this file is encrypted with ansible-vault, which halab does not decrypt: decrypt it ' +
        `(ansible-vault decrypt ${file}), move each secret to .env beside the inventory ` +
        'and write ${NAME} in its place',
    })
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false, customTags: [VAULT_TAG] })
  if (vaultProblems(doc, lineCounter, file, problems)) return undefined
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

/** `!vault` is parsed (not warned about) so that vaultProblems can name each such variable. */
const VAULT_TAG = { tag: '!vault', resolve: (s: string) => s }

/**
 * An Ansible `!vault` value is ciphertext: used as is it would become a password. Each one is
 * a problem naming the file, line and variable, and saying where its plain value goes.
 */
function vaultProblems(doc: Document, lines: LineCounter, file: string, problems: InputProblem[]): boolean {
  let found = false
  visit(doc, {
    Scalar(_key, node, path) {
      if (node.tag !== '!vault') return
      found = true
      const keys = path.filter(isPair).map((p) => String(isScalar(p.key) ? p.key.value : p.key))
      const variable = keys.at(-1) ?? 'value'
      const envName = variable.toUpperCase().replace(/[^A-Z0-9_]/g, '_')
      problems.push({
        file,
        line: node.range ? lines.linePos(node.range[0]).line : undefined,
        field: keys.join('.') || undefined,
        message:
          `"${variable}" is an Ansible vault value (!vault), which halab does not decrypt: put its plain value ` +
          `in .env beside the inventory (${envName}=..., from ansible-vault view or decrypt) and write ` +
          `${variable}: "\${${envName}}" here`,
      })
    },
  })
  return found
}
