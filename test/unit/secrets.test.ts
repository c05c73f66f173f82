// Masking as data: a corpus of secret shapes through plain text and JSON events, and
// ordinary words that contain a short secret, which must come through unchanged.
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { clearSecrets, redact, registerSecret } from '../../src/secrets.ts'
import { ORDINARY, SECRET_CORPUS } from '../helpers/secret-corpus.ts'

afterEach(clearSecrets)

test(`${SECRET_CORPUS.length} secret shapes are masked in plain text and in JSON, and nothing else is`, () => {
  for (const s of SECRET_CORPUS) registerSecret(s)
  for (const s of SECRET_CORPUS) {
    const plain = redact(`value: ${s} end`)
    assert.match(plain, /^value: \*{8} end$/, `plain ${JSON.stringify(s)} → ${plain}`)
    const json = redact(JSON.stringify({ out: `value: ${s} end` }))
    assert.equal(JSON.parse(json).out, 'value: ******** end', `json ${JSON.stringify(s)} → ${json}`)
  }
  assert.equal(redact(ORDINARY), ORDINARY, 'no ordinary word is mangled')
})

test('a long secret is masked inside other text, a short one only as a word', () => {
  registerSecret('root')
  registerSecret('Zx9!kQ2#vL0@pR7*')
  assert.equal(redact('user root, dir /rooted, chroot'), 'user ********, dir /rooted, chroot')
  assert.equal(redact('tokenZx9!kQ2#vL0@pR7*tail'), 'token********tail')
})
