// The whole runner through its CLI, against a real sshd on loopback: converge, no-op
// rerun, check mode that leaves no trace, diffs, handlers, failures, unreachable
// hosts, invalid input, and secrets that never reach any output.
import assert from 'node:assert/strict'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { freePort, sshdVarsYaml, useSshdWork, type TestSshd } from '../helpers/sshd.ts'
import { REPO, runCli, type CliResult } from '../helpers/cli.ts'

const PROJECT = join(REPO, 'test', 'fixtures', 'project')
const SECRET = 'Tr0ub4dor-halab-secret'
let sshd: TestSshd
let work: string
const outputs: string[] = []

useSshdWork('halab-run-', (s, w) => ((sshd = s), (work = w)))

/** An inventory dir for the sshd: hosts alpha and beta, each with its own root. */
function inventory(name: string, extraHosts = '', extraVars = '', env = `DEMO_SECRET=${SECRET}\n`): string {
  const dir = join(work, name)
  const hosts = `all:
  vars:
${sshdVarsYaml(sshd)}    demo_secret: "\${DEMO_SECRET}"
${extraVars}
  children:
    web:
      hosts:
        alpha: { demo_root: ${join(dir, 'alpha')} }
        beta: { demo_root: ${join(dir, 'beta')}, demo_greeting: bonjour }
${extraHosts}`
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'hosts.yml'), hosts)
  if (env) writeFileSync(join(dir, '.env'), env, { mode: 0o600 })
  copyFileSync(sshd.knownHostsPath, join(dir, 'known_hosts'))
  return dir
}

async function run(args: string[], env?: Record<string, string>): Promise<CliResult> {
  const r = await runCli(args, { cwd: PROJECT, env })
  outputs.push(r.stdout, r.stderr)
  return r
}

function recapLine(r: CliResult, host: string): string {
  const line = r.stdout.split('\n').find((l) => l.startsWith(host) && l.includes(' : ok='))
  assert.ok(line, `no recap line for ${host} in:\n${r.stdout}\n${r.stderr}`)
  return line.replace(/\s+/g, ' ')
}

