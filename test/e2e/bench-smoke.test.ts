// The benchmark's scripts, exercised small: `bench/run.ts --smoke` brings a one-host lab
// up, runs workload A's no-op once with halab and once with ansible-playbook (installing
// Debian's ansible-core when it is missing), counts SSH connections on the host's sshd,
// prints the table and takes the lab down. Figures are not checked (a benchmark is a
// measurement, not a pass/fail test); that the table is complete, and halab's one
// connection per host, are.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { REPO } from '../helpers/cli.ts'
import { lab, labSkip } from '../helpers/lab.ts'

let work: string

describe('npm run bench -- --smoke', { skip: labSkip }, () => {
  before(async () => {
    await lab('down')
    work = mkdtempSync(join(tmpdir(), 'halab-bench-smoke-'))
  })
  after(async () => {
    await lab('down')
    rmSync(work, { recursive: true, force: true })
  })

  it(
    'prints the table (machine, versions, both tools, targets) and takes its lab down',
    { timeout: 240_000 },
    async () => {
      const json = join(work, 'results.json')
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join(REPO, 'bench', 'run.ts'), '--smoke', '--json', json],
          { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
        )
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d) => (stdout += d))
        child.stderr.on('data', (d) => (stderr += d))
        child.on('error', reject)
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
      })
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, /^machine: +\d+ CPU .* GiB, Linux /m)
      assert.match(r.stdout, /^versions: node v\d+.*halab .*ansible-core \d+\.\d+.*python \d/m)
      assert.match(r.stdout, /^A second run \(no-op\) +1 +halab +[\d.]+ s/m)
      assert.match(r.stdout, /^ +ansible +[\d.]+ s/m)
      assert.match(r.stdout, /^targets$/m)
      assert.match(r.stdout, /met +one SSH connection per host per run \(halab/)
      const results = JSON.parse(readFileSync(json, 'utf8'))
      const series = results.series.find((s: { id: string }) => s.id === 'A1-2')
      assert.equal(series.runs.halab.length, 1)
      assert.equal(series.runs.ansible.length, 1)
      assert.deepEqual(
        [series.runs.halab[0].connections, series.runs.halab[0].sessions],
        [1, 1],
        'halab: one connection, one session on the host',
      )
      assert.ok(series.runs.ansible[0].sessions >= 4, 'Ansible: at least one session per task (pipelining)')
      assert.deepEqual(series.problems, [])
      assert.equal((await lab('status')).stdout.trim(), 'no lab is up')
    },
  )
})
