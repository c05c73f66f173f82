// One long-lived POSIX `sh` per host, fed commands over a single channel. Opening an
// SSH exec channel costs ~95 ms of sshd session start; a command through this shell
// costs one round trip, and a batch of commands written at once costs one in total.
//
// Each command runs as `( eval 'CMD' ) <in >out 2>err` in a subshell, so a syntax error
// or an `exit` ends only that subshell; the shell then writes a frame:
//   \x1eHALAB <id> <exit code> <stdout bytes> <stderr bytes>\n<stdout><stderr>
import { randomBytes } from 'node:crypto'
import type { Readable, Writable } from 'node:stream'
import { quote } from '../../src/transport/quote.ts'
import type { ExecResult } from '../../src/transport/types.ts'

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
  /** Frame markers carry a random token: a command's own output cannot end its frame. */
  private readonly token = randomBytes(9).toString('hex')
  private readonly begin = `\x1e${this.token}B `
  private readonly endPrefix = `\x1e${this.token}E `
  private streaming: { id: number; end: Buffer; searched: number } | undefined

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
      script += frame(id, command, stdin, this.token)
      return new Promise<ExecResult>((resolve, reject) => this.pending.push({ id, resolve, reject }))
    })
    this.input.write(script)
    return promises
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    for (;;) {
      if (!this.streaming) {
        const nl = this.buffer.indexOf(0x0a)
        if (nl < 0) return
        const line = this.buffer.subarray(0, nl).toString('latin1')
        this.buffer = this.buffer.subarray(nl + 1)
        if (line === '\x1eHALAB ready') this.readyWaiter?.resolve()
        else if (line.startsWith(this.begin)) {
          const id = Number(line.slice(this.begin.length))
          if (this.pending[0]?.id !== id) return this.fail(new Error(`${this.describe}: shell protocol out of step (frame ${id})`))
          this.streaming = { id, end: Buffer.from(`\n${this.endPrefix}${id} `, 'latin1'), searched: 0 }
        }
        // Anything else is noise from a login shell (motd, profile): skipped.
        continue
      }
      const f = this.streaming
      const at = this.buffer.indexOf(f.end, f.searched)
      if (at < 0) {
        f.searched = Math.max(0, this.buffer.length - f.end.length)
        return
      }
      const lineEnd = this.buffer.indexOf(0x0a, at + f.end.length)
      if (lineEnd < 0) return
      const [code, errLen] = this.buffer.subarray(at + f.end.length, lineEnd).toString('latin1').split(' ').map(Number)
      if (this.buffer.length < lineEnd + 1 + errLen) return
      const stdout = this.buffer.subarray(0, at).toString('utf8')
      const stderr = this.buffer.subarray(lineEnd + 1, lineEnd + 1 + errLen).toString('utf8')
      this.buffer = this.buffer.subarray(lineEnd + 1 + errLen)
      this.streaming = undefined
      this.pending.shift()!.resolve({ code, stdout, stderr })
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return
    this.closedError = err
    this.readyWaiter?.reject(err)
    for (const p of this.pending.splice(0)) p.reject(err)
  }
}

function frame(id: number, command: string, stdin: string | Buffer | undefined, token: string): string {
  const body = `( eval ${quote(command)} ) 2>"$__e"`
  const run = stdin === undefined || stdin.length === 0 ? `${body} </dev/null` : `${heredoc(Buffer.from(stdin))}${body} <"$__i"`
  // Only printf, [ and the subshell: no fork for a command that writes nothing on stderr.
  return `printf '\\036${token}B ${id}\\n'; ${run}; __rc=$?; __n=0; [ -s "$__e" ] && __n=$(wc -c <"$__e"); printf '\\n\\036${token}E ${id} %d %d\\n' $__rc $__n; [ $__n -eq 0 ] || cat "$__e"\n`
}

/** Stdin travels as base64 in a here-document: its alphabet can never end the document. */
function heredoc(data: Buffer): string {
  const b64 = data.toString('base64').replace(/.{1,76}/g, '$&\n')
  return `base64 -d >"$__i" <<'__HALAB_STDIN__'\n${b64}__HALAB_STDIN__\n`
}
