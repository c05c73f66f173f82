// One SSH handshake (ssh2) over a socket we give it: a TCP connection, or a channel
// forwarded by a jump host. Host keys are checked against known_hosts; we authenticate
// with a key (file or agent) and/or a password, which also answers keyboard-interactive
// password prompts (any other prompt is an error). Traps handled here, all measured: Nagle
// off on the socket (channel open 40–50 ms → ~1 ms), errors listened to with `.on` (a
// handshake timeout emits two), a dead TCP connect fails fast.
import { existsSync, readFileSync } from 'node:fs'
import { connect as tcpConnect, type Socket } from 'node:net'
import { homedir } from 'node:os'
import type { Duplex } from 'node:stream'
import { Client, type ConnectConfig } from 'ssh2'
import { HostKeyError, NoAnswerError, UnreachableError } from '../errors.js'
import { t as tr } from '../i18n.js' // `t` names the target in this file
import { appendKnownHost, fingerprint, keyType, knownHostsName, knownTypes, verifyHostKey } from './known-hosts.js'

/** One SSH server to log in to: a target host, or a jump host on the way. */
export interface SshEndpoint {
  /** Inventory name (or the jump host as written), used in messages. */
  name: string
  address: string
  port: number
  user: string
  privateKeyPath?: string
  /** ansible_password: password and keyboard-interactive authentication. */
  password?: string
  knownHostsFiles: string[]
  /** Trust and record an unknown host key in this file (--accept-new-hosts). */
  acceptNewInto?: string
  connectTimeoutMs?: number
}

export function defaultKnownHosts(): string {
  return `${homedir()}/.ssh/known_hosts`
}

/** Log in to `t` over the socket `open` gives; the client is ready to open channels. */
export async function handshake(t: SshEndpoint, open: () => Promise<Duplex>): Promise<Client> {
  // Credentials first: a missing key is reported without sending a packet anywhere.
  const auth = authConfig(t)
  const sock = await open()
  const client = new Client()
  let hostKeyProblem: Error | undefined
  await new Promise<void>((resolve, reject) => {
    let settled = false
    const fail = (e: Error) => {
      if (settled) return
      settled = true
      client.end()
      reject(hostKeyProblem ?? explain(t, e))
    }
    client.on('ready', () => {
      settled = true
      resolve()
    })
    client.on('error', fail)
    client.on('close', () => fail(new Error('connection closed during handshake')))
    if (t.password)
      client.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => {
        // The password answers password prompts only: never a one-time code or another question.
        const other = prompts.find((p) => !/password|contraseña/i.test(p.prompt))
        if (!other) return finish(prompts.map(() => t.password!))
        fail(
          new UnreachableError(
            t.name,
            tr('ssh.otherPrompt', { prompt: other.prompt.trim() }),
            tr('ssh.otherPromptHint'),
          ),
        )
      })
    const config: ConnectConfig = {
      sock: sock as ConnectConfig['sock'],
      username: t.user,
      readyTimeout: t.connectTimeoutMs ?? 10_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        const verdict = checkHostKey(t, key)
        if (verdict) hostKeyProblem = verdict
        return !verdict
      },
      ...auth,
    }
    const types = knownTypes(t.knownHostsFiles, knownNames(t))
    if (types.length) config.algorithms = { serverHostKey: preferredHostKeyAlgorithms(types) as never }
    client.connect(config)
  })
  return client
}

export function connectTcp(t: SshEndpoint): Promise<Socket> {
  const seconds = (t.connectTimeoutMs ?? 10_000) / 1000
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: t.address, port: t.port })
    const timer = setTimeout(() => {
      sock.destroy()
      reject(
        new NoAnswerError(
          t.name,
          tr('ssh.noAnswer', { address: `${t.address}:${t.port}`, seconds }),
          tr('ssh.noAnswerHint'),
        ),
      )
    }, seconds * 1000)
    sock.once('connect', () => {
      clearTimeout(timer)
      sock.setNoDelay(true)
      resolve(sock)
    })
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(
        new NoAnswerError(
          t.name,
          tr('ssh.cannotConnect', { address: `${t.address}:${t.port}`, reason: e.code ?? e.message }),
          tr('ssh.cannotConnectHint'),
        ),
      )
    })
  })
}

