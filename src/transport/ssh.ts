// One SSH connection per host for the whole run (ssh2), carrying one long-lived shell.
// Traps handled here, all measured: Nagle off on the socket (channel open 40–50 ms →
// ~1 ms), errors listened to with `.on` (a handshake timeout emits two), a channel that
// closes without an exit status is a failure, and a dead TCP connect fails fast.
import { existsSync, readFileSync } from 'node:fs'
import { connect as tcpConnect, type Socket } from 'node:net'
import { homedir } from 'node:os'
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2'
import { HostKeyError, UnreachableError } from '../errors.js'
import { t as tr } from '../i18n.js' // `t` names the target in this file
import { appendKnownHost, fingerprint, keyType, knownHostsName, knownTypes, verifyHostKey } from './known-hosts.js'
import { RemoteShell, runBatch, type Command } from './remote-shell.js'
import type { ExecOptions, ExecResult, Transport, TransportStats } from './types.js'

export interface SshTarget {
  /** Inventory name, used in messages. */
  name: string
  address: string
  port: number
  user: string
  privateKeyPath?: string
  /** Run the shell through `sudo -n` when the user is not root. */
  become: boolean
  /** The POSIX shell that runs commands (default `sh`; `bash` works too). */
  shell?: string
  knownHostsFiles: string[]
  /** Trust and record an unknown host key in this file (--accept-new-hosts). */
  acceptNewInto?: string
  connectTimeoutMs?: number
  /** What one command's stdout may hold on the controller (default MAX_OUTPUT, 256 MiB). */
  maxOutputBytes?: number
  /** How long one command may run before it is stopped, with all it started (default 20 min). */
  commandTimeoutMs?: number
}

