// `lab doctor`: lab hosts share this machine's kernel, so kernel features the roles need
// (IPVS, DRBD, OCFS2, md RAID, NFS server) must be in this kernel. Report which are,
// and whether the lab itself can run here.
import { existsSync, readFileSync } from 'node:fs'
import { release } from 'node:os'
import { dirname } from 'node:path'
import { $ } from 'zx'
import { missingPackages } from './deps.js'
import { cgroupRoots } from './nspawn/host.js'
import type { KernelFeature } from '../engine/role.js'

export type Availability = 'yes' | 'loadable' | 'no'
/** How renderDoctor marks a feature: 3 columns wide. */
const MARK: Record<Availability, string> = { yes: 'ok ', loadable: 'mod', no: 'NO ' }

export interface FeatureReport {
  /** The name roles declare it by (defineRole's `kernel`). */
  id: KernelFeature
  feature: string
  neededBy: string
  available: Availability
  detail: string
}

interface Feature {
  id: KernelFeature
  feature: string
  neededBy: string
  /** Present now (in /proc/…). */
  present: () => boolean
  modules: string[]
}

const FEATURES: Feature[] = [
  {
    id: 'ip_vs',
    feature: 'ip_vs (IPVS)',
    neededBy: 'LVS directors: keepalived virtual_server, ipvsadm, ldirectord (4-node directors, 5-node, 6-node)',
    present: () => existsSync('/proc/net/ip_vs'),
    modules: ['ip_vs'],
  },
  {
    id: 'drbd',
    feature: 'drbd',
    neededBy: 'DRBD disks (2-node with DRBD, 4-node realservers, 5-node)',
    present: () => existsSync('/proc/drbd'),
    modules: ['drbd'],
  },
  {
    id: 'ocfs2',
    feature: 'ocfs2 + configfs',
    neededBy: 'OCFS2 on dual-primary DRBD (4-node realservers, 5-node)',
    present: () => hasFs('ocfs2') && hasFs('configfs'),
    modules: ['configfs', 'ocfs2'],
  },
  {
    id: 'raid456',
    feature: 'md (raid456)',
    neededBy: 'mdadm RAID 6 (6-node nas)',
    present: () => existsSync('/proc/mdstat') && /raid6/.test(readFileSync('/proc/mdstat', 'utf8')),
    modules: ['raid456'],
  },
  { id: 'nfsd', feature: 'nfsd', neededBy: 'NFS server (6-node nas)', present: () => hasFs('nfsd'), modules: ['nfsd'] },
  {
    id: 'nfs',
    feature: 'nfs (client)',
    neededBy: 'NFS mounts (6-node web servers)',
    present: () => hasFs('nfs'),
    modules: ['nfs'],
  },
]

export async function kernelFeatures(): Promise<FeatureReport[]> {
  const loaded = readIfExists('/proc/modules')
  const canModprobe = (await $({ quiet: true, nothrow: true })`command -v modprobe`).exitCode === 0
  return Promise.all(
    FEATURES.map(async (f): Promise<FeatureReport> => {
      const known = { id: f.id, feature: f.feature, neededBy: f.neededBy }
      if (f.present()) return { ...known, available: 'yes', detail: 'in this kernel' }
      // Loaded modules are in /proc/modules; built-in ones may only show under /sys/module.
      const missing = f.modules.filter(
        (m) => !new RegExp(`^${m} `, 'm').test(loaded) && !existsSync(`/sys/module/${m}`),
      )
      if (!missing.length) return { ...known, available: 'yes', detail: 'module loaded' }
      if (canModprobe) {
        const probes = await Promise.all(missing.map((m) => $({ quiet: true, nothrow: true })`modprobe -n -q ${m}`))
        if (probes.every((p) => p.exitCode === 0))
          return {
            ...known,
            available: 'loadable',
            detail: `run \`modprobe ${missing.join(' ')}\` on this machine (lab hosts cannot load modules)`,
          }
      }
      return {
        ...known,
        available: 'no',
        detail: canModprobe
          ? `no ${missing.join(', ')} module for kernel ${release()}`
          : `not built in, and no modprobe/modules for kernel ${release()}`,
      }
    }),
  )
}

/** What `lab up` itself needs from this machine; empty when it can run. */
export function labPrerequisites(): string[] {
  const out: string[] = []
  if (!hasFs('overlay')) out.push('overlayfs (host roots are overlays over the base image)')
  if (!existsSync('/proc/self/ns/net')) out.push('network namespaces')
  if (!existsSync('/dev/loop-control')) out.push('loop devices (only for lab_disks)')
  if (!cgroupRoots().some((r) => existsSync(dirname(r)))) out.push('a cgroup hierarchy under /sys/fs/cgroup')
  const pkgs = missingPackages()
  if (pkgs.length) out.push(`packages (lab up installs them): ${pkgs.map((p) => p.pkg).join(', ')}`)
  return out
}

export function renderDoctor(features: FeatureReport[], prerequisites: string[]): string {
  const lines = [`kernel ${release()} — lab hosts share it, so they have exactly these features:`, '']
  const w = Math.max(...features.map((f) => f.feature.length))
  for (const f of features)
    lines.push(
      `  ${MARK[f.available]}  ${f.feature.padEnd(w)}  ${f.detail}`,
      `       ${' '.repeat(w)}  needed by: ${f.neededBy}`,
    )
  const missing = features.filter((f) => f.available === 'no')
  lines.push('')
  if (missing.length)
    lines.push(
      `Roles that need ${missing.map((f) => f.feature).join(', ')} cannot run for real in this lab: ` +
        `their config can be written and checked (keepalived -t, ` +
        `drbdadm dump), not started. Use a machine whose kernel has them, ` +
        `or real-kernel hosts: "lab up --kernel uml" (checked below).`,
    )
  lines.push(
    prerequisites.length
      ? `The lab itself is missing: ${prerequisites.join('; ')}`
      : 'The lab itself can run here (namespaces, overlayfs, loop devices, cgroups).',
  )
  return lines.join('\n')
}

function hasFs(name: string): boolean {
  return new RegExp(`\\s${name}$`, 'm').test(readIfExists('/proc/filesystems'))
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}