function knownNames(t: SshEndpoint): string[] {
  const names = [knownHostsName(t.address, t.port)]
  if (t.name !== t.address) names.push(knownHostsName(t.name, t.port))
  return names
}

/** Returns an error when the key must be refused, undefined when it is trusted. */
function checkHostKey(t: SshEndpoint, blob: Buffer): Error | undefined {
  const names = knownNames(t)
  const verdict = verifyHostKey(t.knownHostsFiles, names, blob)
  const fp = fingerprint(blob)
  if (verdict.status === 'known') return undefined
  if (verdict.status === 'revoked')
    return new HostKeyError(
      t.name,
      tr('ssh.revoked', { fingerprint: fp, where: `${verdict.entry.file}:${verdict.entry.line}` }),
      tr('ssh.revokedHint'),
    )
  if (verdict.status === 'changed') {
    const where = verdict.entries.map((e) => `${e.file}:${e.line}`).join(', ')
    const file = verdict.entries[0].file
    const fileFlag = file !== defaultKnownHosts() ? ` -f ${file}` : ''
    return new HostKeyError(
      t.name,
      tr('ssh.keyChanged', { name: names[0], key: `${keyType(blob)} ${fp}`, where }),
      tr('ssh.keyChangedHint', { command: `ssh-keygen -R '${names[0]}'${fileFlag}` }),
    )
  }
  if (t.acceptNewInto) {
    appendKnownHost(t.acceptNewInto, names[0], blob)
    return undefined
  }
  const keyFile = keyType(blob).replace(/^ssh-/, '').replace(/-.*/, '')
  return new HostKeyError(
    t.name,
    tr('ssh.unknownKey', {
      name: names[0],
      key: `${keyType(blob)} ${fp}`,
      files: t.knownHostsFiles.join(` ${tr('ssh.or')} `),
    }),
    tr('ssh.unknownKeyHint', {
      command: `ssh-keygen -lf /etc/ssh/ssh_host_${keyFile}_key.pub`,
      knownHosts: defaultKnownHosts(),
    }),
  )
}

function authConfig(t: SshEndpoint): Partial<ConnectConfig> {
  const config: Partial<ConnectConfig> = {}
  const keyPath =
    t.privateKeyPath ??
    ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => `${homedir()}/.ssh/${f}`).find((p) => existsSync(p))
  if (keyPath) {
    try {
      config.privateKey = readFileSync(keyPath)
    } catch (e) {
      throw new UnreachableError(
        t.name,
        tr('ssh.readKey', { path: keyPath, reason: (e as Error).message }),
        tr('ssh.readKeyHint'),
      )
    }
  }
  if (process.env.SSH_AUTH_SOCK) config.agent = process.env.SSH_AUTH_SOCK
  if (t.password) Object.assign(config, { password: t.password, tryKeyboard: true })
  if (!config.privateKey && !config.agent && !config.password)
    throw new UnreachableError(t.name, tr('ssh.noKey'), tr('ssh.noKeyHint'))
  return config
}

function explain(t: SshEndpoint, e: Error): Error {
  if (e instanceof UnreachableError || e instanceof HostKeyError) return e
  if (/authentication methods failed/i.test(e.message)) {
    const password = Boolean(t.password)
    return new UnreachableError(
      t.name,
      tr('ssh.keyRefused', {
        target: `${t.user}@${t.address}:${t.port}`,
        keys: t.privateKeyPath ?? tr('ssh.defaultKeys'),
        password,
      }),
      tr('ssh.keyRefusedHint', { host: t.name, user: t.user, password }),
    )
  }
  if (/timed out/i.test(e.message))
    return new NoAnswerError(
      t.name,
      tr('ssh.handshakeTimeout', { address: `${t.address}:${t.port}` }),
      tr('ssh.handshakeTimeoutHint'),
    )
  return new UnreachableError(t.name, `${t.address}:${t.port}: ${e.message}`)
}

function preferredHostKeyAlgorithms(types: string[]): string[] {
  const algos: string[] = []
  for (const type of types) {
    if (type === 'ssh-rsa') algos.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa')
    else algos.push(type)
  }
  return algos
}
