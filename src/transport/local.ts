// The controller itself as a target: the same shell protocol over a local `sh`, started in
// a process group of its own so that a command past its timeout can be stopped with
// everything it started (never this process).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { RemoteShell, runBatch, type Command } from './remote-shell.js'
import { DEFAULT_COMMAND_TIMEOUT_MS } from './ssh.js'
import type { ExecOptions, ExecResult, Transport, TransportStats } from './types.js'

export class LocalTransport implements Transport {
  readonly stats: TransportStats = { connections: 0, channels: 0, roundTrips: 0, commands: 0 }
  private child!: ChildProcessWithoutNullStreams
  private shell!: RemoteShell

  constructor(
    readonly host: string,
    private readonly become = false,
    private readonly commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ) {
    this.start()
  }

  private start(): void {
    const [cmd, args] = this.become && process.getuid?.() !== 0 ? ['sudo', ['-n', 'sh']] : ['sh', []]
    const child = spawn(cmd, args as string[], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    const shell = new RemoteShell(child.stdin, child.stdout, child.stderr, `${this.host} (local)`, {
      stopGroup: (pgid) => stopLocalGroup(pgid),
    })
    child.on('exit', (code) => shell.closed(`local shell exited (${code})`))
    child.on('error', (e) => shell.closed(e.message))
    this.stats.channels++
    ;[this.child, this.shell] = [child, shell]
  }

  async open(): Promise<this> {
    await this.shell.ready
    return this
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return (await this.execBatch([{ command, stdin: opts.stdin, timeoutMs: opts.timeoutMs }]))[0]
  }

  async execBatch(commands: Command[]): Promise<ExecResult[]> {
    this.stats.roundTrips++
    this.stats.commands += commands.length
    const timed = commands.map((c) => ({ ...c, timeoutMs: c.timeoutMs ?? this.commandTimeoutMs }))
    return runBatch(
      () => this.shell,
      async () => {
        this.start()
        await this.shell.ready
      },
      timed,
    )
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return
    const done = new Promise((r) => this.child.once('exit', r))
    this.child.stdin.end()
    await done
  }
}

/** TERM to the group, KILL after 2 s to what is left. */
function stopLocalGroup(pgid: number): void {
  if (pgid <= 1 || pgid === process.pid) return
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig)
    } catch {
      /* gone already */
    }
  }
  signal('SIGTERM')
  setTimeout(() => signal('SIGKILL'), 2000).unref()
}
