// Shared by the tests that need lab hosts: whether they may run here, and small CLI
// wrappers. Lab tests need root; without it they skip with the reason, except in CI
// (CI=true), where a skip would hide a broken setup, so they run and fail.
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before } from 'node:test'
import { parse } from 'dotenv'
import { REPO, runCli, type CliResult } from './cli.ts'

const isRoot = process.getuid?.() === 0
export const labSkip: string | false =
  !isRoot && process.env.CI !== 'true'
    ? 'the lab needs root (namespaces, bridges, mounts): run the tests as root, as CI does'
    : false

export const lab = (...args: string[]): Promise<CliResult> => runCli(['lab', ...args])

/**
 * Why real-kernel guests are too slow here for the suite's time budget, or false. A host
 * kernel that isolates page tables (Meltdown's PTI, as some hypervisors force) makes each
 * system call and page fault of a user-mode-linux guest a round trip through it: guests run
 * ~7x slower (docs/lab.md), where a 6-node lab site alone would take over an hour. A fact of
 * the kernel, not a timing, so a busy machine does not change the answer.
 * HALAB_FULL_UML=1 runs everything on real-kernel guests whatever the kernel.
 */
export function realKernelSlow(): string | false {
  if (process.env.HALAB_FULL_UML === '1') return false
  const file = '/sys/devices/system/cpu/vulnerabilities/meltdown'
  const state = existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
  return /PTI/.test(state)
    ? `this machine's kernel isolates page tables (${file}: ${state}): real-kernel guests run ~7x slower ` +
        "than the suite's time budget allows; run with HALAB_FULL_UML=1 npm test to use them anyway"
    : false
}

/** Run a command on a lab host; stdout when it succeeds. */
export async function onHost(host: string, command: string): Promise<string> {
  const r = await lab('exec', host, '--', 'sh', '-c', command)
  assert.equal(r.code, 0, `${host}: ${command}\n${r.stdout}${r.stderr}`)
  return r.stdout
}

/** Poll a host command until its output matches, up to `seconds`; the last output otherwise. */
export async function waitOn(host: string, command: string, want: RegExp, seconds: number): Promise<string> {
  const deadline = Date.now() + seconds * 1000
  let out = ''
  while (Date.now() < deadline) {
    const r = await lab('exec', host, '--', 'sh', '-c', command)
    out = r.stdout
    if (want.test(out)) return out
    await new Promise((res) => setTimeout(res, 1000))
  }
  assert.fail(`${host}: \`${command}\` did not match ${want} within ${seconds} s; last output:\n${out}`)
}

/** The recap line of a host in plain output, whitespace folded. */
export function recapLine(r: CliResult, host: string): string {
  const line = r.stdout.split('\n').find((l) => l.startsWith(host + ' ') && l.includes(' : ok='))
  assert.ok(line, `no recap line for ${host} in:\n${r.stdout}\n${r.stderr}`)
  return line.replace(/\s+/g, ' ')
}

/** Inside a describe(): a fresh lab for this inventory before its tests, gone after. */
export function useLab(inventory: string, ...upArgs: string[]): void {
  before(async () => {
    await lab('down')
    const up = await lab('up', '-i', inventory, ...upArgs)
    assert.equal(up.code, 0, up.stdout + up.stderr)
  })
  after(async () => {
    await lab('down')
  })
}

export interface LabSiteLab {
  /** The inventory copy lab site ran on (its .env written by lab site). */
  readonly dir: string
  /** Each host on the kernel its roles need; false where every host is a container (realKernelSlow). */
  readonly live: boolean
  /** lab site's result (once before() ran). */
  readonly result: CliResult
  /** The values of the .env lab site wrote: none may reach any output. */
  readonly secrets: string[]
}

/**
 * Inside a describe(): before its tests, `lab site` on a copy of inventory/NAME with `files` added (path in the
 * copy → content) and no .env, so that lab site writes one of its own: checks, lab up, site and verify in one
 * command, as a user runs it. lab down after. Where real-kernel guests are too slow (realKernelSlow) every host
 * is a container, and roles that need a kernel feature are configuration only. `args` go to lab site
 * (`--load 5`).
 */
export function useLabSite(name: string, files: Record<string, string> = {}, args: string[] = []): LabSiteLab {
  const dir = mkdtempSync(join(tmpdir(), `halab-${name}-`))
  cpSync(join(REPO, 'inventory', name), dir, { recursive: true })
  rmSync(join(dir, '.env'), { force: true })
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  const live = !realKernelSlow()
  let result: CliResult | undefined
  let secrets: string[] = []
  before(async () => {
    await lab('down')
    result = await lab('site', '-i', dir, '--keep', ...args, ...(live ? [] : ['--kernel', 'nspawn']))
    if (existsSync(join(dir, '.env'))) secrets = Object.values(parse(readFileSync(join(dir, '.env'))))
  })
  after(async () => {
    await lab('down')
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    dir,
    live,
    get result() {
      assert.ok(result, 'lab site has not run')
      return result
    },
    get secrets() {
      return secrets
    },
  }
}

/** The `checks: P pass, F fail, N not run` lines of verify output, as numbers. */
export function verifyTallies(stdout: string): number[][] {
  return [...stdout.matchAll(/^checks: (\d+) pass, (\d+) fail, (\d+) not run$/gm)].map((m) => m.slice(1).map(Number))
}

const TROUBLE = /\bFAIL\b|\bfailed=[1-9]|unreachable=[1-9]|: failed\b|\b[1-9]\d* fail,|\bnot run\b|rror|timed out/

/**
 * A run's output for an assertion message, read from the top: a CI log may keep only a message's first lines, so
 * the lines that say what went wrong (FAIL, failed=N, not run, errors) and stderr's end come before the whole.
 */
export function explain(r: CliResult): string {
  const trouble = r.stdout.split('\n').filter((l) => TROUBLE.test(l))
  const stderrEnd = r.stderr.trim().split('\n').slice(-20)
  return [
    `exit ${r.code}; what went wrong:`,
    ...trouble.slice(0, 40),
    '--- stderr (end) ---',
    ...stderrEnd,
    '--- stdout ---',
    r.stdout,
  ].join('\n')
}

/** lab site succeeded, said the time of each phase (shown as the test's diagnostic), and what is running now. */
export function assertLabSiteRan(r: CliResult, t: { diagnostic(message: string): void }): void {
  assert.equal(r.code, 0, explain(r))
  const times = /^lab site: checks [\d.]+ s · lab up [\d.]+ s · site [\d.]+ s · verify [\d.]+ s$/m.exec(r.stdout)
  assert.ok(times, explain(r))
  t.diagnostic(times[0])
  assert.match(r.stdout, /^Running now: .*converged and verified\. Explore: /m)
}
