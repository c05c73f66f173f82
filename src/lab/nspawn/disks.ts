// lab_disks: a sparse file per disk, attached to a loop device that nspawn binds into the
// host under the inventory's name (/dev/sda6). Block devices are not namespaced, so a
// host sees a real block device it can partition, mkfs and mount.
import { existsSync, mkdirSync, openSync, closeSync, ftruncateSync } from 'node:fs'
import { join } from 'node:path'
import { $ } from 'zx'
import { STATE_DIR, hostPaths } from '../paths.js'
import type { DiskState } from '../state.js'
import type { LabHostSpec } from '../topology.js'

/** Attach each disk of a host; a failure is reported, not thrown: the host starts without them. */
export async function attachDisks(host: LabHostSpec): Promise<{ disks: DiskState[]; problem?: string }> {
  const disks: DiskState[] = []
  if (!host.disks.length) return { disks }
  if (!existsSync('/dev/loop-control'))
    return { disks, problem: 'this kernel has no loop devices (/dev/loop-control is missing)' }
  const dir = hostPaths(host.name).disks
  mkdirSync(dir, { recursive: true })
  for (const d of host.disks) {
    const file = join(dir, d.name.slice('/dev/'.length).replace(/\//g, '_') + '.img')
    const fd = openSync(file, 'a')
    ftruncateSync(fd, d.bytes) // sparse: costs no space until written
    closeSync(fd)
    const r = await $({ quiet: true, nothrow: true })`losetup --find --show ${file}`
    if (r.exitCode !== 0) return { disks, problem: `losetup could not attach ${file}: ${r.stderr.trim()}` }
    disks.push({ ...d, file, loop: r.stdout.trim() })
  }
  return { disks }
}

/** Detach every loop device backed by a file under the lab's state directory. */
export async function detachLabLoops(): Promise<string[]> {
  const r = await $({ quiet: true, nothrow: true })`losetup -J -l`
  if (r.exitCode !== 0 || !r.stdout.trim()) return []
  const loops = (JSON.parse(r.stdout).loopdevices ?? []) as { name: string; 'back-file': string | null }[]
  const ours = loops.filter((l) => (l['back-file'] ?? '').replace(/ \(deleted\)$/, '').startsWith(STATE_DIR + '/'))
  for (const l of ours) await $({ quiet: true, nothrow: true })`losetup -d ${l.name}`
  return ours.map((l) => l.name)
}
