import { test } from 'node:test'
import assert from 'node:assert/strict'
import { packageStates } from '../../src/facts/apt.ts'

const fact = packageStates(['nginx', 'bash', 'nosuchpkg', 'mail-transport-agent'])

test('installed from dpkg, installable from apt-cache policy candidates, lists age in seconds', () => {
  const stdout =
    'installed bash\nconfig-files nginx\n---\nbash:\n  Candidate: 5.2.15-2+b13\nmail-transport-agent:\n  Candidate: (none)\nnginx:\n  Candidate: 1.22.1-9\n---\n840\n'
  const states = fact.parse({ code: 0, stdout, stderr: '' })
  assert.deepEqual([...states.installed], ['bash'])
  assert.deepEqual([...states.available].sort(), ['bash', 'nginx'])
  assert.equal(states.listsAge, 840)
})

test('lists never refreshed, or an empty answer, read as infinitely old', () => {
  assert.equal(fact.parse({ code: 0, stdout: '---\n---\nnever\n', stderr: '' }).listsAge, Infinity)
  assert.equal(fact.parse({ code: 0, stdout: '---\n---\n', stderr: '' }).listsAge, Infinity)
})

test('the probe reads compressed lists and the update stamp, in the C locale, sorted and deduplicated', () => {
  assert.match(fact.command, /LC_ALL=C apt-cache policy bash mail-transport-agent nginx nosuchpkg/)
  assert.match(fact.command, /\/var\/lib\/apt\/periodic\/update-success-stamp \/var\/lib\/apt\/lists\/\*_Packages\*/)
  assert.equal(fact.key, 'apt:bash,mail-transport-agent,nginx,nosuchpkg')
})