/** Every file under dir with its content and mode: "nothing changed" means equal snapshots. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f)
      const s = statSync(p)
      if (s.isDirectory()) walk(p)
      out[p] = s.isDirectory() ? `dir ${s.mode}` : `${s.mode} ${readFileSync(p, 'utf8')}`
    }
  }
  walk(dir)
  return out
}

test('converges, then a second run changes nothing', async () => {
  const inv = inventory('converge')
  const first = await run(['demo', '-i', inv])
  assert.equal(first.code, 0, first.stdout + first.stderr)
  assert.match(recapLine(first, 'alpha'), /ok=0 changed=3 failed=0/)
  assert.match(first.stdout, /\[alpha\] demo \| handler: reload demo: changed/)
  const conf = readFileSync(join(inv, 'beta', 'demo.conf'), 'utf8')
  assert.match(conf, /greeting = bonjour/)
  assert.match(conf, new RegExp(`secret = ${SECRET}`), 'the secret reaches the host')
  assert.equal(statSync(join(inv, 'beta', 'demo.conf')).mode & 0o777, 0o600)
  const second = await run(['demo', '-i', inv])
  assert.equal(second.code, 0)
  assert.match(recapLine(second, 'alpha'), /ok=2 changed=0 failed=0/)
  assert.match(recapLine(second, 'beta'), /ok=2 changed=0 failed=0/)
})

test('--check reports a hand-made drift and leaves every file as it was; --diff shows it with secrets masked', async () => {
  const inv = inventory('check')
  assert.equal((await run(['demo', '-i', inv])).code, 0)
  const conf = join(inv, 'alpha', 'demo.conf')
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('greeting = hello', 'greeting = edited by hand'))
  const before = snapshot(inv)
  const check = await run(['demo', '-i', inv, '--check', '--diff'])
  assert.equal(check.code, 0, check.stderr)
  assert.deepEqual(snapshot(inv), before, 'check mode changed nothing')
  assert.match(check.stdout, /\[alpha\] demo \| template .*demo\.conf: changed \(would update .*demo\.conf\)/)
  assert.match(check.stdout, /-greeting = edited by hand/)
  assert.match(check.stdout, /\+greeting = hello/)
  assert.match(check.stdout, /secret = \*{8}/)
  assert.match(recapLine(check, 'beta'), /changed=0/)
  const fix = await run(['demo', '-i', inv])
  assert.match(recapLine(fix, 'alpha'), /changed=2/, 'the file and its handler')
  assert.match(readFileSync(conf, 'utf8'), /greeting = hello/)
  assert.equal(
    readFileSync(join(inv, 'alpha', 'handler.log'), 'utf8'),
    'reloaded\nreloaded\n',
    'the handler ran once per converging run',
  )
  assert.ok(existsSync(`${conf}.halab-bak`), 'the previous file is kept')
})

test('an unreachable host does not stop the others (exit 4)', async () => {
  const closed = await freePort()
  const inv = inventory('unreachable', `        gamma: { demo_root: /nonexistent, ansible_port: ${closed} }\n`)
  const r = await run(['demo', '-i', inv])
  assert.equal(r.code, 4, r.stdout)
  assert.match(r.stdout, /\[gamma\] UNREACHABLE gamma: unreachable: cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/)
  assert.match(recapLine(r, 'gamma'), /unreachable=1/)
  assert.match(recapLine(r, 'alpha'), /changed=3 failed=0/)
})

test('a failing task names host, role, task, command, exit code and stderr; other hosts finish (exit 2)', async () => {
  const inv = inventory('failing', `        delta: { demo_root: /proc/halab-cannot-exist }\n`)
  const r = await run(['demo', '-i', inv])
  assert.equal(r.code, 2, r.stdout)
  assert.match(r.stdout, /\[delta\] demo \| directory \/proc\/halab-cannot-exist: FAILED/)
  assert.match(r.stdout, /command: .*mkdir/)
  assert.match(r.stdout, /exit code: 1/)
  assert.match(r.stdout, /No such file or directory|cannot create/)
  assert.match(recapLine(r, 'delta'), /failed=1/)
  assert.match(recapLine(r, 'beta'), /changed=3 failed=0/)
})

test('invalid input is listed in full with file, line, host and field, and nothing runs (exit 3)', async () => {
  const inv = inventory('invalid', `        omega: { demo_port: not-a-number }\n`)
  const r = await run(['demo', '-i', inv, '--limit', 'web:nosuchgroup', '--roles', 'demo,nosuchrole'])
  assert.equal(r.code, 3, r.stdout + r.stderr)
  assert.match(r.stderr, /hosts\.yml:\d+, host omega, field demo_port: demo: Invalid input: expected number/)
  assert.match(r.stderr, /host omega, field demo_root: demo:/)
  assert.match(r.stderr, /--limit: "nosuchgroup" is neither a host nor a group/)
  assert.match(r.stderr, /--roles: role "nosuchrole" is not in this playbook/)
  assert.equal(existsSync(join(inv, 'alpha')), false, 'nothing ran on any host')
})

test('a missing .env variable is an error naming it and the file that uses it', async () => {
  const inv = inventory('noenv', '', '', '')
  const r = await run(['demo', '-i', inv])
  assert.equal(r.code, 3)
  assert.match(
    r.stderr,
    /hosts\.yml:\d+, hosts alpha, beta, field demo_secret: \$\{DEMO_SECRET\} is not set: add DEMO_SECRET=\.\.\. to \.env/,
  )
})

test('--json writes one event per line; --limit and --roles narrow the run', async () => {
  const inv = inventory('json')
  const r = await run(['demo', '-i', inv, '--json', '--limit', 'all:!beta', '--roles', 'demo', '--diff'])
  assert.equal(r.code, 0, r.stderr)
  const events = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.equal(events[0].type, 'run-start')
  assert.deepEqual(events[0].hosts, ['alpha'])
  const ends = events.filter((e) => e.type === 'task-end')
  assert.ok(ends.every((e) => e.host === 'alpha' && typeof e.ms === 'number'))
  assert.equal(events.at(-1).type, 'run-end')
  assert.equal(events.at(-1).recap.alpha.changed, 3)
  assert.equal(existsSync(join(inv, 'beta')), false)
})

/** An inventory for the hang playbook: alpha and beta on the sshd, with their own variables. */
function hangInventory(name: string, alpha: string, beta: string): string {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'hosts.yml'),
    `all:
  vars:
${sshdVarsYaml(sshd)}  hosts:
    alpha: ${alpha}
    beta: ${beta}
`,
  )
  copyFileSync(sshd.knownHostsPath, join(dir, 'known_hosts'))
  return dir
}

/** Processes on this machine (the loopback sshd's host) whose command line matches. */
function running(pattern: string): string[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)
}

test("a task past its timeout (its own, or the host's halab_command_timeout) fails with 124; nothing is left running", async () => {
  const inv = hangInventory(
    'timeout',
    `{ hang_command: 'sleep 987654', hang_timeout: 1.5 }`,
    `{ hang_command: 'sh -c "sleep 987655" & wait', halab_command_timeout: 1.5 }`,
  )
  const started = Date.now()
  const r = await run(['hang', '-i', inv])
  assert.equal(r.code, 2, r.stdout + r.stderr)
  assert.ok(Date.now() - started < 120_000, 'stopped at the timeout, not at the 20-minute default')
  for (const host of ['alpha', 'beta']) {
    assert.match(r.stdout, new RegExp(`\\[${host}\\] hang \\| hang: FAILED`))
    assert.match(recapLine(r, host), /ok=0 changed=0 failed=1/)
  }
  assert.match(r.stdout, /exit code: 124 \(stopped at its timeout\)/)
  assert.match(r.stdout, /ran longer than its timeout \(1\.5 s\)/)
  await new Promise((res) => setTimeout(res, 3000)) // TERM, then KILL 2 s later
  assert.deepEqual(running('sleep 98765[45]'), [], 'nothing the tasks started is left on the host')
})

