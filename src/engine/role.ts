// A role: typed, role-prefixed variables with defaults (a zod schema), and the tasks and
// handlers built from them for one host. Building happens before any connection, so a
// bad variable, a missing template or a notify naming no handler stops the run before it
// touches a host. A role is the folder roles/<name>/: index.ts, templates/, and
// optionally facts.ts (the probes only it reads) and verify.ts (its live checks, see
// src/verify/suite.ts).
import type { z } from 'zod'
import type { Inventory, InventoryHost } from '../inventory/types.js'
import type { Task } from './types.js'

export interface RoleContext<V> {
  host: InventoryHost
  /** This role's variables, validated, defaults applied. */
  vars: V
  inventory: Inventory
  /** Render roles/<role>/templates/<name> with this role's variables plus `extra`. */
  render(name: string, extra?: Record<string, unknown>): string
  /** The inventory's hosts in `group`, in inventory order. */
  hostsOf(group: string): InventoryHost[]
  /**
   * Whether the inventory (`configuration_only: [role, ...]`, e.g. a lab whose kernel lacks
   * a module) says `role` (default: this one) may only be configured on this host.
   */
  configurationOnly(role?: string): boolean
  /** Say something on this host's recap line (e.g. "drbd: configuration only"). */
  note(text: string): void
}

/**
 * Kernel features a role can need on its host, by the names `lab doctor` checks: IPVS,
 * DRBD, OCFS2 (with configfs), md RAID 4/5/6, the NFS server and NFS client mounts. The lab puts a host whose
 * roles need one that this machine's kernel lacks on a real-kernel guest.
 */
export const KERNEL_FEATURES = ['ip_vs', 'drbd', 'ocfs2', 'raid456', 'nfsd', 'nfs'] as const
export type KernelFeature = (typeof KERNEL_FEATURES)[number]
/** A role's kernel needs: always these, or these for a host given its variables. */
export type KernelNeeds<V> = readonly KernelFeature[] | ((vars: V, host: InventoryHost) => readonly KernelFeature[])

export interface Role<V = any> {
  /** The role's folder name under roles/ (checked when the playbook is prepared). */
  name: string
  vars: z.ZodType<V, any>
  /** What it needs from the host's kernel to run for real (not configuration only). */
  kernel?: KernelNeeds<V>
  tasks(ctx: RoleContext<V>): Task[]
  /** Handlers by name; each runs at most once per host, after the role's tasks. */
  handlers?(ctx: RoleContext<V>): Record<string, Task>
}

export function defineRole<S extends z.ZodType>(role: {
  name: string
  vars: S
  kernel?: KernelNeeds<z.output<S>>
  tasks(ctx: RoleContext<z.output<S>>): Task[]
  handlers?(ctx: RoleContext<z.output<S>>): Record<string, Task>
}): Role<z.output<S>> {
  return role as Role<z.output<S>>
}

/** The features `role` needs on `host`, with its validated variables. */
export function kernelNeeds<V>(role: Role<V>, vars: V, host: InventoryHost): KernelFeature[] {
  const k = role.kernel ?? []
  return [...(typeof k === 'function' ? k(vars, host) : k)]
}

/** Whether a host's variables (`configuration_only: [role, ...]`) say `role` may only be configured there. */
export function isConfigurationOnly(hostVars: Record<string, unknown>, role: string): boolean {
  const list = hostVars.configuration_only
  return Array.isArray(list) && list.includes(role)
}
