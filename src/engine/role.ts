// A role: typed, role-prefixed variables with defaults (a zod schema), and the tasks and
// handlers built from them for one host. Building happens before any connection, so a
// bad variable or a template error stops the run before it touches a host.
import type { z } from 'zod'
import type { Inventory, InventoryHost } from '../inventory/types.js'
import type { Task } from './types.js'

export interface RoleContext<V> {
  host: InventoryHost
  /** This role's variables, validated, defaults applied. */
  vars: V
  inventory: Inventory
  /** Render templates/<role>/<name> with this role's variables plus `extra`. */
  template(name: string, extra?: Record<string, unknown>): string
  /** Say something on this host's recap line (e.g. "drbd: configuration only"). */
  note(text: string): void
}

export interface Role<V = any> {
  name: string
  vars: z.ZodType<V, any>
  tasks(ctx: RoleContext<V>): Task[]
  /** Handlers by name; each runs at most once per host, after the role's tasks. */
  handlers?(ctx: RoleContext<V>): Record<string, Task>
}

export function defineRole<S extends z.ZodType>(role: {
  name: string
  vars: S
  tasks(ctx: RoleContext<z.output<S>>): Task[]
  handlers?(ctx: RoleContext<z.output<S>>): Record<string, Task>
}): Role<z.output<S>> {
  return role as Role<z.output<S>>
}
