export interface ExecResult {
  /** null when the command never reported an exit status (connection lost). */
  code: number | null
  stdout: string
  stderr: string
}

export interface ExecOptions {
  /** Bytes fed to the command's standard input (default: none, /dev/null). */
  stdin?: string | Buffer
  /** Stop it (and all it started) past this many ms; it then exits with 124. */
  timeoutMs?: number
}

export interface TransportStats {
  connections: number
  channels: number
  roundTrips: number
  commands: number
}

/** One host's way to run commands: over SSH, or on the controller itself. */
export interface Transport {
  readonly host: string
  /** Run one command, in order with the others. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>
  /** Run several commands in one round trip; results in the same order. */
  execBatch(commands: { command: string; stdin?: string | Buffer; timeoutMs?: number }[]): Promise<ExecResult[]>
  close(): Promise<void>
  readonly stats: TransportStats
}
