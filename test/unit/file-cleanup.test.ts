// A write stopped by its host's watcher (TERM to the shell's process group, as when the run was killed) must
// not leave its temp file: a candidate config may hold a secret. An EXIT trap alone does not run on a signal.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanupOnExit } from '../../src/ops/file.ts'
import { quote } from '../../src/transport/quote.ts'

/** Left in `dir` after `sh` ran `setup` then slept, and its process group got TERM mid-sleep. */
async function leftAfterTerm(dir: string, setup: string): Promise<string[]> {
  const script = `( eval ${quote(`${setup}; touch ${dir}/ready; sleep 30`)} )`
  rmSync(join(dir, 'ready'), { force: true })
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' })
  for (let i = 0; i < 100 && !readdirSync(dir).includes('ready'); i++) await new Promise((r) => setTimeout(r, 50))
  process.kill(-child.pid!, 'SIGTERM')
  // The whole group, not only sh: the subshell's trap may still be running when sh has gone.
  for (let alive = true; alive; await new Promise((r) => setTimeout(r, 20)))
    try {
      process.kill(-child.pid!, 0)
    } catch {
      alive = false
    }
  return readdirSync(dir).filter((f) => f !== 'ready')
}

test('cleanupOnExit: the temp file goes when TERM stops the shell; with an EXIT trap alone it stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'halab-cleanup-'))
  try {
    const make = `t=$(mktemp -p ${dir} .conf.halabXXXXXX) || exit 1`
    assert.deepEqual(await leftAfterTerm(dir, `${make}; ${cleanupOnExit('rm -f "$t"')}`), [])
    const left = await leftAfterTerm(dir, `${make}; trap 'rm -f "$t"' EXIT`)
    assert.equal(left.length, 1, 'the EXIT trap alone is not enough (why cleanupOnExit exists)')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
