// One SSH connection per host for the whole run (ssh2), carrying one long-lived shell,
// reached directly or through jump hosts (jump.ts). A channel that closes without an exit
// status is a failure. With become, the shell runs under sudo: `sudo -n`, or, with a
// become password, sudo -S reading it from the channel's standard input (never from a
// command line, never on disk).
import type { Duplex } from 'node:stream'
import type { Client, ClientChannel } from 'ssh2'
import { UnreachableError } from '../errors.js'
import { t as tr } from '../i18n.js'
import { runTunnels, type Tunnels } from './jump.js'
import { quote } from './quote.js'
import { RemoteShell, runBatch, type Command } from './remote-shell.js'
import { connectTcp, handshake, type SshEndpoint } from './ssh-client.js'
import type { ExecOptions, ExecResult, Transport, TransportStats } from './types.js'

export { defaultKnownHosts } from './ssh-client.js'

export interface SshTarget extends SshEndpoint {
  /** Run the shell through sudo when the user is not root. */
  become: boolean
  /** ansible_become_password: fed to `sudo -S` on standard input. */
  becomePassword?: string
  /** The POSIX shell that runs commands (default `sh`; `bash` works too). */
  shell?: string
  /** What one command's stdout may hold on the controller (default MAX_OUTPUT, 256 MiB). */
  maxOutputBytes?: number
  /** How long one command may run before it is stopped, with all it started (default 20 min). */
  commandTimeoutMs?: number
  /** Jump hosts in order (ProxyJump); the first is reached directly. */
  jumps?: SshEndpoint[]
  /** Where jump connections are shared (default: this process's run). */
  tunnels?: Tunnels
}

/** A command's time limit unless the task or the inventory gives another. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 20 * 60_000

export class SshTransport implements Transport {
  readonly stats: TransportStats = { connections: 0, channels: 0, roundTrips: 0, commands: 0 }
  private client: Client | undefined
  private releaseTunnel: (() => void) | undefined
  private shell: RemoteShell | undefined
  private channel: ClientChannel | undefined
  readonly host: string

  constructor(private readonly target: SshTarget) {
    this.host = target.name
  }

  async open(): Promise<this> {
    const t = this.target
    try {
      this.client = await handshake(t, () => this.socket())
    } catch (e) {
      this.releaseTunnel?.()
      throw e
    }
    this.stats.connections++
    this.client.on('error', (e) => this.shell?.closed(e.message))
    this.client.on('close', () => this.shell?.closed('connection closed'))
    try {
      await this.openShell()
    } catch (e) {
      await this.close()
      throw e
    }
    return this
  }

  /** A TCP connection, or a channel through the jump hosts. */
  private async socket(): Promise<Duplex> {
    const t = this.target
    if (!t.jumps?.length) return connectTcp(t)
    const tunnel = await (t.tunnels ?? runTunnels).open(t.jumps, t)
    this.releaseTunnel = tunnel.release
    return tunnel.sock
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
    const { command, stdin } = asBecomeUser(t, `sh -c ${quote(script)}`, script)
    this.stats.channels++
    this.client.exec(command, (err, ch) => {
      if (err) return this.shell?.closed(`cannot stop a command past its timeout: ${err.message}`)
      ch.resume()
      ch.end(stdin)
    })
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
    this.releaseTunnel?.()
  }

  private async openShell(): Promise<void> {
    const client = this.client!
    const t = this.target
    const shellPath = t.shell ?? 'sh'
    const { command, stdin } = asBecomeUser(t, shellPath, shellPath, true)
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(command, (err, ch) =>
        err ? reject(new UnreachableError(t.name, `cannot open a session: ${err.message}`)) : resolve(ch),
      ),
    )
    this.stats.channels++
    this.channel = channel
    // Before the shell's prologue: the first line on its standard input is the password.
    if (stdin) channel.write(stdin)
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
      throw new UnreachableError(t.name, `could not start the remote shell: ${msg}`, sudoHint(t, msg))
    }
  }
}

/**
 * `command` as the become user. With a become password, the first line of its standard input
 * is the password. When sudo asks for one (`sudo -n true` fails), `sudo -S` (empty prompt)
 * reads that line straight from the channel, and the command the rest; `-k` makes it ask even
 * if it remembers an earlier login, so the line is always taken. With NOPASSWD the login
 * shell reads the line away first (`longLived` commands read their input: the shell), or it
 * would reach the shell as a command. All of it runs in `sh`, whatever the user's login shell.
 */
export function asBecomeUser(
  t: Pick<SshTarget, 'become' | 'user' | 'becomePassword'>,
  command: string,
  plain: string,
  longLived = false,
): { command: string; stdin?: string } {
  if (!t.become || t.user === 'root') return { command: plain }
  if (!t.becomePassword) return { command: `sudo -n ${command}` }
  const drop = longLived ? 'IFS= read -r __p; unset __p; ' : ''
  // `sh -c`: the login shell may be fish or tcsh, which do not read `if …; then …; fi`.
  const script =
    `if sudo -n true </dev/null 2>/dev/null; then ${drop}exec sudo -n ${command}; fi; ` +
    `exec sudo -k -S -p '' ${command}`
  return { command: `sh -c ${quote(script)}`, stdin: `${t.becomePassword}\n` }
}

function sudoHint(t: SshTarget, message: string): string | undefined {
  if (!/sudo|password/i.test(message)) return undefined
  const names = { user: t.user, host: t.name }
  return t.becomePassword ? tr('ssh.becomePasswordHint', names) : tr('ssh.sudoHint', names)
}
