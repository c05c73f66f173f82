// The generated role reference (docs/roles/) is what the schemas give now, and every
// schema variable has a description: CI fails when a schema changes without `npm run docs:roles`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { roleDocs } from '../../src/docs/role-docs.ts'
import { fieldsOf, loadReferences, typeOf } from '../../src/docs/role-reference.ts'

const root = join(import.meta.dirname, '../..')

test('docs/roles/ is up to date with the schemas (run npm run docs:roles)', async () => {
  const files = await roleDocs(root)
  assert.deepEqual(readdirSync(join(root, 'docs/roles')).sort(), Object.keys(files).sort())
  for (const [f, text] of Object.entries(files))
    assert.equal(readFileSync(join(root, 'docs/roles', f), 'utf8'), text, `docs/roles/${f} is out of date`)
})

test('every variable of every role has a type and a description', async () => {
  const refs = await loadReferences(join(root, 'roles'))
  assert.equal(refs.length, readdirSync(join(root, 'roles')).length)
  const missing = refs.flatMap((r) => r.fields.filter((f) => !f.description).map((f) => `${r.name}: ${f.path}`))
  assert.deepEqual(missing, [])
  // dhcp-client reads `mac` as anything, to tell an unquoted MAC (a YAML number) from a missing one.
  const untyped = refs.flatMap((r) => r.fields.filter((f) => f.type === 'any').map((f) => `${r.name}: ${f.path}`))
  assert.deepEqual(untyped, ['dhcp-client: interfaces[].mac'])
})

test('nested fields, variants and defaults are listed', () => {
  const schema = {
    type: 'object',
    required: ['list'],
    properties: {
      list: {
        type: 'array',
        minItems: 1,
        items: {
          anyOf: [
            { type: 'object', properties: { type: { const: 'a' }, x: { type: 'integer', minimum: 1, maximum: 9 } } },
            { type: 'object', properties: { type: { const: 'b' }, y: { type: 'string', format: 'ipv4' } } },
          ],
        },
      },
      port: { type: 'integer', default: 80, description: 'the port' },
    },
  }
  assert.deepEqual(
    fieldsOf(schema).map((f) => [f.path, f.type, f.default]),
    [
      ['list', 'list of object (at least 1)', '**required**'],
      ['list[type=a].x', 'integer 1–9', '—'],
      ['list[type=b].y', 'IPv4 address', '—'],
      ['port', 'integer', '`80`'],
    ],
  )
  assert.equal(typeOf({ anyOf: [{ type: 'string' }, { type: 'null' }] }, {}), 'string or null')
})