/** A command's time limit unless the task or the inventory gives another. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 20 * 60_000

export class SshTransport implements Transport {
  readonly stats: TransportStats = { connections: 0, channels: 0, roundTrips: 0, commands: 0 }
  private client: Client | undefined
  private shell: RemoteShell | undefined
  private channel: ClientChannel | undefined
  readonly host: string

  constructor(private readonly target: SshTarget) {
    this.host = target.name
  }

  async open(): Promise<this> {
    const t = this.target
    // Credentials first: a missing key is reported without sending a packet anywhere.
    const auth = this.authConfig()
    const sock = await this.connectTcp()
    const client = new Client()
    this.client = client
    this.stats.connections++
    let hostKeyProblem: Error | undefined
    await new Promise<void>((resolve, reject) => {
      let settled = false
      const fail = (e: Error) => {
        if (settled) return
        settled = true
        client.end()
        reject(hostKeyProblem ?? this.explain(e))
      }
      client.on('ready', () => {
        settled = true
        resolve()
      })
      client.on('error', fail)
      client.on('close', () => fail(new Error('connection closed during handshake')))
      const config: ConnectConfig = {
        sock,
        username: t.user,
        readyTimeout: t.connectTimeoutMs ?? 10_000,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const verdict = this.checkHostKey(key)
          if (verdict) hostKeyProblem = verdict
          return !verdict
        },
        ...auth,
      }
      const names = this.knownNames()
      const types = knownTypes(t.knownHostsFiles, names)
      if (types.length) config.algorithms = { serverHostKey: preferredHostKeyAlgorithms(types) as never }
      client.connect(config)
    })
    client.on('error', (e) => this.shell?.closed(e.message))
    client.on('close', () => this.shell?.closed('connection closed'))
    await this.openShell()
    return this
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return (await this.execBatch([{ command, stdin: opts.stdin, timeoutMs: opts.timeoutMs }]))[0]
  }

  async execBatch(commands: Command[]): Promise<ExecResult[]> {
    if (!this.shell) throw new UnreachableError(this.host, 'not connected')
    this.stats.roundTrips++
    this.stats.commands += commands.length
    const limit = this.target.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
    const timed = commands.map((c) => ({ ...c, timeoutMs: c.timeoutMs ?? limit }))
    return runBatch(
      () => this.shell!,
      () => this.openShell(),
      timed,
    )
  }

  /** Stop a shell's process group from a channel of its own: TERM, then KILL after 2 s. */
  private stopGroup(pgid: number): void {
    if (!this.client || pgid <= 1) return
    const t = this.target
    const script = `kill -TERM -${pgid} 2>/dev/null; sleep 2; kill -KILL -${pgid} 2>/dev/null; true`
    const command = t.become && t.user !== 'root' ? `sudo -n sh -c '${script}'` : script
    this.stats.channels++
    this.client.exec(command, (err, ch) =>
      err ? this.shell?.closed(`cannot stop a command past its timeout: ${err.message}`) : ch.resume(),
    )
  }

  async close(): Promise<void> {
    const client = this.client
    if (!client) return
    this.client = undefined
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000)
      client.once('close', () => (clearTimeout(timer), resolve()))
      this.channel?.end()
      client.end()
    })
  }

  private connectTcp(): Promise<Socket> {
    const t = this.target
    return new Promise((resolve, reject) => {
      const sock = tcpConnect({ host: t.address, port: t.port })
      const timer = setTimeout(() => {
        sock.destroy()
        reject(
          new UnreachableError(
            t.name,
            tr('ssh.noAnswer', { address: `${t.address}:${t.port}`, seconds: (t.connectTimeoutMs ?? 10_000) / 1000 }),
            tr('ssh.noAnswerHint'),
          ),
        )
      }, t.connectTimeoutMs ?? 10_000)
      sock.once('connect', () => {
        clearTimeout(timer)
        sock.setNoDelay(true)
        resolve(sock)
      })
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(
          new UnreachableError(
            t.name,
            tr('ssh.cannotConnect', { address: `${t.address}:${t.port}`, reason: e.code ?? e.message }),
            tr('ssh.cannotConnectHint'),
          ),
        )
      })
    })
  }

  private async openShell(): Promise<void> {
    const client = this.client!
    const t = this.target
    const shellPath = t.shell ?? 'sh'
    const command = t.become && t.user !== 'root' ? `sudo -n ${shellPath}` : shellPath
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(command, (err, ch) =>
        err ? reject(new UnreachableError(t.name, `cannot open a session: ${err.message}`)) : resolve(ch),
      ),
    )
    this.stats.channels++
    this.channel = channel
    let exitCode: number | null = null
    channel.on('exit', (code: number | null) => (exitCode = code))
    const shell = new RemoteShell(channel, channel, channel.stderr, `${t.name}: remote shell`, {
      maxOutput: t.maxOutputBytes,
      stopGroup: (pgid) => this.stopGroup(pgid),
    })
    channel.on('close', () =>
      shell.closed(
        exitCode === null
          ? 'the remote shell closed without an exit status'
          : `the remote shell exited with ${exitCode}`,
      ),
    )
    this.shell = shell
    try {
      await shell.ready
    } catch (e) {
      const msg = (e as Error).message
      const hint = /sudo/.test(msg) ? tr('ssh.sudoHint', { user: t.user, host: t.name }) : undefined
      throw new UnreachableError(t.name, `could not start the remote shell (${command}): ${msg}`, hint)
    }
  }

  private knownNames(): string[] {
    const t = this.target
    const names = [knownHostsName(t.address, t.port)]
    if (t.name !== t.address) names.push(knownHostsName(t.name, t.port))
    return names
  }

  /** Returns an error when the key must be refused, undefined when it is trusted. */
  private checkHostKey(blob: Buffer): Error | undefined {
    const t = this.target
    const names = this.knownNames()
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

  private authConfig(): Partial<ConnectConfig> {
    const t = this.target
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
    if (!config.privateKey && !config.agent) throw new UnreachableError(t.name, tr('ssh.noKey'), tr('ssh.noKeyHint'))
    return config
  }

  private explain(e: Error): Error {
    if (e instanceof UnreachableError || e instanceof HostKeyError) return e
    const t = this.target
    if (/authentication methods failed/i.test(e.message))
      return new UnreachableError(
        t.name,
        tr('ssh.keyRefused', {
          target: `${t.user}@${t.address}:${t.port}`,
          keys: t.privateKeyPath ?? tr('ssh.defaultKeys'),
        }),
        tr('ssh.keyRefusedHint', { host: t.name, user: t.user }),
      )
    if (/timed out/i.test(e.message))
      return new UnreachableError(
        t.name,
        tr('ssh.handshakeTimeout', { address: `${t.address}:${t.port}` }),
        tr('ssh.handshakeTimeoutHint'),
      )
    return new UnreachableError(t.name, `${t.address}:${t.port}: ${e.message}`)
  }
}

export function defaultKnownHosts(): string {
  return `${homedir()}/.ssh/known_hosts`
}

function preferredHostKeyAlgorithms(types: string[]): string[] {
  const algos: string[] = []
  for (const type of types) {
    if (type === 'ssh-rsa') algos.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa')
    else algos.push(type)
  }
  return algos
}
