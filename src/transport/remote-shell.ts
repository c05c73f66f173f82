// One long-lived POSIX `sh` per host, fed commands over a single channel. Opening an
// SSH exec channel costs ~95 ms of sshd session start; a command through this shell
// costs one round trip, and a batch of commands written at once costs one in total.
//
// Each command runs as `( eval 'CMD' ) <in >out 2>err` in a subshell, so a syntax error
// or an `exit` ends only that subshell; the shell then writes a frame:
//   \x1eHALAB <id> <exit code> <stdout bytes> <stderr bytes>\n<stdout><stderr>
import type { Readable, Writable } from 'node:stream'
import { quote } from './quote.js'
import type { ExecResult } from './types.js'

const PROLOGUE =
  // Non-root logins often lack the sbin directories, where most system tools live.
  `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\${PATH:+:$PATH}; export PATH\n` +
  `__o=$(mktemp) && __e=$(mktemp) && __i=$(mktemp) || exit 97\n` +
  `trap 'rm -f "$__o" "$__e" "$__i"' EXIT\n` +
  `printf '\\036HALAB ready\\n'\n`

interface Pending {
  id: number
  resolve: (r: ExecResult) => void
  reject: (e: Error) => void
}

export class RemoteShell {
  private buffer: Buffer = Buffer.alloc(0)
  private pending: Pending[] = []
  private nextId = 1
  private closedError: Error | undefined
  private readyWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined
  readonly ready: Promise<void>
  private stderrTail = ''

  constructor(
    private readonly input: Writable,
    output: Readable,
    stderr: Readable | undefined,
    private readonly describe: string,
  ) {
    this.ready = new Promise((resolve, reject) => (this.readyWaiter = { resolve, reject }))
    this.ready.catch(() => {}) // observed by callers; avoid unhandled rejections
    output.on('data', (chunk: Buffer) => this.onData(chunk))
    stderr?.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000)))
    input.on('error', (e: Error) => this.fail(e))
    input.write(PROLOGUE)
  }

  /** Called by the owner when the channel/process ends, with or without an exit status. */
  closed(reason: string): void {
    const tail = this.stderrTail.trim()
    this.fail(new Error(`${this.describe}: ${reason}${tail ? `: ${tail}` : ''}`))
  }

  run(commands: { command: string; stdin?: string | Buffer }[]): Promise<ExecResult>[] {
    if (this.closedError) return commands.map(() => Promise.reject(this.closedError))
    let script = ''
    const promises = commands.map(({ command, stdin }) => {
      const id = this.nextId++
      script += frame(id, command, stdin)
      return new Promise<ExecResult>((resolve, reject) => this.pending.push({ id, resolve, reject }))
    })
    this.input.write(script)
    return promises
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    for (;;) {
      const nl = this.buffer.indexOf(0x0a)
      if (nl < 0) return
      const header = this.buffer.subarray(0, nl).toString('latin1')
      if (header === '\x1eHALAB ready') {
        this.buffer = this.buffer.subarray(nl + 1)
        this.readyWaiter?.resolve()
        continue
      }
      const m = /^\x1eHALAB (\d+) (\d+) (\d+) (\d+)$/.exec(header)
      if (!m) {
        // Anything else is noise from a login shell (motd, profile): skip the line.
        this.buffer = this.buffer.subarray(nl + 1)
        continue
      }
      const [, id, code, outLen, errLen] = m.map(Number)
      const end = nl + 1 + outLen + errLen
      if (this.buffer.length < end) return
      const stdout = this.buffer.subarray(nl + 1, nl + 1 + outLen).toString('utf8')
      const stderr = this.buffer.subarray(nl + 1 + outLen, end).toString('utf8')
      this.buffer = this.buffer.subarray(end)
      const p = this.pending.shift()
      if (!p || p.id !== id) return this.fail(new Error(`${this.describe}: shell protocol out of step (frame ${id})`))
      p.resolve({ code, stdout, stderr })
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return
    this.closedError = err
    this.readyWaiter?.reject(err)
    for (const p of this.pending.splice(0)) p.reject(err)
  }
}

function frame(id: number, command: string, stdin: string | Buffer | undefined): string {
  const body = `( eval ${quote(command)} ) >"$__o" 2>"$__e"`
  const run = stdin === undefined || stdin.length === 0 ? `${body} </dev/null` : `${heredoc(Buffer.from(stdin))}${body} <"$__i"`
  // One `stat` for both sizes: each fork counts (≈25 ms each on a user-mode-linux guest).
  return `${run}; __rc=$?; set -- $(stat -c %s "$__o" "$__e"); printf '\\036HALAB ${id} %d %d %d\\n' $__rc "$1" "$2"; cat "$__o" "$__e"\n`
}

/** Stdin travels as base64 in a here-document: its alphabet can never end the document. */
function heredoc(data: Buffer): string {
  const b64 = data.toString('base64').replace(/.{1,76}/g, '$&\n')
  return `base64 -d >"$__i" <<'__HALAB_STDIN__'\n${b64}__HALAB_STDIN__\n`
}