test('a connection lost mid-run counts the host unreachable (exit 4), not failed; the other host finishes', async () => {
  const inv = hangInventory('lost', `{ hang_command: 'kill -9 $PPID; sleep 5' }`, '{}')
  const r = await run(['hang', '-i', inv])
  assert.equal(r.code, 4, r.stdout + r.stderr)
  assert.match(r.stdout, /\[alpha\] hang \| hang: UNREACHABLE/)
  assert.match(recapLine(r, 'alpha'), /failed=0 skipped=0 unreachable=1/)
  assert.match(recapLine(r, 'beta'), /changed=2 failed=0 skipped=0 unreachable=0/)
})

test('recap and error frame in Spanish with LANG=es_ES.UTF-8 or --lang es, in English with LANG=C', async () => {
  const closed = await freePort()
  const inv = inventory(
    'spanish',
    `        delta: { demo_root: /proc/halab-cannot-exist }\n` +
      `        gamma: { demo_root: /nonexistent, ansible_port: ${closed} }\n`,
  )
  const spanish = [
    await run(['demo', '-i', inv], { LANG: 'es_ES.UTF-8' }),
    await run(['demo', '-i', inv, '--lang', 'es'], { LANG: 'C.UTF-8' }),
    await run(['demo', '-i', inv], { LANG: 'C.UTF-8', LC_MESSAGES: 'es_MX.UTF-8' }),
  ]
  for (const r of spanish) {
    assert.equal(r.code, 6, r.stdout + r.stderr)
    assert.match(
      r.stdout,
      /\[delta\] demo \| directory \/proc\/halab-cannot-exist: FALLÓ \[[\d.]+ s\]\n.*falló un comando en delta/,
    )
    assert.match(r.stdout, /comando: .*mkdir/)
    assert.match(r.stdout, /código de salida: 1/)
    assert.match(r.stdout, /→ corrige en delta la causa que se muestra arriba/)
    assert.match(
      r.stdout,
      /\[gamma\] INALCANZABLE gamma: inalcanzable: no se puede conectar a 127\.0\.0\.1:\d+: ECONNREFUSED/,
    )
    assert.match(r.stdout, /^RESUMEN \(\d+\.\d s\)$/m)
    assert.match(r.stdout, /^delta +: ok=\d+ cambiados=0 fallidos=1 omitidos=0 inalcanzables=0$/m)
    assert.match(r.stdout, /^4 hosts: \d sin cambios, \d con cambios, 1 con fallos, 1 inalcanzable$/m)
    assert.match(r.stdout, /→ una tarea falló en delta: lee su error más arriba/)
    assert.match(r.stdout, /→ no se pudo conectar con gamma: comprueba que está encendido/)
    assert.doesNotMatch(r.stdout, /RECAP|exit code|FAILED|UNREACHABLE/)
  }
  const english = await run(['demo', '-i', inv], { LANG: 'C' })
  assert.match(english.stdout, /directory \/proc\/halab-cannot-exist: FAILED \[[\d.]+ s\]\n.*command failed on delta/)
  assert.match(english.stdout, /exit code: 1/)
  assert.match(english.stdout, /^delta +: ok=\d+ changed=0 failed=1 skipped=0 unreachable=0$/m)
  assert.match(english.stdout, /^4 hosts: \d unchanged, \d changed, 1 failed, 1 unreachable$/m)
  assert.match(english.stdout, /→ a task failed on delta/)
  assert.doesNotMatch(english.stdout, /RESUMEN|código|FALLÓ/)
  const json = await run(['demo', '-i', inv, '--json', '--lang', 'es'], { LANG: 'es_ES.UTF-8' })
  const failed = json.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'task-end' && e.status === 'failed')
  assert.match(failed.error, /command failed on delta[\s\S]*exit code: 1/, '--json stays English, for machines')
})

test('the secret from .env appears in no output of any run above', () => {
  assert.ok(outputs.length >= 10)
  for (const o of outputs) assert.equal(o.includes(SECRET), false, `secret leaked in:\n${o}`)
  assert.ok(
    outputs.some((o) => o.includes('********')),
    'secrets were masked, not just absent',
  )
})
