// The one way out: everything halab prints passes through here and is redacted, so a
// secret from .env can never reach the terminal, a log, or a JSON event.
import { redact } from '../secrets.js'

export interface Sink {
  out(text: string): void
  err(text: string): void
}

export const processSink: Sink = {
  out: (text) => void process.stdout.write(redact(text)),
  err: (text) => void process.stderr.write(redact(text)),
}

/** A sink that keeps everything, for tests and for capturing output. */
export function memorySink(): Sink & { text(): string } {
  let buf = ''
  return {
    out: (t) => void (buf += redact(t)),
    err: (t) => void (buf += redact(t)),
    text: () => buf,
  }
}

/**
 * `run-playbook ... --json | head`: once the reader is gone, stop as a shell pipeline's
 * writer does (exit 141 = 128 + SIGPIPE), without a stack trace.
 */
let pipeWatched = false
export function exitQuietlyOnBrokenPipe(): void {
  if (pipeWatched) return
  pipeWatched = true
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141)
    throw e
  })
}
