// The remote shell's framing, fed by hand: what arrives in one chunk is cut like what arrives in many.
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { RemoteShell } from '../../src/transport/remote-shell.ts'

test('output past the cap is cut also when the end of the frame arrives in the same chunk', async () => {
  const input = new PassThrough()
  const output = new PassThrough()
  let script = ''
  input.on('data', (c: Buffer) => (script += c.toString()))
  const shell = new RemoteShell(input, output, undefined, 'test shell', { maxOutput: 1000 })
  const result = shell.run([{ command: 'yes' }])[0]
  const token = /\\036([0-9a-f]{18})B 1/.exec(script)![1]
  const body = 'b'.repeat(5000) + 'END'
  output.write(`\x1eHALAB ready 42\n\x1e${token}B 1\n${body}\n\x1e${token}E 1 0 0\n`)
  const r = await result
  const m = /^(b*END)\n\[halab: (\d+) more bytes of output were dropped/.exec(r.stdout)
  assert.ok(m, r.stdout.slice(-200))
  assert.ok(m[1].length < 1100, `kept ${m[1].length} bytes: the cap and a short tail`)
  assert.equal(m[1].length + Number(m[2]), body.length)
})
