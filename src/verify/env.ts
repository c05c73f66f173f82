// What a verification suite may use besides the hosts' connections: the inventory, the lab's power switch
// (to take a machine away for real), a role planned in check mode (would a rerun change
// anything?), the load options, and a report printed after the suite's table.
import type { HostContext } from '../engine/host-context.js'
import type { Inventory } from '../inventory/types.js'

export interface VerifyEnv {
  /** The inventory the hosts come from (as the roles saw it when the run was prepared). */
  inventory: Inventory
  /** The hosts that run `role` (and not `without`), connected. */
  pick(role: string, without?: string): HostContext[]
  /** Present when the hosts are the lab's: power one off (as a crash) and on again. */
  power?: {
    off(name: string): Promise<void>
    /** Boots it, waits for its sshd and returns a fresh connection to it. */
    on(name: string): Promise<HostContext>
  }
  /** Plan `role` on `host` in check mode: what a rerun of site would change there, and its notes. */
  wouldChange(host: string, role: string): Promise<{ changes: string[]; notes: string[] }>
  /** `verify --load`: seconds of load per measurement. */
  loadSeconds?: number
  /** Text printed after the suite's table (the load figures). */
  report(text: string): void
}
