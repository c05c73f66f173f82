// apt inside hosts: they have no route off the lab, so apt-cacher-ng runs on the controller,
// listening only on the lab bridges' addresses, and fetches from Debian's archive for
// them (each package once across labs). It serves Debian's archive and nothing else.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { $ } from 'zx'
import { LabError } from './errors.js'
import { APT_PROXY_DIR, APT_PROXY_PORT } from './paths.js'
import { isAlive, listProcesses, sleep, stopProcesses } from './processes.js'

const CONF_DIR = join(APT_PROXY_DIR, 'conf')
const CACHE = join(APT_PROXY_DIR, 'cache')
const LOGS = join(APT_PROXY_DIR, 'log')
const RUN = join(APT_PROXY_DIR, 'run')
const USER = 'apt-cacher-ng'

const LISTEN_TIMEOUT_MS = 20_000

export async function startAptProxy(addresses: string[]): Promise<{ pid: number; port: number }> {
  for (const d of [CONF_DIR, CACHE, LOGS, RUN]) mkdirSync(d, { recursive: true })
  writeFileSync(
    join(CONF_DIR, 'acng.conf'),
    [
      '# written by halab for its lab: regenerated at every `lab up`',
      `CacheDir: ${CACHE}`,
      `LogDir: ${LOGS}`,
      `SocketPath: ${join(RUN, 'socket')}`,
      'SupportDir: /usr/lib/apt-cacher-ng',
      `Port: ${APT_PROXY_PORT}`,
      `BindAddress: ${addresses.join(' ')}`,
      'ForeGround: 1',
      // Only the remapped Debian archive: no arbitrary URLs, no CONNECT tunnels, no redirects.
      'ForceManaged: 1',
      'PassThroughPattern: ^halab-never$',
      'ForwardBtsSoap: 0',
      'RedirMax: 0',
      'Remap-halabdeb: deb.debian.org/debian ; http://deb.debian.org/debian/',
      'Remap-halabsec: deb.debian.org/debian-security ; http://deb.debian.org/debian-security/',
      'ExThreshold: 4',
      '',
    ].join('\n'),
  )
  // Unprivileged when the package's user exists (it does once apt-cacher-ng is installed).
  const uid = await idOf('-u')
  const gid = await idOf('-g')
  if (uid !== undefined && gid !== undefined)
    for (const d of [CACHE, LOGS, RUN])
      if (statSync(d).uid !== uid) await $({ quiet: true })`chown -R ${`${uid}:${gid}`} ${d}`
  const drop = uid !== undefined ? ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups'] : []
  const cmd = [...drop, 'apt-cacher-ng', '-c', CONF_DIR]
  // Seen failing at once (exit code 0, no word) right after another lab's apt-cacher-ng
  // stopped — a lab torn down, the next one up: a fresh start a second later works.
  for (let attempt = 1; ; attempt++) {
    const r = await startOnce(cmd, addresses)
    if ('pid' in r) return r
    if (!r.retry || attempt === 3) throw r.error
    await sleep(1000)
  }
}

async function startOnce(
  cmd: string[],
  addresses: string[],
): Promise<{ pid: number; port: number } | { error: LabError; retry: boolean }> {
  rmSync(join(RUN, 'socket'), { force: true }) // a killed daemon may leave its socket behind
  const out = openSync(join(LOGS, 'daemon.log'), 'w')
  const child = spawn(cmd[0], cmd.slice(1), { detached: true, stdio: ['ignore', out, out] })
  closeSync(out)
  child.unref()
  let exit = ''
  child.on('exit', (code, sig) => (exit = sig ? `killed by ${sig}` : `exit code ${code}`))
  const pid = child.pid
  if (!pid)
    return {
      retry: false,
      error: new LabError('apt-cacher-ng did not start', 'run `run-playbook lab doctor`; is apt-cacher-ng installed?'),
    }
  // Seen taking more than 5 s on a loaded 2-core machine; it answers in ~0.3 s when idle.
  const deadline = Date.now() + LISTEN_TIMEOUT_MS
  while (Date.now() < deadline && isAlive(pid)) {
    const listeners = await listenersOn(APT_PROXY_PORT)
    if (listeners.some((l) => l.pid !== pid)) break
    if (addresses.every((a) => listeners.some((l) => l.address === a))) return { pid, port: APT_PROXY_PORT }
    await sleep(50)
  }
  const foreign = (await listenersOn(APT_PROXY_PORT)).filter((l) => l.pid !== pid)
  await stopProcesses([pid], 1000)
  if (foreign.length)
    return {
      retry: false,
      error: new LabError(
        `port ${APT_PROXY_PORT} is taken by another process ` +
          `(${foreign.map((l) => `pid ${l.pid ?? '?'} on ${l.address}`).join(', ')}), ` +
          `so the lab's apt-cacher-ng cannot listen on its bridges`,
        `stop that process (a system-wide apt-cacher-ng? stop it and ` +
          `keep it from listening on every address), then run lab up again`,
      ),
    }
  const why = [
    exit && `it ended (${exit})`,
    tail(join(LOGS, 'daemon.log')).trim(),
    tail(join(LOGS, 'apt-cacher.err')).trim(),
  ]
    .filter(Boolean)
    .join('\n')
  const error = new LabError(
    `apt-cacher-ng did not listen ` +
      `on ${addresses.join(', ')} port ${APT_PROXY_PORT} within ${LISTEN_TIMEOUT_MS / 1000} s${why ? `:\n${why}` : ''}`,
    `see ${LOGS}; run lab down, then lab up again`,
  )
  // Whatever stopped it (the port still held a moment by the last lab's daemon, an exit
  // without a word), nothing foreign holds the port now: a fresh start is worth trying.
  return { error, retry: true }
}

/** Who listens on a TCP port, by local address and PID (ss -ltnp). */
async function listenersOn(port: number): Promise<{ address: string; pid?: number }[]> {
  const r = await $({ quiet: true, nothrow: true })`ss -ltnpH ${`sport = :${port}`}`
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const local = line.trim().split(/\s+/)[3] ?? ''
      const pid = /pid=(\d+)/.exec(line)?.[1]
      return {
        address: local.slice(0, local.lastIndexOf(':')).replace(/^\[|\]$/g, ''),
        pid: pid ? Number(pid) : undefined,
      }
    })
}

/** The lab's apt-cacher-ng processes, found by its config directory (also after a crash). */
export function aptProxyPids(): number[] {
  return listProcesses()
    .filter((p) => p.argv.some((a) => a.endsWith('apt-cacher-ng')) && p.argv.includes(CONF_DIR))
    .map((p) => p.pid)
}

async function idOf(flag: '-u' | '-g'): Promise<number | undefined> {
  const r = await $({ quiet: true, nothrow: true })`id ${flag} ${USER}`
  return r.exitCode === 0 ? Number(r.stdout.trim()) : undefined
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-5).join('\n') + '\n' : ''
}
