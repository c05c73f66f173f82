// The generated role reference as file name → content, for the script and the test.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { anchors, indexPage, rolePage } from './role-markdown.ts'
import { loadReferences } from './role-reference.ts'

export async function roleDocs(root: string): Promise<Record<string, string>> {
  const refs = await loadReferences(join(root, 'roles'))
  const sections = anchors(readFileSync(join(root, 'docs/roles.md'), 'utf8'))
  const files: Record<string, string> = { 'README.md': indexPage(refs) }
  for (const r of refs) files[`${r.name}.md`] = rolePage(r, sections.has(r.name) ? r.name : undefined)
  return files
}
