// The message catalogue: both languages have every key with the same parameters, the
// language follows --lang and the locale, and the recap, verify table and error frame come
// out in the language asked for.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CATALOGUES, detectLang, setLang, t, type Lang } from '../../src/i18n.ts'
import { InventoryError, TaskError } from '../../src/errors.ts'
import { main } from '../../src/cli.ts'
import { printRecap } from '../../src/output/recap.ts'
import { memorySink } from '../../src/output/sink.ts'
import type { CheckResult } from '../../src/verify/check.ts'
import { printChecks } from '../../src/verify/table.ts'
import { listHosts, listTags, listTasks } from '../../src/output/listing.ts'
import { hostlessLine } from '../../src/output/details.ts'
import { selectTasks } from '../../src/engine/select-tasks.ts'
import type { PreparedPlay } from '../../src/engine/prepare.ts'
import { directory } from '../../src/sdk.ts'

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
  const same = new Set(['run.hosts', 'run.play', 'status.ok', 'task.handler', 'error.whereHost', 'error.whereHosts'])
  // Ansible's words, kept in the listings: `playbook:`, `PLAY #1 x (hosts: y)`, `2 hosts`, `hosts a, b:`.
  for (const key of ['list.playbook', 'list.play', 'list.hostCount', 'list.hostsOf']) same.add(key)
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

/** What `print` writes in `lang` (English again afterwards). */
function printedIn(lang: Lang, print: (sink: ReturnType<typeof memorySink>) => void): string {
  const sink = memorySink()
  try {
    setLang(lang)
    print(sink)
  } finally {
    setLang('en')
  }
  return sink.text()
}

const recap = {
  nodo1: { ok: 5, changed: 2, failed: 0, skipped: 1, unreachable: 0, notes: ['drbd: configuration only'] },
  nodo2: { ok: 3, changed: 0, failed: 1, skipped: 0, unreachable: 0, notes: [] },
  nodo3: { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 1, notes: [] },
}

test('the recap in Spanish: counters, notes, the run in one line and what to do next', () => {
  const text = printedIn('es', (sink) => printRecap(sink, recap, 12_345))
  assert.match(text, /^RESUMEN \(12\.3 s\)$/m)
  assert.match(text, /^nodo1 : ok=5 cambiados=2 fallidos=0 omitidos=1 inalcanzables=0$/m)
  assert.match(text, /^ +nota: drbd: configuration only$/m)
  assert.match(text, /^3 hosts: 0 sin cambios, 1 con cambios, 1 con fallos, 1 inalcanzable$/m)
  assert.match(text, /→ una tarea falló en nodo2: lee su error más arriba/)
  assert.match(text, /→ no se pudo conectar con nodo3:/)
  const english = printedIn('en', (sink) => printRecap(sink, recap, 12_345))
  assert.match(english, /^nodo1 : ok=5 changed=2 failed=0 skipped=1 unreachable=0$/m)
  assert.match(english, /^3 hosts: 0 unchanged, 1 changed, 1 failed, 1 unreachable$/m)
  assert.match(english, /→ a task failed on nodo2/)
})

test('a run where every host is fine ends with its one line and no advice', () => {
  const fine = { a: { ok: 2, changed: 0, failed: 0, skipped: 0, unreachable: 0, notes: [] } }
  const text = printedIn('es', (sink) => printRecap(sink, fine, 100))
  assert.match(text, /^1 host: 1 sin cambios, 0 con cambios, 0 con fallos, 0 inalcanzables\n$/m)
  assert.doesNotMatch(text, /→/)
})

