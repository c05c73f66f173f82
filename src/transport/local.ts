// The controller itself as a target: the same shell protocol over a local `sh`.
import { spawn } from 'node:child_process'
import { RemoteShell } from './remote-shell.js'
import type { ExecOptions, ExecResult, Transport, TransportStats } from './types.js'

export class LocalTransport implements Transport {
  readonly stats: TransportStats = { connections: 0, channels: 1, roundTrips: 0, commands: 0 }
  private readonly child
  private readonly shell: RemoteShell

  constructor(readonly host: string, become = false) {
    const [cmd, args] = become && process.getuid?.() !== 0 ? ['sudo', ['-n', 'sh']] : ['sh', []]
    this.child = spawn(cmd, args as string[], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.shell = new RemoteShell(this.child.stdin, this.child.stdout, this.child.stderr, `${host} (local)`)
    this.child.on('exit', (code) => this.shell.closed(`local shell exited (${code})`))
    this.child.on('error', (e) => this.shell.closed(e.message))
  }

  async open(): Promise<this> {
    await this.shell.ready
    return this
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return (await this.execBatch([{ command, stdin: opts.stdin }]))[0]
  }

  async execBatch(commands: { command: string; stdin?: string | Buffer }[]): Promise<ExecResult[]> {
    this.stats.roundTrips++
    this.stats.commands += commands.length
    return Promise.all(this.shell.run(commands))
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return
    const done = new Promise((r) => this.child.once('exit', r))
    this.child.stdin.end()
    await done
  }
}
