// One long-lived POSIX `sh` per host, fed commands over a single channel. Opening an
// SSH exec channel costs ~95 ms of sshd session start; a command through this shell
// costs one round trip, and a batch of commands written at once costs one in total.
//
// Each command runs as `( eval 'CMD' ) 2>err` in a subshell, so a syntax error or an
// `exit` ends only that subshell. Its stdout streams between two markers that carry a
// random token (so no output can forge them), and stderr follows with its length:
//   \x1e<token>B <id>\n<stdout>\n\x1e<token>E <id> <exit code> <stderr bytes>\n<stderr>
// Only builtins and the subshell run per command (measured: 0.5 ms a command instead of
// 2.9 ms with temp files, `wc` and `cat`; docs/bench.md); stderr costs `wc` and `cat`
// only when there is some.
import { randomBytes } from 'node:crypto'
import type { Readable, Writable } from 'node:stream'
import { ConnectionLostError } from '../errors.js'
import { quote } from './quote.js'
import type { ExecResult } from './types.js'

const PROLOGUE = [
  // Non-root logins often lack the sbin directories, where most system tools live.
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}; export PATH',
  // Removed however the shell ends, from the moment it exists: a run killed while this prologue is read (the
  // shell then ends at EOF or on a signal) left it in /tmp. The full traps below replace these.
  `__e=$(mktemp) || exit 97; trap 'rm -f "$__e"' EXIT; trap 'exit 129' HUP; trap 'exit 143' TERM`,
  // Our process group (field 5 of /proc/$$/stat): a command that outlives its timeout is
  // stopped by signalling the group, with everything it started.
  'read -r __s </proc/$$/stat; set -- $__s; __pg=$5',
  // The connection's sshd (else our parent): when it is gone, the run that owned this shell
  // was killed or cut off, and what it left running here is stopped too.
  '__a=$PPID; __o=$PPID',
  'while [ "$__a" -gt 1 ] && read -r __s </proc/$__a/stat; do set -- $__s; ' +
    '[ "$2" = "(sshd)" ] && __o=$__a && break; __a=$4; done',
  // TERM first; the watcher itself ignores it, and sends KILL to what is left 2 s later. A shell that KILL
  // ends runs no trap: the watcher removes the stderr file first (KILL ends the watcher too).
  "( trap - EXIT; trap '' TERM; while [ -d /proc/$__o ]; do sleep 5; done; " +
    'kill -TERM -$__pg; sleep 2; rm -f "$__e"; kill -KILL -$__pg ) </dev/null >/dev/null 2>&1 &',
  '__w=$!',
  // The stderr file and the watcher go when the shell ends, also when hung up on or killed politely.
  `trap 'kill $__w 2>/dev/null; rm -f "$__e"' EXIT; trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM`,
  'printf \'\\036HALAB ready %s\\n\' "$__pg"',
  '',
].join('\n')

/** Exit code of a command stopped at its timeout (as coreutils' `timeout` says it). */
export const TIMEOUT_EXIT = 124

/** A command that never ran because an earlier one timed out and its shell was stopped. */
export class RequeueError extends Error {}

/**
 * Run commands on the current shell. When one times out, its shell is stopped: the
 * commands behind it run again on a new one (`restart`), in order.
 */
export async function runBatch(
  shell: () => RemoteShell,
  restart: () => Promise<void>,
  commands: Command[],
): Promise<ExecResult[]> {
  const settled = await Promise.allSettled(shell().run(commands))
  const requeue = (r: PromiseSettledResult<ExecResult>) => r.status === 'rejected' && r.reason instanceof RequeueError
  const behind = commands.filter((_, i) => requeue(settled[i]))
  if (behind.length) await restart()
  const again = behind.length ? await runBatch(shell, restart, behind) : []
  return settled.map((r) => {
    if (r.status === 'fulfilled') return r.value
    if (requeue(r)) return again.shift()!
    throw r.reason
  })
}

/** What one command's stdout may hold on the controller; the rest is counted and dropped. */
export const MAX_OUTPUT = 256 * 2 ** 20

