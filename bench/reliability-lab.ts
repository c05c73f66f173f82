// The fault-injection figures that need a lab cluster (`npm run reliability -- --lab`, as
// root; it brings a fresh lab up for the inventory and takes it down at the end):
// - kill -9 of the runner at random points of `site` runs that change things, then the
//   rerun converges; after each kill: partial files, leftover temp files, half-installed
//   packages on every host;
// - a host lost mid-run (lab stop --hard): exit 4, that host unreachable, the others
//   finish; after lab start the rerun converges.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { loadRunContext } from '../src/cli/context.ts'
import { BIN, REPO, runCli, type CliResult } from '../test/helpers/cli.ts'
import { lab, labSkip, onHost, recapLine } from '../test/helpers/lab.ts'
import { secretsFor } from './lib/inventory.ts'
import type { Row } from './reliability.ts'

const INVENTORY = join(REPO, 'inventory', '4-node')
/** What each kill-point run has to redo: managed files removed on every host, a leaf package purged. */
const PURGE = { group: 'directors', pkg: 'ipvsadm' }
/** After a kill: the remote watcher notices the dead connection within 5 s, then TERM, KILL 2 s later. */
const SETTLE_MS = 12_000
/** The host lost mid-run: what it has to reinstall, and when it is stopped. */
const LOST_PURGE = 'keepalived'
const LOST_AFTER_MS = 1000

export async function labRows(inventory = INVENTORY, points = 20): Promise<Row[]> {
  if (labSkip)
    return ['kill -9 at random points', 'host lost mid-run'].map((figure) => ({
      figure,
      value: `not measured: ${labSkip}`,
      how: '',
    }))
  const env = secretsFor(inventory)
  Object.assign(process.env, env) // loadRunContext below renders with the same secrets
  await lab('down')
  const up = await lab('up', '-i', inventory)
  assert.equal(up.code, 0, up.stdout + up.stderr)
  try {
    const first = await site(inventory, env)
    assert.equal(first.code, 0, `the first site run: ${first.stdout}${first.stderr}`)
    return [await killPoints(inventory, env, points), await hostLost(inventory, env)]
  } finally {
    await lab('down')
  }
}

const site = (inventory: string, env: Record<string, string>): Promise<CliResult> =>
  runCli(['site', '-i', inventory], { env })

/** Per host, each file a file/template task manages, with the sha256 of what it wants there. */
async function managedFiles(inventory: string): Promise<Map<string, Map<string, string>>> {
  const { prepared } = await loadRunContext('site', { inventory })
  const out = new Map<string, Map<string, string>>()
  for (const play of prepared.plays)
    for (const [host, roles] of play.hosts)
      for (const task of roles.flatMap((r) => r.tasks)) {
        const m = /^(?:template|file) (\/\S+)$/.exec(task.name)
        const content = (task as { content?: Buffer }).content
        if (!m || content === undefined) continue
        if (!out.has(host)) out.set(host, new Map())
        out.get(host)!.set(m[1], createHash('sha256').update(content).digest('hex'))
      }
  return out
}

/** sha256 of each path on the host ('-' when absent). */
async function shasOn(host: string, paths: string[]): Promise<Map<string, string>> {
  const script = paths.map((p) => `{ sha256sum '${p}' 2>/dev/null || echo "- ${p}"; }`).join('; ')
  const out = await onHost(host, script)
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => /^(\S+)\s+(.*)$/.exec(l)!)
      .map((m) => [m[2], m[1]]),
  )
}

interface Leftovers {
  partial: number
  /** Files as their package ships them: dpkg had put them back, and the run was killed before its template. */
  packageDefault: number
  temp: number
  halfInstalled: number
}

/** Whether `path` holds what its package ships (a conffile's md5 in dpkg's database). */
async function asPackaged(host: string, path: string): Promise<boolean> {
  const script =
    `p='${path}'; pkg=$(dpkg-query -S "$p" 2>/dev/null | head -1 | cut -d: -f1); [ -n "$pkg" ] && ` +
    `m=$(dpkg-query -W -f='\${Conffiles}\n' "$pkg" | awk -v p="$p" '$1 == p { print $2 }') && ` +
    `[ -n "$m" ] && [ "$m" = "$(md5sum < "$p" | cut -d' ' -f1)" ] && echo packaged || true`
  return (await onHost(host, script)).trim() === 'packaged'
}

/** After a kill: files neither as before the run nor as wanted, temp files, packages not 'ii'/'rc'. */
async function leftovers(managed: Map<string, Map<string, string>>, before: Map<string, Map<string, string>>) {
  const found: Leftovers = { partial: 0, packageDefault: 0, temp: 0, halfInstalled: 0 }
  for (const [host, wanted] of managed) {
    const now = await shasOn(host, [...wanted.keys()])
    for (const [path, sha] of now) {
      if (sha === wanted.get(path) || sha === before.get(host)?.get(path)) continue
      if (await asPackaged(host, path)) found.packageDefault++
      else found.partial++
    }
    const count = async (cmd: string) => Number((await onHost(host, cmd)).trim()) || 0
    found.temp += await count(
      "{ find / -xdev -name '.*.halab??????' 2>/dev/null; " +
        "find /tmp -maxdepth 1 -name 'tmp.*' -newer /run/halab-reliability-mark 2>/dev/null; } | wc -l",
    )
    found.halfInstalled += await count("dpkg-query -W -f='${db:Status-Abbrev}\\n' | grep -cv '^ii\\|^rc' || true")
  }
  return found
}