test('the verify table in Spanish, its columns aligned to the longest label', () => {
  const results: CheckResult[] = [
    { name: 'the VIP answers', status: 'pass', ms: 1200, detail: 'nodo1' },
    { name: 'DRBD failover', status: 'fail', ms: 300, detail: 'still Secondary' },
    { name: 'ip_vs', status: 'not run', ms: 0, detail: 'kernel lacks ip_vs' },
  ]
  const lines = printedIn('es', (sink) => printChecks(sink, 'heartbeat', results)).split('\n')
  assert.equal(lines[1], 'VERIFICACIÓN heartbeat')
  assert.equal(lines[2], 'comprobación     resultado     tiempo   detalle')
  assert.equal(lines[3], 'the VIP answers  correcto       1.2 s   nodo1')
  assert.equal(lines[4], 'DRBD failover    FALLO          0.3 s   still Secondary')
  assert.equal(lines[5], 'ip_vs            no ejecutado   0.0 s   kernel lacks ip_vs')
  assert.equal(lines[6], 'comprobaciones: 1 correcta, 1 fallida, 1 sin ejecutar')
})

test('the error frame of a failed command in Spanish: what, where, command, exit code, output, what next', () => {
  const frame = () =>
    new TaskError(
      t('error.commandFailed', { host: 'nodo1' }),
      { command: 'drbdadm up r0', exitCode: 127, stderr: 'sh: drbdadm: not found\n' },
      t('error.nextNotInstalled', { host: 'nodo1' }),
    ).render()
  let text = ''
  printedIn('es', () => (text = frame()))
  assert.equal(
    text,
    [
      'falló un comando en nodo1',
      '  comando: drbdadm up r0',
      '  código de salida: 127 (comando no encontrado)',
      '  salida:',
      '    sh: drbdadm: not found',
      '  → el comando no está instalado en nodo1: añade su paquete en una tarea anterior (o en base_packages) ' +
        'y vuelve a ejecutar',
    ].join('\n'),
  )
  assert.match(frame(), /^command failed on nodo1\n  command: drbdadm up r0\n  exit code: 127 \(command not found\)/)
})

test('invalid input in Spanish: how many problems, each with where it is, and what to do', () => {
  let text = ''
  printedIn('es', () => {
    const problems = [
      { field: '--limit', message: t('input.notHostOrGroup', { name: 'zz', inventory: 'hosts.yml', groups: 'all' }) },
      { file: 'inventory/2-node/.env', message: t('input.envOpen', { mode: '0644', file: '.env' }) },
    ]
    text = new InventoryError(problems).render()
  })
  assert.equal(
    text,
    [
      'entrada no válida (2 problemas), no se ha ejecutado nada:',
      '  - campo --limit: "zz" no es un host ni un grupo del inventario hosts.yml (sus grupos: all)',
      '  - inventory/2-node/.env: contiene secretos pero el grupo u otros pueden leerlo (modo 0644): ' +
        'ejecuta chmod 600 .env',
      '  → corrige los problemas de la lista y vuelve a ejecutar',
    ].join('\n'),
  )
})

test('--lang es works anywhere on the line, wins over the locale, and --json stays English', async () => {
  const english = { LANG: 'C.UTF-8' }
  const run = async (args: string[], env: Record<string, string>) => {
    const sink = memorySink()
    const code = await main(['node', 'run-playbook', ...args], sink, env)
    return { code, text: sink.text() }
  }
  const missing = '/nonexistent/halab-inventory'
  for (const args of [
    ['site', '-i', missing, '--lang', 'es'],
    ['--lang', 'es', 'site', '-i', missing],
    ['-i', missing, '--lang', 'es', 'site'],
  ]) {
    const r = await run(args, english)
    assert.equal(r.code, 3, args.join(' '))
    assert.match(r.text, /no existe ese inventario/, args.join(' '))
  }
  const r = await run(['site', '-i', missing], { LANG: 'es_ES.UTF-8' })
  assert.match(r.text, /^entrada no válida \(1 problema\), no se ha ejecutado nada:\n.*no existe ese inventario/)
  const flag = await run(['site', '-i', missing, '--lang', 'en'], { LANG: 'es_ES.UTF-8' })
  assert.match(flag.text, /^invalid input \(1 problem\), nothing was run:\n.*no such inventory/)
  const json = await run(['site', '-i', missing, '--json'], { LANG: 'es_ES.UTF-8' })
  assert.match(json.text, /no such inventory/)
  const wrong = await run(['site', '--lang', 'fr'], english)
  assert.equal(wrong.code, 3)
  assert.match(wrong.text, /'fr' is invalid\. Allowed choices are en, es/)
})