/**
 * Bytes received and not yet parsed. Appending doubles the backing buffer when it is full
 * and consuming moves a start offset, so a command's output costs linear time (a
 * `Buffer.concat` per chunk made 100 MB of output take minutes).
 */
export class ByteQueue {
  private buf = Buffer.alloc(0)
  private start = 0
  private end = 0

  append(chunk: Buffer): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start
      const size = Math.max(2 * (live + chunk.length), 64 * 1024)
      const next = Buffer.allocUnsafe(size)
      this.buf.copy(next, 0, this.start, this.end)
      ;[this.buf, this.start, this.end] = [next, 0, live]
    }
    chunk.copy(this.buf, this.end)
    this.end += chunk.length
  }

  view(): Buffer {
    return this.buf.subarray(this.start, this.end)
  }

  consume(n: number): void {
    this.start += n
    if (this.start === this.end) this.start = this.end = 0
  }

  /** Remove `n` bytes that begin `from` bytes into the view; returns n. */
  cut(from: number, n: number): number {
    this.buf.copy(this.buf, this.start + from, this.start + from + n, this.end)
    this.end -= n
    return n
  }
}

interface Pending {
  id: number
  resolve: (r: ExecResult) => void
  reject: (e: Error) => void
  timeoutMs?: number
  timer?: NodeJS.Timeout
}

export interface Command {
  command: string
  stdin?: string | Buffer
  /** Stop the command (and all it started) when it runs longer; it then exits with 124. */
  timeoutMs?: number
}

export interface ShellOptions {
  /** What one command's stdout may hold on the controller (default MAX_OUTPUT). */
  maxOutput?: number
  /** Stop the remote shell's process group `pgid` (a command ran past its timeout). */
  stopGroup?: (pgid: number) => void
}

export class RemoteShell {
  private buffer = new ByteQueue()
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
  private streaming: { id: number; end: Buffer; searched: number; dropped: number } | undefined
  /** The remote shell's process group, from its ready line. */
  pgid = 0
  private timedOut: Pending | undefined
  private readonly maxOutput: number

