// The bad-input corpus (test/fixtures/bad-input.yml): every malformed inventory, variable,
// .env and flag ends with exit 3 and a line naming its file, host and field, and nothing
// connects to the loopback port every host points at.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { connectionCounter, loadCorpus, runCase, verdict } from '../helpers/bad-input.ts'

const corpus = loadCorpus()
let counter: Awaited<ReturnType<typeof connectionCounter>>
before(async () => {
  counter = await connectionCounter()
})
after(async () => {
  await counter?.close()
})

test(`the corpus holds at least 40 cases (${corpus.length})`, () => {
  assert.ok(corpus.length >= 40)
  assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length, 'names are unique')
})

for (const c of corpus)
  test(`bad input: ${c.name}`, async () => {
    const r = await runCase(c, counter)
    assert.deepEqual(verdict(c, r), [], r.output)
  })

test('the listener does see runs that get past validation (the checks above can fail)', async () => {
  for (const project of ['fixture', 'site'] as const) {
    const valid = { ...corpus[0], project, files: {}, replace: [], args: [], expect: { message: '' } }
    const r = await runCase(valid, counter)
    assert.equal(r.code, 4, r.output)
    assert.ok(r.connections >= 1, `the valid ${project} inventory reached the loopback listener`)
  }
})
