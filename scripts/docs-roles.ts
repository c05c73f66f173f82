// npm run docs:roles: writes docs/roles/<role>.md and docs/roles/README.md from the roles'
// schemas (src/docs). `--check` writes nothing and exits 1 when a file is out of date.
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { roleDocs } from '../src/docs/role-docs.ts'

const root = join(import.meta.dirname, '..')
const check = process.argv.includes('--check')
const dir = join(root, 'docs/roles')
const files = await roleDocs(root)
const stale = Object.entries(files).filter(
  ([f, text]) => !existsSync(join(dir, f)) || readFileSync(join(dir, f), 'utf8') !== text,
)
const extra = existsSync(dir) ? readdirSync(dir).filter((f) => !(f in files)) : []
if (check) {
  for (const f of [...stale.map(([f]) => f), ...extra])
    console.error(`docs/roles/${f} is out of date: run npm run docs:roles`)
  process.exit(stale.length || extra.length ? 1 : 0)
}
mkdirSync(dir, { recursive: true })
for (const [f, text] of stale) writeFileSync(join(dir, f), text)
for (const f of extra) rmSync(join(dir, f))
console.log(`docs/roles: ${stale.length} written, ${extra.length} removed, ${Object.keys(files).length} in all`)
