// The message catalogue: both languages have every key with the same parameters, the
// language follows --lang and the locale, and the recap, verify table and error frame come
// out in the language asked for.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CATALOGUES, detectLang, setLang, t, type Lang } from '../../src/i18n.ts'

/** The parameters a message reads: it is called with a recorder that notes every name asked for. */
function paramsRead(message: unknown): string[] | 'string' {
  if (typeof message === 'string') return 'string'
  const read = new Set<string>()
  for (const value of [1, 2, 'x']) {
    const recorder = new Proxy({}, { get: (_o, name) => (read.add(String(name)), value) })
    ;(message as (p: unknown) => string)(recorder)
  }
  return [...read].sort()
}

test('every message exists in English and Spanish, with the same parameters', () => {
  const { en, es } = CATALOGUES
  assert.deepEqual(Object.keys(es).sort(), Object.keys(en).sort())
  for (const key of Object.keys(en) as (keyof typeof en)[])
    assert.deepEqual(paramsRead(es[key]), paramsRead(en[key]), `parameters of ${key}`)
})

/** A message's text, every parameter given as 2. */
function sample(message: unknown): string {
  return typeof message === 'string' ? message : (message as (p: unknown) => string)(new Proxy({}, { get: () => 2 }))
}

test('no Spanish message is left empty, and the ones with words differ from the English', () => {
  const same = new Set(['run.hosts', 'run.play', 'status.ok', 'task.handler', 'error.whereHost'])
  for (const [key, message] of Object.entries(CATALOGUES.es)) {
    assert.ok(sample(message).trim(), `${key} is empty`)
    const english = sample(CATALOGUES.en[key as keyof typeof CATALOGUES.en])
    if (!same.has(key)) assert.notEqual(sample(message), english, `${key} is not translated`)
  }
})

test('the language: --lang first, then LC_ALL, LC_MESSAGES, LANG; es_* is Spanish, anything else English', () => {
  const cases: [Record<string, string>, string | undefined, Lang][] = [
    [{ LANG: 'es_ES.UTF-8' }, undefined, 'es'],
    [{ LANG: 'es_MX.UTF-8' }, undefined, 'es'],
    [{ LANG: 'es' }, undefined, 'es'],
    [{ LANG: 'C.UTF-8' }, undefined, 'en'],
    [{ LANG: 'en_US.UTF-8' }, undefined, 'en'],
    [{ LANG: 'estonian' }, undefined, 'en'],
    [{}, undefined, 'en'],
    [{ LANG: 'C.UTF-8', LC_MESSAGES: 'es_AR.UTF-8' }, undefined, 'es'],
    [{ LANG: 'es_ES.UTF-8', LC_ALL: 'C' }, undefined, 'en'],
    [{ LANG: 'es_ES.UTF-8', LC_ALL: '' }, undefined, 'es'],
    [{ LANG: 'C.UTF-8' }, 'es', 'es'],
    [{ LANG: 'es_ES.UTF-8' }, 'en', 'en'],
  ]
  for (const [env, flag, want] of cases) assert.equal(detectLang(env, flag), want, JSON.stringify({ env, flag }))
})

test('t() answers in the language set, with its parameters', () => {
  try {
    setLang('es')
    assert.equal(
      t('verify.summary', { pass: 1, fail: 2, notRun: 0 }),
      'comprobaciones: 1 correcta, 2 fallidas, 0 sin ejecutar',
    )
    setLang('en')
    assert.equal(t('verify.summary', { pass: 1, fail: 2, notRun: 0 }), 'checks: 1 pass, 2 fail, 0 not run')
  } finally {
    setLang('en')
  }
})
