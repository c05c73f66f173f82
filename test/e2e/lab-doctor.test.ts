// `lab doctor` boots one real-kernel (user-mode-linux) guest for real, says how long it took
// to answer SSH, and leaves nothing behind. The labs on real-kernel guests are tested from
// `lab site` (cluster-2node, cluster-lvs, uml-6node). Needs root.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { describe, it } from 'node:test'
import { lab, labSkip } from '../helpers/lab.ts'

describe('lab doctor boots a real-kernel guest for real', { skip: labSkip }, () => {
  it('reports the time to its SSH banner and leaves nothing behind', async (t) => {
    const r = await lab('doctor')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const m = r.stdout.match(
      /real-kernel hosts \(user-mode-linux, \S+\): ok — a guest answered SSH ([\d.]+) s after start/,
    )
    assert.ok(m, r.stdout + r.stderr)
    t.diagnostic(`one user-mode-linux guest answered SSH ${m[1]} s after start`)
    assert.match((await lab('status')).stdout, /^no lab is up$/m)
    assert.doesNotMatch(readdirSync('/sys/class/net').join(' '), /halab-/)
  })
})
