// sudo with a become password: the command the login shell gets is one `sh -c '…'`, so a
// fish or tcsh login shell runs it too; sh then feeds the password to sudo, or drops it
// with NOPASSWD. A fake sudo on PATH plays both kinds of sudoers.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { asBecomeUser } from '../../src/transport/ssh.ts'

const dir = mkdtempSync(join(tmpdir(), 'halab-become-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Runs `command` as a login shell that reads only `sh -c 'one word'` would, sudo being NOPASSWD or not. */
function run(command: string, stdin: string, nopasswd: boolean) {
  const m = /^sh -c '((?:[^']|'\\'')*)'$/s.exec(command)
  assert.ok(m, `one sh -c word: ${command}`)
  writeFileSync(
    join(dir, 'sudo'),
    '#!/bin/sh\n' +
      `if [ "$1 $2" = "-n true" ]; then exit ${nopasswd ? 0 : 1}; fi\n` +
      'if [ "$1" = -k ]; then IFS= read -r pw; echo "sudo read: $pw"; shift 4; else shift; fi\n' +
      'exec "$@"\n',
    { mode: 0o755 },
  )
  const script = m[1].replace(/'\\''/g, "'")
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` }
  return spawnSync('sh', ['-c', script], { input: stdin, encoding: 'utf8', env }).stdout
}

test('with a become password, sudo reads it and the command the rest; with NOPASSWD the line is dropped', () => {
  const t = { become: true, user: 'ops', becomePassword: "pw 'x'; echo ran" }
  const once = asBecomeUser(t, "sh -c 'echo one; cat'", 'unused')
  assert.equal(run(once.command, `${once.stdin}rest\n`, false), "sudo read: pw 'x'; echo ran\none\nrest\n")
  const shell = asBecomeUser(t, 'cat', 'cat', true)
  assert.equal(
    run(shell.command, `${shell.stdin}echo hi\n`, true),
    'echo hi\n',
    'NOPASSWD: the password line is read away',
  )
  assert.deepEqual(asBecomeUser({ become: true, user: 'ops' }, 'cat', 'cat'), { command: 'sudo -n cat' })
})
