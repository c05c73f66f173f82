// `lab down`: remove everything the lab made — hosts (nspawn, user-mode-linux), apt proxy,
// cgroups, overlays, loop devices, namespaces, veths and taps, bridges, rules, host
// directories (UML COW files, disks, mconsole sockets), nspawn's /run leftovers — found
// through state.json and by the lab's names and paths, so it also works after a crash or a
// half-started lab, and does nothing when there is nothing.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { $ } from 'zx'
import { aptProxyPids } from './apt-proxy.js'
import { detachLabLoops } from './nspawn/disks.js'
import {
  anyNspawnRunning,
  cgroupRoots,
  labMounts,
  labNspawnPids,
  removeCgroups,
  removeHostDirs,
} from './nspawn/host.js'
import { removeNetwork } from './network.js'
import { HOSTS_DIR, LINK_PREFIX, NETNS_PREFIX, RULE_PRIORITY, STATE_DIR } from './paths.js'
import { isAlive, stopProcesses } from './processes.js'
import { readState, removeState } from './state.js'
import { labUmlPids, labUmlProcesses } from './uml/processes.js'

export interface TeardownReport {
  stopped: number[]
  removed: string[]
  seconds: number
}

/** Undo the lab; the caller holds the lab lock. */
export async function teardown(): Promise<TeardownReport> {
  const started = Date.now()
  const state = readState()
  const removed: string[] = []
  // Recorded PIDs only when they still are our processes (a PID may have been reused).
  const ours = new Set([...labNspawnPids(), ...labUmlPids(), ...aptProxyPids()])
  const recorded = [...(state?.hosts.map((h) => h.pid) ?? []), state?.aptProxy?.pid].filter(
    (p): p is number => !!p && ours.has(p),
  )
  const stopped = [...new Set([...recorded, ...ours])]
  await stopProcesses(stopped)
  // A UML kernel takes its helper processes down when it halts; any left over go now.
  await stopProcesses(labUmlProcesses(), 1000)
  removed.push(...(await removeCgroups()).map((d) => `cgroup ${d}`))
  removed.push(...(await detachLabLoops()).map((l) => `loop ${l}`))
  removed.push(...(await removeHostDirs()).map((m) => `mount ${m}`))
  removed.push(...(await removeNetwork()))
  // nspawn cannot clean /run/systemd/nspawn itself because /run is not a tmpfs here (LAB.md).
  if (existsSync('/run/systemd/nspawn') && !anyNspawnRunning()) {
    rmSync('/run/systemd/nspawn', { recursive: true, force: true })
    removed.push('/run/systemd/nspawn')
  }
  removeState()
  return { stopped, removed, seconds: (Date.now() - started) / 1000 }
}

/** What a lab left on this machine, by its names and paths: empty when clean. */
export async function findLeftovers(): Promise<string[]> {
  const out: string[] = []
  for (const pid of labNspawnPids()) out.push(`systemd-nspawn process ${pid}`)
  for (const pid of labUmlProcesses()) out.push(`user-mode-linux process ${pid}`)
  for (const pid of aptProxyPids()) if (isAlive(pid)) out.push(`apt-cacher-ng process ${pid}`)
  for (const m of labMounts()) out.push(`mount ${m}`)
  const netns = (await $({ quiet: true, nothrow: true })`ip netns list`).stdout.split('\n').map((l) => l.split(' ')[0])
  for (const n of netns) if (n.startsWith(NETNS_PREFIX)) out.push(`netns ${n}`)
  const links = JSON.parse((await $({ quiet: true })`ip -j link show`).stdout || '[]') as { ifname: string }[]
  for (const l of links) if (l.ifname.startsWith(LINK_PREFIX)) out.push(`link ${l.ifname}`)
  const rules = JSON.parse((await $({ quiet: true })`ip -j rule show`).stdout || '[]') as { priority: number }[]
  if (rules.some((r) => r.priority === RULE_PRIORITY)) out.push(`ip rule priority ${RULE_PRIORITY}`)
  const loops = (await $({ quiet: true, nothrow: true })`losetup -J -l`).stdout
  if (loops.includes(`${STATE_DIR}/`)) out.push('loop devices backed by lab disks')
  for (const r of cgroupRoots()) if (existsSync(r)) out.push(`cgroup ${r}`)
  if (existsSync(HOSTS_DIR) && readdirSync(HOSTS_DIR).length) out.push(`host directories in ${HOSTS_DIR}`)
  return out
}
