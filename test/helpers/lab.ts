// Shared by the tests that need lab hosts: whether they may run here, and small CLI
// wrappers. Lab tests need root; without it they skip with the reason, except in CI
// (CI=true), where a skip would hide a broken setup, so they run and fail.
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { runCli, type CliResult } from './cli.ts'

const isRoot = process.getuid?.() === 0
export const labSkip: string | false =
  !isRoot && process.env.CI !== 'true'
    ? 'the lab needs root (namespaces, bridges, mounts): run the tests as root, as CI does'
    : false

export const lab = (...args: string[]): Promise<CliResult> => runCli(['lab', ...args])

/**
 * For a test too long for the suite's time budget on a slow host: boots one real-kernel
 * guest (`lab doctor`) and returns a skip reason, with the figure, when it took longer than
 * `limitSeconds` to answer SSH. A guest that does not boot at all is no reason to skip:
 * the test then runs and fails. HALAB_FULL_UML=1 runs the test whatever the figure.
 */
export async function realKernelTooSlow(limitSeconds: number, what: string): Promise<string | false> {
  if (labSkip || process.env.HALAB_FULL_UML === '1') return labSkip
  const r = await lab('doctor')
  const m = /a guest answered SSH ([\d.]+) s after start/.exec(r.stdout)
  if (!m || Number(m[1]) <= limitSeconds) return false
  return (
    `one real-kernel guest took ${m[1]} s to answer SSH here (over ${limitSeconds} s): ${what} would not fit the ` +
    'suite\'s time budget on this host; run it alone with HALAB_FULL_UML=1 npm test'
  )
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