/** Remove two managed files on every host and purge a leaf package on the directors: the next run changes things. */
async function perturb(managed: Map<string, Map<string, string>>, inventory: string): Promise<void> {
  const { inventory: inv } = await loadRunContext('site', { inventory })
  for (const [host, wanted] of managed) {
    const paths = [...wanted.keys()].sort(() => Math.random() - 0.5).slice(0, 2)
    const purge = inv.hosts.get(host)?.groups.includes(PURGE.group)
      ? `; DEBIAN_FRONTEND=noninteractive apt-get -y -q purge ${PURGE.pkg} >/dev/null`
      : ''
    await onHost(host, `touch /run/halab-reliability-mark; rm -f ${paths.map((p) => `'${p}'`).join(' ')}${purge}`)
  }
}

/** `site` started now and killed with SIGKILL after `ms`; false when it ended first. */
function killedAfter(inventory: string, env: Record<string, string>, ms: number): Promise<boolean> {
  const child = spawn(process.execPath, [BIN, 'site', '-i', inventory], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: 'ignore',
  })
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    child.on('exit', (_code, signal) => (clearTimeout(timer), resolve(signal === 'SIGKILL')))
  })
}

async function killPoints(inventory: string, env: Record<string, string>, points: number): Promise<Row> {
  const managed = await managedFiles(inventory)
  await perturb(managed, inventory)
  const t0 = Date.now()
  assert.equal((await site(inventory, env)).code, 0, 'a clean run after the perturbation')
  const span = Date.now() - t0
  const total: Leftovers = { partial: 0, packageDefault: 0, temp: 0, halfInstalled: 0 }
  let killed = 0
  for (let i = 0; killed < points && i < points * 3; i++) {
    await perturb(managed, inventory)
    const before = new Map(
      await Promise.all([...managed].map(async ([h, w]) => [h, await shasOn(h, [...w.keys()])] as const)),
    )
    if (!(await killedAfter(inventory, env, Math.round(span * (0.05 + 0.9 * Math.random()))))) continue
    killed++
    await new Promise((r) => setTimeout(r, SETTLE_MS))
    const found = await leftovers(managed, before)
    for (const k of Object.keys(total) as (keyof Leftovers)[]) total[k] += found[k]
  }
  const converged = await site(inventory, env)
  const rerun = await site(inventory, env)
  const still = [...managed.keys()].filter((h) => !/ changed=0 failed=0 /.test(recapLine(rerun, h)))
  return {
    figure: `kill -9 at ${killed} random points`,
    value:
      `rerun exit ${converged.code}, then ${still.length ? `changes on ${still.join(', ')}` : 'no change'}; ` +
      `partial files ${total.partial} (${total.packageDefault} more as their package ships them), ` +
      `temp files left ${total.temp}, half-installed packages ${total.halfInstalled}`,
    how:
      `site on ${inventory}, killed at random in 5-95% of a ${(span / 1000).toFixed(0)} s run; ` +
      `checked ${SETTLE_MS / 1000} s later`,
  }
}

/** A run's first failed or unreachable task lines, for a figure that is not exit 0. */
function failedLines(r: CliResult): string {
  const lines = r.stdout.split('\n').filter((l) => /: (FAILED|UNREACHABLE)\b/.test(l))
  return r.code === 0 ? '' : ` (${lines.slice(0, 2).join('; ').replace(/\s+/g, ' ').slice(0, 300) || r.stderr.trim()})`
}

async function hostLost(inventory: string, env: Record<string, string>): Promise<Row> {
  const managed = await managedFiles(inventory)
  const hosts = [...managed.keys()]
  const victim = hosts[hosts.length - 1]
  await perturb(managed, inventory)
  // A perturbed run takes ~2 s: the victim gets more to do (a bigger package to reinstall), and is stopped 1 s in,
  // while that is under way, so that it is lost mid-run, not after its work.
  await onHost(victim, `DEBIAN_FRONTEND=noninteractive apt-get -y -q purge ${LOST_PURGE} >/dev/null`)
  const running = site(inventory, env)
  await new Promise((r) => setTimeout(r, LOST_AFTER_MS))
  const stop = await lab('stop', '--hard', victim)
  assert.equal(stop.code, 0, stop.stdout + stop.stderr)
  const r = await running
  const others = hosts.filter((h) => h !== victim && / failed=0 skipped=\d+ unreachable=0/.test(recapLine(r, h)))
  assert.equal((await lab('start', victim)).code, 0)
  const again = await site(inventory, env)
  return {
    figure: 'host lost mid-run',
    value:
      `exit ${r.code}; ${victim}: ${/unreachable=1/.test(recapLine(r, victim)) ? 'unreachable' : 'NOT unreachable'}; ` +
      `${others.length}/${hosts.length - 1} others finished; rerun after lab start: exit ${again.code}` +
      failedLines(again),
    how: `site on ${inventory}; ${LOST_PURGE} purged on ${victim}, then lab stop --hard ${victim} 1 s into site`,
  }
}
