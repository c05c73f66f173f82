// A playbook is a list of plays: a host pattern and the roles to run there, in order.
// Plays are barriers: every host finishes play N before any host starts play N+1, so a
// later play may rely on what an earlier one did on other hosts (DRBD peers, say).
export interface Play {
  name?: string
  /** Host pattern: names, groups, `a:b` (union), `a:&b` (intersection), `!x` (exclusion). */
  hosts: string
  roles: string[]
}

export interface Playbook {
  plays: Play[]
  /**
   * The order in which `verify` runs the live checks of these roles (roles/<role>/verify.ts);
   * the suites of roles not listed run after them, in play order.
   */
  verify?: string[]
}

export function definePlaybook(playbook: Playbook): Playbook {
  return playbook
}
