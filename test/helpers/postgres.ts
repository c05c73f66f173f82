// A PostgreSQL cluster of the test's own on loopback: initdb into a temporary folder, the
// postmaster a child process on a free port (no systemd, not the machine's clusters),
// stopped by its PID. Local socket connections trust; TCP asks for SCRAM passwords, as the
// postgresql role sets them up. Durability is off: the tests measure Drupal, not fsync.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './sshd.ts'

export interface TestPostgres {
  port: number
  /** Runs SQL as the superuser over the local socket; throws with psql's error. */
  sql(statement: string, database?: string): string
  stop(): Promise<void>
}

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql'
  const version = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a))[0] : undefined
  return version && existsSync(join(base, version, 'bin', 'initdb')) ? join(base, version, 'bin') : undefined
}

/** The account and programs the cluster needs, or why they are missing. */
export function postgresMissing(): string | undefined {
  if (!pgBin()) return 'PostgreSQL is not installed (scripts/ensure-test-deps.sh installs it)'
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'there is no postgres account'
  if (process.getuid?.() !== 0) return 'not root: the cluster runs as the postgres account'
  return undefined
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = pgBin()!
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout)
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout)
  const dir = mkdtempSync(join(tmpdir(), 'halab-pg-'))
  chownSync(dir, uid, gid)
  const data = join(dir, 'data')
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8'],
    { uid, gid, encoding: 'utf8' },
  )
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  const port = await freePort()
  const settings = ['listen_addresses=127.0.0.1', `port=${port}`, `unix_socket_directories=${dir}`, 'fsync=off']
  const proc: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, ...settings.flatMap((s) => ['-c', s])], {
    uid,
    gid,
    stdio: 'ignore',
  })
  const psql = (args: string[]) =>
    spawnSync('psql', ['-X', '-h', dir, '-p', String(port), '-U', 'postgres', ...args], {
      encoding: 'utf8',
    })
  for (let i = 0; psql(['-c', 'SELECT 1']).status !== 0; i++) {
    if (proc.exitCode !== null || i > 100) throw new Error(`postgres did not start (exit ${proc.exitCode})`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    port,
    sql(statement, database = 'postgres') {
      const r = psql(['-v', 'ON_ERROR_STOP=1', '-A', '-t', '-d', database, '-c', statement])
      if (r.status !== 0) throw new Error(`psql: ${r.stderr.trim()}`)
      return r.stdout.trim()
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGINT') // fast shutdown
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
