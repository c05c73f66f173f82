// Which kernel runs each lab host: systemd-nspawn (this machine's kernel, the default) or
// user-mode-linux (its own 6.1 kernel with ip_vs, drbd, ocfs2, md, nfsd). `lab up --kernel
// uml` sets it for every host; a host var `lab_kernel: uml` sets it per host and wins.
// `lab site` chooses per host (chooseKernels): uml where the roles need what this kernel lacks.
// The runner asks which backend a lab runs, to pick the inventory's lab overlay.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { KernelFeature } from '../engine/role.js'
import { inventoryRealDir, readState, type LabState } from './state.js'

export const LAB_KERNELS = ['nspawn', 'uml'] as const
export type LabKernel = (typeof LAB_KERNELS)[number]
/** The whole lab's backend: one kernel for every host, or both. */
export type LabBackend = LabKernel | 'mixed'

export function isLabKernel(value: unknown): value is LabKernel {
  return typeof value === 'string' && (LAB_KERNELS as readonly string[]).includes(value)
}

/** A host's kernel from its `lab_kernel` var, else the lab's default; `at` collects a bad value. */
export function hostKernel(
  value: unknown,
  fallback: LabKernel,
  at: (field: string, message: string) => void,
): LabKernel {
  if (value === undefined || value === null) return fallback
  if (isLabKernel(value)) return value
  at('lab_kernel', `must be one of ${LAB_KERNELS.join(', ')} (got ${JSON.stringify(value)})`)
  return fallback
}

export function backendOf(hosts: { kernel?: LabKernel }[]): LabBackend {
  const kinds = new Set(hosts.map((h) => h.kernel ?? 'nspawn'))
  return kinds.size === 1 ? [...kinds][0] : 'mixed'
}

/** The backend of the lab that is up for this inventory directory, else undefined. */
export function labBackendFor(inventoryDir: string, state: LabState | undefined = readState()): LabBackend | undefined {
  const dir = inventoryRealDir(inventoryDir)
  if (!state || state.phase !== 'up' || !dir || dir !== state.inventoryDir) return undefined
  return backendOf(state.hosts)
}

/**
 * The inventory's overlay for a lab backend: `lab.<backend>.yml` when it exists; for the
 * nspawn backend `lab.yml` too (container hosts share this kernel and mark roles such as
 * drbd configuration only); a real-kernel lab applies no `lab.yml`.
 */
export function labOverlayFile(inventoryDir: string, backend: LabBackend): string | undefined {
  const own = join(inventoryDir, `lab.${backend}.yml`)
  if (existsSync(own)) return own
  const shared = join(inventoryDir, 'lab.yml')
  return backend === 'nspawn' && existsSync(shared) ? shared : undefined
}

/** A host's kernel as `lab site` chooses it, and the features that made it a real-kernel guest. */
export interface KernelChoice {
  kernel: LabKernel
  lacking: KernelFeature[]
}

/**
 * Each host's kernel without flags: a real-kernel guest (uml) when its roles need a
 * feature this machine's kernel lacks, else a container. `forced` (--kernel) sets every host.
 */
export function chooseKernels(
  needs: Map<string, KernelFeature[]>,
  has: (feature: KernelFeature) => boolean,
  forced?: LabKernel,
): Map<string, KernelChoice> {
  return new Map(
    [...needs].map(([host, features]) => {
      const lacking = [...new Set(features)].filter((f) => !has(f))
      return [host, { kernel: forced ?? (lacking.length ? 'uml' : 'nspawn'), lacking }]
    }),
  )
}