/** Two plays: web (demo on a, b) and one that this inventory gives no host. */
function listedRun(): { plays: PreparedPlay[]; roles: string[]; hosts: string[] } {
  const demo = (host: string) => ({
    role: 'demo',
    tasks: [directory({ path: `/srv/${host}` })],
    handlers: {},
    notes: [],
    kernel: [],
  })
  const plays: PreparedPlay[] = [
    {
      name: 'web',
      pattern: 'web',
      hosts: new Map([
        ['a', [demo('a')]],
        ['b', [demo('b')]],
      ]),
    },
    { name: 'nobody', pattern: 'none', hosts: new Map() },
  ]
  return { plays, roles: ['demo'], hosts: ['a', 'b'] }
}

/** The listings, the hostless line and the selection's problems, as printed in `lang`. */
function listedIn(lang: Lang): string {
  let text = ''
  printedIn(lang, () => {
    const run = listedRun()
    const problems: { field?: string; message: string }[] = []
    selectTasks(run.plays, { tags: ['x*', 'untagged'], skipTags: ['nope'], startAt: 'zz' }, problems)
    text = [listHosts('site', run), listTasks('site', run), listTags('site', run), hostlessLine(['n'])]
      .concat(problems.map((p) => `${p.field}: ${p.message}`))
      .join('')
  })
  return text
}

test('--list-hosts, --list-tasks, --list-tags, the hostless line and --tags problems in both languages', () => {
  const en = listedIn('en')
  assert.match(en, /^playbook: site\n\n {2}PLAY #1 web \(hosts: web\): 2 hosts\n {4}a\n {4}b\n\n/)
  assert.match(en, /\n {2}no host in this run for 1 play\(s\): nobody\n/)
  assert.match(en, / {4}hosts a:\n {6}demo : directory \/srv\/a  TAGS: \[demo, config\]\n/)
  assert.match(en, /\n {6}TASK TAGS: \[config, demo\]\n/)
  assert.match(en, /\(1 play\(s\) with no host in this run: n\)/)
  assert.match(en, /--tags: no tag of this run matches "x\*" \(its tags: config, demo\)/)
  assert.match(en, /--tags: no task of this run is "untagged": each one is tagged with its role's name/)
  assert.match(en, /--skip-tags: no task of this run has the tag "nope" \(its tags: config, demo\)/)
  assert.match(en, /--start-at-task: no task of this run is named "zz" \(--list-tasks shows their names\)/)
  const es = listedIn('es')
  assert.match(es, /^playbook: site\n\n {2}PLAY #1 web \(hosts: web\): 2 hosts\n/)
  assert.match(es, /\n {2}1 play sin ningún host en esta ejecución: nobody\n/)
  assert.match(es, / {6}demo : directory \/srv\/a  ETIQUETAS: \[demo, config\]\n/)
  assert.match(es, /\n {6}ETIQUETAS DE SUS TAREAS: \[config, demo\]\n/)
  assert.match(es, /\(1 play sin ningún host en esta ejecución: n\)/)
  assert.match(es, /--tags: ninguna etiqueta de esta ejecución coincide con "x\*" \(sus etiquetas: config, demo\)/)
  assert.match(es, /--tags: ninguna tarea de esta ejecución es "untagged"/)
  assert.match(es, /--skip-tags: ninguna tarea de esta ejecución tiene la etiqueta "nope"/)
  assert.match(es, /--start-at-task: ninguna tarea de esta ejecución se llama "zz"/)
  assert.doesNotMatch(es, /no host|no task|its tags|TAGS/)
})
