// Keyboard-interactive login on a loopback ssh2 server: ansible_password answers password
// prompts only; any other question (a one-time code) fails naming the prompt, unanswered.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import ssh2 from 'ssh2'
import { UnreachableError } from '../../src/errors.ts'
import { connectTcp, handshake, type SshEndpoint } from '../../src/transport/ssh-client.ts'

const dir = mkdtempSync(join(tmpdir(), 'halab-kbd-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private

/** A server asking `prompt`; it records the answers it got. */
async function server(prompt: string, answers: string[][]): Promise<{ port: number; close(): void }> {
  const s = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('error', () => {})
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive'])
      ctx.prompt([{ prompt, echo: false }], (given) => (answers.push(given), ctx.accept()))
    })
    client.on('ready', () => client.end())
  })
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return { port: (s.address() as AddressInfo).port, close: () => s.close() }
}

async function login(port: number, password: string) {
  const t: SshEndpoint = {
    name: 'mfa1',
    address: '127.0.0.1',
    port,
    user: 'ops',
    password,
    privateKeyPath: undefined,
    knownHostsFiles: [join(dir, 'known_hosts')],
    acceptNewInto: join(dir, 'known_hosts'),
  }
  const client = await handshake(t, () => connectTcp(t))
  client.end()
}

test('a Password: prompt is answered with ansible_password', async () => {
  const answers: string[][] = []
  const s = await server('Password: ', answers)
  try {
    await login(s.port, 'pw-123')
    assert.deepEqual(answers, [['pw-123']])
  } finally {
    s.close()
  }
})

test('any other prompt is not answered with the password: an error quotes it', async () => {
  const answers: string[][] = []
  const s = await server('Verification code: ', answers)
  try {
    await assert.rejects(login(s.port, 'pw-123'), (e: unknown) => {
      assert.ok(e instanceof UnreachableError)
      assert.match(e.message, /^mfa1: unreachable: the server asked 'Verification code:', which halab cannot answer/)
      assert.match(e.hint ?? '', /only password prompts/)
      return true
    })
    assert.deepEqual(answers, [], 'the password was never sent as the code')
  } finally {
    s.close()
  }
})
