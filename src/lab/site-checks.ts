// What `lab site` checks on this machine before it starts anything, besides root and
// routes (safety.ts): whether the chosen hosts fit in its free memory.
import { existsSync, readFileSync, statfsSync } from 'node:fs'
import { LabError } from './errors.js'
import type { LabHostSpec } from './topology.js'
import { UML_MEMORY } from './uml/host.js'

/**
 * Estimates, not measurements: a container shares this kernel and holds systemd, sshd and
 * the roles' services (Apache, PostgreSQL) in about this much; a real-kernel guest holds
 * its `lab_memory` (or UML_MEMORY) plus the UML kernel process around it. The lab itself
 * (apt-cacher-ng, the SSH connections, this process) is counted once.
 */
export const NSPAWN_HOST_MIB = 192
export const UML_OVERHEAD_MIB = 64
export const LAB_OVERHEAD_MIB = 256

const mib = (size: string): number => Number.parseInt(size, 10)

/** Memory the hosts need (MiB), and the part of it UML maps from /dev/shm. */
export function memoryNeed(hosts: Pick<LabHostSpec, 'kernel' | 'memory'>[]): { total: number; shm: number } {
  const guest = hosts.filter((h) => h.kernel === 'uml').map((h) => mib(h.memory ?? UML_MEMORY))
  const containers = hosts.length - guest.length
  const shm = guest.reduce((a, b) => a + b, 0)
  return { total: LAB_OVERHEAD_MIB + containers * NSPAWN_HOST_MIB + shm + guest.length * UML_OVERHEAD_MIB, shm }
}

export interface FreeMemory {
  /** MemAvailable, MiB. */
  available: number
  /** Free space on /dev/shm, where UML guests' memory lives, MiB. */
  shm: number
}

/** MemAvailable from /proc/meminfo and the free space of /dev/shm. */
export function readFreeMemory(): FreeMemory {
  const meminfo = readFileSync('/proc/meminfo', 'utf8')
  const kib = Number(/^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0)
  const shm = existsSync('/dev/shm') ? statfsSync('/dev/shm') : undefined
  return { available: Math.floor(kib / 1024), shm: shm ? Math.floor((shm.bavail * shm.bsize) / 2 ** 20) : 0 }
}

/** Throws a LabError saying what is needed, what is free and how to make room. */
export function checkMemory(hosts: Pick<LabHostSpec, 'name' | 'kernel' | 'memory'>[], free: FreeMemory): void {
  const need = memoryNeed(hosts)
  const guests = hosts.filter((h) => h.kernel === 'uml').length
  const what =
    `${hosts.length} hosts (${guests} real-kernel guest${guests === 1 ? '' : 's'}, ` +
    `${hosts.length - guests} container${hosts.length - guests === 1 ? '' : 's'})`
  if (need.total > free.available)
    throw new LabError(
      `not enough free memory for ${what}: they need about ${need.total} MiB, this machine has ${free.available} MiB ` +
        'available (MemAvailable)',
      'stop other programs or labs (run-playbook lab down), or choose a smaller topology such as 2-node-web',
    )
  if (need.shm > free.shm)
    throw new LabError(
      `the real-kernel guests keep their ${need.shm} MiB of memory in /dev/shm, which has ${free.shm} MiB free`,
      'free space in /dev/shm, or make it larger: mount -o remount,size=75% /dev/shm',
    )
}
