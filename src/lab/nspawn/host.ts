// One lab host: an overlay over the base image, booted by systemd-nspawn in its own network
// namespace and its own cgroup (LAB.md: without one, several nspawns collide on /payload).
// Stopping is by PID; the sweep finds what a crashed lab left by its paths and names.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs'
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { $ } from 'zx'
import { LabError } from '../errors.js'
import { CGROUP_ROOTS, HOSTS_DIR, STATE_DIR, hostPaths } from '../paths.js'
import { listProcesses, sleep } from '../processes.js'
import type { DiskState } from '../state.js'

export async function mountOverlay(name: string, base: string): Promise<string> {
  const p = hostPaths(name)
  for (const d of [p.upper, p.work, p.root]) mkdirSync(d, { recursive: true })
  const r = await $({
    quiet: true,
    nothrow: true,
  })`mount -t overlay overlay -o ${`lowerdir=${base},upperdir=${p.upper},workdir=${p.work}`} ${p.root}`
  if (r.exitCode !== 0)
    throw new LabError(
      `${name}: cannot mount its overlay: ${r.stderr.trim()}`,
      'run `run-playbook lab doctor` to check overlayfs, then `lab down` and `lab up` again',
    )
  return p.root
}

/** Start systemd-nspawn for a host, detached from this process; returns its PID. */
export function bootHost(h: { name: string; netns: string; root: string; disks: DiskState[] }): number {
  const cgroups = cgroupRoots().map((r) => join(r, h.name))
  for (const c of cgroups) mkdirSync(c, { recursive: true })
  const nspawn = [
    'systemd-nspawn',
    '--boot',
    '-D',
    h.root,
    '-M',
    h.name,
    // --private-network too: with only a namespace path nspawn drops CAP_NET_ADMIN and
    // keeps /proc/sys/net read-only, so networkd, VIPs and sysctls would fail.
    '--private-network',
    `--network-namespace-path=/run/netns/${h.netns}`,
    // No system bus or systemd as PID 1 here: no machined registration, no scope unit.
    '--register=no',
    '--keep-unit',
    '--console=read-only',
    '--link-journal=no',
    '--resolv-conf=off',
    ...h.disks.filter((d) => d.loop).map((d) => `--bind=${d.loop}:${d.name}`),
  ]
  // The shell moves itself into the host's cgroups, then becomes nspawn (same PID).
  const script =
    'for c in "$@"; do [ "$c" = -- ] && break; echo $$ > "$c/cgroup.procs" || exit 1; ' +
    'done; while [ "$1" != -- ]; do shift; done; shift; exec "$@"'
  const log = openSync(hostPaths(h.name).console, 'w')
  const child = spawn('/bin/sh', ['-c', script, 'halab-boot', ...cgroups, '--', ...nspawn], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' },
  })
  closeSync(log)
  child.unref()
  if (!child.pid)
    throw new LabError(
      `${h.name}: systemd-nspawn did not start`,
      'check that systemd-container is installed (run-playbook lab doctor)',
    )
  return child.pid
}

/** PIDs of systemd-nspawn processes running a root under the lab's state directory. */
export function labNspawnPids(): number[] {
  return listProcesses()
    .filter((p) => p.argv[0]?.endsWith('systemd-nspawn') && p.argv.some((a) => a.startsWith(HOSTS_DIR + '/')))
    .map((p) => p.pid)
}

export function anyNspawnRunning(): boolean {
  return listProcesses().some((p) => p.argv[0]?.endsWith('systemd-nspawn'))
}

/**
 * Wait until nothing runs in a host's cgroups any more: systemd-nspawn may exit before the
 * container's last processes (they were its children, in their own PID namespace). What
 * is still there after `graceMs` is killed through cgroup.kill — at once when 0.
 */
export async function drainHostCgroups(name: string, graceMs: number): Promise<void> {
  const dirs = cgroupRoots()
    .map((r) => join(r, name))
    .filter((d) => existsSync(d))
  const busy = (): boolean => dirs.some((d) => procsUnder(d) > 0)
  const deadline = Date.now() + graceMs
  while (busy() && Date.now() < deadline) await sleep(50)
  if (!busy()) return
  for (const d of dirs) if (existsSync(join(d, 'cgroup.kill'))) writeFileSync(join(d, 'cgroup.kill'), '1')
  const killDeadline = Date.now() + 3000
  while (busy() && Date.now() < killDeadline) await sleep(50)
  if (busy())
    throw new LabError(
      `${name}: processes are still running in its cgroups ${dirs.join(', ')}`,
      'run `run-playbook lab down`',
    )
}

/** Kill what is left in the lab's cgroups and remove them, deepest first. */
export async function removeCgroups(): Promise<string[]> {
  const removed: string[] = []
  for (const root of cgroupRoots()) {
    if (!existsSync(root)) continue
    const kill = join(root, 'cgroup.kill')
    if (existsSync(kill)) writeFileSync(kill, '1')
    const deadline = Date.now() + 3000
    while (procsUnder(root) > 0 && Date.now() < deadline) await sleep(50)
    for (const dir of dirsDepthFirst(root)) {
      try {
        rmdirSync(dir)
        removed.push(dir)
      } catch {
        /* still busy: reported by `lab status` as a leftover */
      }
    }
  }
  return removed
}

/** Unmount every overlay under the state directory, then delete the hosts' directories. */
export async function removeHostDirs(): Promise<string[]> {
  const mounts = labMounts().sort((a, b) => b.length - a.length)
  for (const m of mounts) {
    const r = await $({ quiet: true, nothrow: true })`umount ${m}`
    if (r.exitCode !== 0) await $({ quiet: true, nothrow: true })`umount -l ${m}`
  }
  if (labMounts().length)
    throw new LabError(
      `cannot unmount ${labMounts().join(', ')}`,
      'stop what uses it (fuser -m PATH), then run lab down again',
    )
  rmSync(HOSTS_DIR, { recursive: true, force: true })
  return mounts
}

export function labMounts(): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' ') ?? '')
    .filter((m) => m.startsWith(STATE_DIR + '/'))
}

/** The cgroup parents this machine has: the two of LAB.md, or /sys/fs/cgroup/lab on plain cgroup2. */
export function cgroupRoots(): string[] {
  const roots = CGROUP_ROOTS.filter((r) => existsSync(dirname(r)))
  return roots.length ? roots : ['/sys/fs/cgroup/lab']
}

function procsUnder(dir: string): number {
  let n = 0
  for (const d of [dir, ...dirsDepthFirst(dir)]) {
    try {
      n += readFileSync(join(d, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean).length
    } catch {
      /* gone */
    }
  }
  return n
}

function dirsDepthFirst(dir: string): string[] {
  const out: string[] = []
  let entries: string[] = []
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return out
  }
  for (const e of entries) out.push(...dirsDepthFirst(join(dir, e)))
  out.push(dir)
  return out
}
