// The lab the benchmark runs on: halab's own `lab up` / `lab down`, the lab's state
// (which inventory is up, each host's address and root), plain OpenSSH to the hosts for
// preparation, and a guard that nothing is ever run against an inventory whose lab is
// not up (its addresses would otherwise leave through the default route).
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { measure, run, type Measured } from './proc.ts'

export const REPO = join(import.meta.dirname, '..', '..')
export const BIN = join(REPO, 'bin', 'run-playbook.js')
export const LAB_DIR = '/var/lib/halab/lab'
export const LAB_KEY = join(LAB_DIR, 'id_ed25519')
export const LAB_KNOWN_HOSTS = join(LAB_DIR, 'known_hosts')
const STATE = join(LAB_DIR, 'state.json')
export const BASE_MARKER = '/var/cache/halab/base/bookworm/halab-base.json'
export const BASE_ROOTFS = '/var/cache/halab/base/bookworm/rootfs'

export interface LabHost {
  name: string
  sshAddress: string
  root: string
}

interface LabStateFile {
  inventoryDir: string
  phase: string
  hosts: LabHost[]
}

export function labState(): LabStateFile | undefined {
  if (!existsSync(STATE)) return undefined
  return JSON.parse(readFileSync(STATE, 'utf8')) as LabStateFile
}

/** Throws unless the lab that is up is this inventory's: the only safe target. */
export function assertLabUpFor(inventory: string): LabHost[] {
  const s = labState()
  const dir = realpathSync(existsSync(inventory) && statSync(inventory).isDirectory() ? inventory : dirname(inventory))
  if (!s || s.phase !== 'up' || s.inventoryDir !== dir)
    throw new Error(`refusing to run: the lab is not up for ${dir} (its addresses are only safe to reach while it is)`)
  return s.hosts
}

/** halab's CLI as a user runs it (node bin/run-playbook.js …), in English: the bench reads its recap. */
export function halabArgv(...args: string[]): string[] {
  return [process.execPath, BIN, '--lang', 'en', ...args]
}

export interface LabTiming {
  /** The whole command, node start included. */
  commandMs: number
  /** What lab up/down says it took itself. */
  insideMs?: number
}

export async function labUp(inventory: string, env: Record<string, string> = {}): Promise<LabTiming> {
  const r = await measure({ argv: halabArgv('lab', 'up', '-i', inventory), cwd: REPO, env, timeoutMs: 15 * 60_000 })
  if (r.code !== 0) throw new Error(`lab up -i ${inventory} failed:\n${tail(r)}`)
  const inside = /lab up in ([\d.]+) s/.exec(r.stdout)
  return { commandMs: r.ms, insideMs: inside ? Number(inside[1]) * 1000 : undefined }
}

export async function labDown(): Promise<LabTiming> {
  const r = await measure({ argv: halabArgv('lab', 'down'), cwd: REPO, timeoutMs: 5 * 60_000 })
  if (r.code !== 0) throw new Error(`lab down failed:\n${tail(r)}`)
  const inside = /lab down in ([\d.]+) s/.exec(r.stdout)
  return { commandMs: r.ms, insideMs: inside ? Number(inside[1]) * 1000 : undefined }
}

function tail(r: Measured): string {
  return (r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')
}

/** OpenSSH to a lab host with the lab's key and strict host keys, ignoring user config. */
export function sshArgv(host: LabHost, command: string): string[] {
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    LAB_KEY,
    '-o',
    `UserKnownHostsFile=${LAB_KNOWN_HOSTS}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    `root@${host.sshAddress}`,
    command,
  ]
}

export async function onHost(host: LabHost, command: string, timeoutMs = 120_000): Promise<string> {
  const r = await run({ argv: sshArgv(host, command), timeoutMs })
  if (r.code !== 0)
    throw new Error(
      `${host.name}: \`${command.slice(0, 120)}\` exited with ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-5).join(' | ')}`,
    )
  return r.stdout
}

/** Run `fn` over items, at most `limit` at once. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await fn(items[i])
      }
    }),
  )
  return results
}

/**
 * Before any timing: sshd logs each connection and session (LogLevel VERBOSE, for the
 * counts), and the packages Ansible needs on a target are there (python3; python3-apt for
 * its apt module). apt goes through the lab's proxy, with timeouts and retries (a fetch
 * through the proxy can stall). The apt lists are refreshed, and the success stamp that
 * halab's package op and Ansible's cache_valid_time both read is touched.
 */
export async function prepareHosts(
  hosts: LabHost[],
  opts: { pythonApt: boolean; log: (line: string) => void },
): Promise<void> {
  const packages = ['python3', ...(opts.pythonApt ? ['python3-apt'] : [])]
  const script = [
    `echo 'LogLevel VERBOSE' > /etc/ssh/sshd_config.d/90-halab-bench.conf && systemctl reload ssh`,
    `need=; for p in ${packages.join(' ')}; do dpkg-query -W -f '\${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || need="$need $p"; done`,
    `ok=; for t in 1 2 3 4; do timeout 90 apt-get -o Acquire::http::Timeout=15 -o Acquire::Retries=3 update -qq >/dev/null 2>&1 && ok=1 && break; sleep 1; done; [ -n "$ok" ] || { echo 'apt-get update failed' >&2; exit 1; }`,
    `mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/update-success-stamp`,
    `[ -z "$need" ] || for t in 1 2 3; do DEBIAN_FRONTEND=noninteractive timeout 300 apt-get -o Acquire::http::Timeout=15 -o Acquire::Retries=3 install -y -qq --no-install-recommends $need >/dev/null 2>&1 && break; [ $t = 3 ] && { echo "apt-get install$need failed" >&2; exit 1; }; done`,
    `echo ready`,
  ].join('\n')
  const started = Date.now()
  await pool(hosts, 8, (h) => onHost(h, script, 20 * 60_000))
  opts.log(
    `prepared ${hosts.length} host(s) (sshd LogLevel VERBOSE, ${packages.join(' + ')} for Ansible) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  )
}
