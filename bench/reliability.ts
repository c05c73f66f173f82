// `npm run reliability`: the hardening figures of docs/reliability.md in one table.
// Without flags, what this machine can measure without the lab: the bad-input corpus, the
// secrets corpus, 100 MB of output and a hung command over a loopback sshd. `--lab` adds
// the fault-injection runs on a lab cluster (bench/reliability-lab.ts): kill -9 of the
// runner at random points of a site run, and a host lost mid-run.
import { spawnSync } from 'node:child_process'
import { ORDINARY, SECRET_CORPUS } from '../test/helpers/secret-corpus.ts'
import { connectionCounter, loadCorpus, runCase, verdict } from '../test/helpers/bad-input.ts'
import { sshTarget, startSshd, sshdAvailable } from '../test/helpers/sshd.ts'
import { TaskError } from '../src/errors.ts'
import { unifiedDiff } from '../src/output/diff.ts'
import { clearSecrets, redact, registerSecret } from '../src/secrets.ts'
import { SshTransport } from '../src/transport/ssh.ts'

export interface Row {
  figure: string
  value: string
  how: string
}

/** Every case of test/fixtures/bad-input.yml through the CLI in-process. */
export async function badInputRow(): Promise<Row> {
  const corpus = loadCorpus()
  const counter = await connectionCounter()
  let good = 0
  let connections = 0
  try {
    for (const c of corpus) {
      const r = await runCase(c, counter)
      connections += r.connections
      if (!verdict(c, r).length) good++
    }
  } finally {
    await counter.close()
  }
  return {
    figure: 'bad-input corpus',
    value:
      `${corpus.length} cases: ${pct(good, corpus.length)} exit 3 naming file/host/field; ` +
      `${connections} connections attempted`,
    how: 'test/fixtures/bad-input.yml via the CLI in-process; hosts point at a counting loopback listener',
  }
}

/** Each shape of the secrets corpus, registered, through the four ways halab prints text. */
export function secretsRow(): Row {
  clearSecrets()
  for (const s of SECRET_CORPUS) registerSecret(s)
  const outputs = secretOutputs()
  let leaks = 0
  for (const s of SECRET_CORPUS) for (const check of outputs) if (!check(s)) leaks++
  const mangled = ORDINARY.split(' ').filter((w) => redact(` ${w} `) !== ` ${w} `).length
  clearSecrets()
  return {
    figure: 'secrets corpus',
    value:
      `${SECRET_CORPUS.length} shapes × ${outputs.length} outputs: ${leaks} leaks; ` +
      `${mangled} of ${ORDINARY.split(' ').length} ordinary words mangled`,
    how: 'test/helpers/secret-corpus.ts through plain text, a JSON event, a --diff and a task error, each redacted',
  }
}

/** One predicate per output kind: true when the secret `s` came out masked, and only it. */
function secretOutputs(): ((s: string) => boolean)[] {
  const masked = '********'
  return [
    (s) => redact(`value: ${s} end`) === `value: ${masked} end`,
    (s) => JSON.parse(redact(JSON.stringify({ out: `value: ${s} end` }))).out === `value: ${masked} end`,
    (s) => {
      const diff = redact(unifiedDiff({ path: '/etc/x.conf', before: 'key = old\n', after: `key = ${s}\n` }))
      return diff.includes(`+key = ${masked}\n`) && !diff.includes(s.length > 3 ? s : `= ${s}\n`)
    },
    (s) => {
      const err = new TaskError('command failed on h1', { command: `use ${s} now`, exitCode: 1, stderr: `bad ${s}` })
      const text = redact(err.render())
      return text.includes(`command: use ${masked} now`) && text.includes(`bad ${masked}`)
    },
  ]
}

/** 100 MB of stdout from one command over a loopback sshd, and a hung command stopped at its timeout. */
export async function transportRows(): Promise<Row[]> {
  const why = sshdAvailable()
  if (why) return [{ figure: 'loopback sshd', value: `not measured: ${why}`, how: '' }]
  const sshd = await startSshd()
  const t = await new SshTransport(sshTarget(sshd)).open()
  try {
    let started = performance.now()
    const big = await t.exec('head -c 100000000 /dev/zero | tr "\\0" a')
    const bigS = (performance.now() - started) / 1000
    const whole = big.stdout.length === 100_000_000
    started = performance.now()
    const hung = await t.exec('sh -c "sleep 987659" & wait', { timeoutMs: 2000 })
    const hungS = (performance.now() - started) / 1000
    await new Promise((r) => setTimeout(r, 3000)) // TERM, then KILL 2 s later
    const left = spawnSync('pgrep', ['-f', 'sleep 98765[9]'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)
    return [
      {
        figure: '100 MB of output',
        value: `${whole ? 'whole' : `cut to ${big.stdout.length} bytes`} in ${bigS.toFixed(1)} s`,
        how: 'one command over the loopback sshd (SshTransport), as test/e2e/transport.test.ts',
      },
      {
        figure: 'hung command (2 s timeout)',
        value: `exit ${hung.code} after ${hungS.toFixed(1)} s; ${left.length} processes left 3 s later`,
        how: 'sh -c "sleep …" & wait with timeoutMs 2000 over the loopback sshd; pgrep on the host',
      },
    ]
  } finally {
    await t.close()
    await sshd.stop()
  }
}

const pct = (n: number, of: number) => `${of ? Math.round((100 * n) / of) : 0}%`

export function printTable(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.figure.length))
  const v = Math.max(...rows.map((r) => r.value.length))
  process.stdout.write(
    `| ${'figure'.padEnd(w)} | ${'value'.padEnd(v)} | how |\n|${'-'.repeat(w + 2)}|${'-'.repeat(v + 2)}|---|\n`,
  )
  for (const r of rows) process.stdout.write(`| ${r.figure.padEnd(w)} | ${r.value.padEnd(v)} | ${r.how} |\n`)
}

const LAB_PLACEHOLDERS: Row[] = [
  { figure: 'kill -9 at 20 random points', value: 'measured by the lab run: run with --lab', how: '' },
  { figure: 'host lost mid-run', value: 'measured by the lab run: run with --lab', how: '' },
]

async function run(): Promise<void> {
  const withLab = process.argv.includes('--lab')
  const rows: Row[] = [await badInputRow(), secretsRow(), ...(await transportRows())]
  if (withLab) {
    const { labRows } = await import('./reliability-lab.ts')
    rows.push(...(await labRows()))
  } else rows.push(...LAB_PLACEHOLDERS)
  printTable(rows)
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
