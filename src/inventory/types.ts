export type Vars = Record<string, unknown>

export interface InventoryHost {
  name: string
  /** Every group the host belongs to, parents included, `all` first. */
  groups: string[]
  /** Fully merged variables (group_vars → host_vars → extra vars); role defaults come later. */
  vars: Vars
  /** Where each top-level variable was last set: `file:line` when known. */
  origins: Record<string, string>
}

export interface InventoryGroup {
  name: string
  hosts: string[]
  children: string[]
}

export interface Inventory {
  /** Absolute directory holding the inventory (group_vars/ and host_vars/ live here). */
  dir: string
  /** The inventory file that was read. */
  file: string
  hosts: Map<string, InventoryHost>
  groups: Map<string, InventoryGroup>
}

/** A variable layer before merging: the values plus where each came from. */
export interface VarLayer {
  vars: Vars
  origins: Record<string, string>
}
