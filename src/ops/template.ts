// `template`: the text of an ejs file under roles/<role>/templates/, rendered on the
// controller by the engine (RoleContext.render) when the task list is built (so a template
// error stops the run before any connection), then handled exactly like `file` (hash
// compare, diff, validate, atomic rename, backup).
import { readFileSync } from 'node:fs'
import ejs from 'ejs'
import { TemplateError } from '../errors.js'
import type { Task } from '../engine/types.js'
import { file, type FileSpec } from './file.js'

export function renderTemplate(path: string, data: Record<string, unknown>): string {
  let source: string
  try {
    source = readFileSync(path, 'utf8')
  } catch (e) {
    throw new TemplateError(`template ${path} cannot be read: ${(e as Error).message}`)
  }
  try {
    return ejs.render(source, data, { filename: path, strict: false, rmWhitespace: false })
  } catch (e) {
    const first = (e as Error).message.split('\n')
    const detail = first.find((l) => /is not defined|Error/.test(l)) ?? first[first.length - 1]
    throw new TemplateError(
      `template ${path}: ${detail}`,
      'define the variable in the role defaults or the inventory, or fix the template',
    )
  }
}

export type TemplateSpec = Omit<FileSpec, 'content' | 'src'> & { rendered: string }

/** The task keeps what it will write, so roles can be tested as data without a host. */
export function template(spec: TemplateSpec): Task & { rendered: string } {
  const task = file({ ...spec, content: spec.rendered })
  return { ...task, name: spec.name ?? `template ${spec.path}`, rendered: spec.rendered }
}
