// `verify --load`: a fixed-duration HTTP load through the VIP with ApacheBench (ab, from
// Debian's apache2-utils) on the controller, and its figures beside the ones the seed
// reports (inventory data, `verify_load_reference`), which were measured on other hardware.
import { execFile } from 'node:child_process'
import { z } from 'zod'
import { NotRun } from './check.js'

export const DEFAULT_LOAD_SECONDS = 10
/** The seed's concurrency (ab -c 10, siege -c 10). */
export const LOAD_CONCURRENCY = 10

export const LoadReference = z.object({
  /** Where the figures come from, said beside them: "seed 002, KVM guests on a desktop PC". */
  source: z.string(),
  figures: z.array(
    z.object({
      /** The command the source ran: "ab -n 100000 -c 10". */
      tool: z.string(),
      unit: z.string().default('req/s'),
      /** Real servers in service → the figure. */
      servers: z.record(z.string().regex(/^\d+$/), z.number().nonnegative()),
    }),
  ),
})
export type LoadReference = z.output<typeof LoadReference>

export interface AbResult {
  requestsPerSecond: number
  complete: number
  /** Connect, receive and exception errors, and non-2xx answers: what a client would see as failed. */
  errors: number
  /** ab counts a body whose length differs from the first as failed: a dynamic page always does. */
  lengthDiffers: number
}

/** The figures of ab's report. */
export function parseAb(stdout: string): AbResult {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(stdout)
    return m ? Number(m[1]) : undefined
  }
  const rps = num(/^Requests per second:\s+([\d.]+)/m)
  const complete = num(/^Complete requests:\s+(\d+)/m)
  if (rps === undefined || complete === undefined) throw new Error(`ab gave no report:\n${stdout.slice(-400)}`)
  const detail = /^\s+\(Connect: (\d+), Receive: (\d+), Length: (\d+), Exceptions: (\d+)\)/m.exec(stdout)
  const [connect, receive, length, exceptions] = detail ? detail.slice(1).map(Number) : [0, 0, 0, 0]
  return {
    requestsPerSecond: rps,
    complete,
    errors: connect + receive + exceptions + (num(/^Non-2xx responses:\s+(\d+)/m) ?? 0),
    lengthDiffers: length,
  }
}

/**
 * `ab -t SECONDS -c 10` against `url`. ab stops at 10 000 requests per second of duration,
 * the seed's -n 100000 for 10 s.
 */
export function runAb(url: string, seconds: number): Promise<AbResult> {
  // -n after -t: ab's -t sets its own request count, the last flag wins.
  const args = [
    '-q',
    '-t',
    String(seconds),
    '-n',
    String(seconds * 10_000),
    '-c',
    String(LOAD_CONCURRENCY),
    '-s',
    '10',
    url,
  ]
  return new Promise((resolve, reject) => {
    execFile('ab', args, { timeout: (seconds + 60) * 1000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(
          new NotRun(
            'ab is not installed on this machine: apt-get install apache2-utils (`run-playbook lab up` installs it)',
          ),
        )
      if (err)
        return reject(
          new Error(
            `ab ${args.join(' ')} failed ` +
              `(${err.message.split('\n')[0]}): ${stderr.trim() || stdout.trim().slice(-400)}`,
          ),
        )
      try {
        resolve(parseAb(stdout))
      } catch (e) {
        reject(e)
      }
    })
  })
}

/** The measured figures (servers in service → req/s) beside the reference ones, as a table. */
export function loadTable(what: string, measured: Map<number, number>, reference: LoadReference | undefined): string {
  const header = [`real servers`, `halab (${what})`, ...(reference?.figures.map((f) => `${f.tool} *`) ?? [])]
  const rows = [...measured].map(([n, rps]) => [
    String(n),
    `${rps.toFixed(0)} req/s`,
    ...(reference?.figures.map((f) => (f.servers[n] === undefined ? '-' : `${f.servers[n]} ${f.unit}`)) ?? []),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('   ')
      .trimEnd() + '\n'
  const note = reference
    ? `* ${reference.source}: other hardware, other software versions; ` +
      `compare the ratio between rows, not the figures.\n`
    : ''
  return `\nLOAD ${what}\n${line(header)}${rows.map(line).join('')}${note}`
}