  constructor(
    private readonly input: Writable,
    output: Readable,
    stderr: Readable | undefined,
    private readonly describe: string,
    private readonly opts: ShellOptions = {},
  ) {
    this.maxOutput = opts.maxOutput ?? MAX_OUTPUT
    this.ready = new Promise((resolve, reject) => (this.readyWaiter = { resolve, reject }))
    this.ready.catch(() => {}) // observed by callers; avoid unhandled rejections
    output.on('data', (chunk: Buffer) => this.onData(chunk))
    stderr?.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000)))
    input.on('error', (e: Error) => this.fail(new ConnectionLostError(`${describe}: ${e.message}`)))
    input.write(PROLOGUE)
  }

  /** Called by the owner when the channel/process ends, with or without an exit status. */
  closed(reason: string): void {
    const late = this.timedOut
    if (late) {
      // Stopped on purpose: the late command fails with 124; the ones behind it never ran.
      this.pending = this.pending.filter((p) => p !== late)
      this.fail(new RequeueError(`${this.describe}: restarted after a timeout`))
      const s = (late.timeoutMs ?? 0) / 1000
      return late.resolve({
        code: TIMEOUT_EXIT,
        stdout: '',
        stderr: `halab: the command ran longer than its timeout (${s} s): it was stopped, with everything it started\n`,
      })
    }
    const tail = this.stderrTail.trim()
    this.fail(new ConnectionLostError(`${this.describe}: ${reason}${tail ? `: ${tail}` : ''}`))
  }

  run(commands: Command[]): Promise<ExecResult>[] {
    if (this.closedError) return commands.map(() => Promise.reject(this.closedError))
    let script = ''
    const promises = commands.map(({ command, stdin, timeoutMs }) => {
      const id = this.nextId++
      script += frame(id, command, stdin, this.token)
      return new Promise<ExecResult>((resolve, reject) => this.pending.push({ id, resolve, reject, timeoutMs }))
    })
    this.input.write(script)
    return promises
  }

  /** A command's frame began: its timeout runs from now. */
  private started(p: Pending): void {
    if (!p.timeoutMs || !this.opts.stopGroup) return
    p.timer = setTimeout(() => {
      if (this.timedOut || this.closedError) return
      this.timedOut = p
      this.opts.stopGroup!(this.pgid)
    }, p.timeoutMs)
  }

  private onData(chunk: Buffer): void {
    this.buffer.append(chunk)
    for (;;) {
      const data = this.buffer.view()
      if (!this.streaming) {
        const nl = data.indexOf(0x0a)
        if (nl < 0) return
        const line = data.subarray(0, nl).toString('latin1')
        this.buffer.consume(nl + 1)
        if (line.startsWith('\x1eHALAB ready')) {
          this.pgid = Number(line.split(' ')[2]) || 0
          this.readyWaiter?.resolve()
        } else if (line.startsWith(this.begin)) {
          const id = Number(line.slice(this.begin.length))
          if (this.pending[0]?.id !== id)
            return this.fail(new Error(`${this.describe}: shell protocol out of step (frame ${id})`))
          this.streaming = { id, end: Buffer.from(`\n${this.endPrefix}${id} `, 'latin1'), searched: 0, dropped: 0 }
          this.started(this.pending[0])
        }
        // Anything else is noise from a login shell (motd, profile): skipped.
        continue
      }
      const f = this.streaming
      const at = data.indexOf(f.end, f.searched)
      if (at < 0) {
        f.searched = Math.max(0, data.length - f.end.length)
        // Past the cap, keep the first MAX_OUTPUT bytes and a tail where the end marker may start.
        if (f.searched > this.maxOutput) f.dropped += this.buffer.cut(this.maxOutput, f.searched - this.maxOutput)
        f.searched = Math.min(f.searched, this.maxOutput)
        return
      }
      // The chunk that crossed the cap also held the end: the same cut, before the end is read.
      const tail = at - f.end.length
      if (tail > this.maxOutput) {
        f.dropped += this.buffer.cut(this.maxOutput, tail - this.maxOutput)
        f.searched = this.maxOutput
        continue
      }
      const lineEnd = data.indexOf(0x0a, at + f.end.length)
      if (lineEnd < 0) return
      const [code, errLen] = data
        .subarray(at + f.end.length, lineEnd)
        .toString('latin1')
        .split(' ')
        .map(Number)
      if (data.length < lineEnd + 1 + errLen) return
      let stdout = data.subarray(0, at).toString('utf8')
      if (f.dropped)
        stdout +=
          `\n[halab: ${f.dropped} more bytes of output were dropped: ` +
          `a command's output is kept up to ${this.maxOutput / 2 ** 20} MiB]\n`
      const stderr = data.subarray(lineEnd + 1, lineEnd + 1 + errLen).toString('utf8')
      this.buffer.consume(lineEnd + 1 + errLen)
      this.streaming = undefined
      const done = this.pending.shift()!
      clearTimeout(done.timer)
      done.resolve({ code, stdout, stderr })
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return
    this.closedError = err
    this.readyWaiter?.reject(err)
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer)
      p.reject(err)
    }
  }
}

function frame(id: number, command: string, stdin: string | Buffer | undefined, token: string): string {
  const body = `( eval ${quote(command)} ) 2>"$__e"`
  // Stdin travels as base64 in an argument of the builtin printf, piped to the command: it
  // never lands in a file on the host (a temp file with it stayed behind when the run was
  // killed), and no process shows it in its command line.
  const run =
    stdin === undefined || stdin.length === 0
      ? `${body} </dev/null`
      : `printf %s '${Buffer.from(stdin).toString('base64')}' | base64 -d | ${body}`
  // Only printf, [ and the subshell: no fork for a command that writes nothing on stderr.
  const end = `printf '\\n\\036${token}E ${id} %d %d\\n' $__rc $__n; [ $__n -eq 0 ] || cat "$__e"\n`
  return `printf '\\036${token}B ${id}\\n'; ${run}; __rc=$?; __n=0; [ -s "$__e" ] && __n=$(wc -c <"$__e"); ${end}`
}
