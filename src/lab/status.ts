// `lab status`: the lab that is up (each host's nspawn and sshd checked now), or none,
// plus anything a crashed lab left behind.
import { findLeftovers } from './down.js'
import { isAlive } from './processes.js'
import { probeBanner } from './readiness.js'
import { readState, type LabState } from './state.js'

export interface LabStatus {
  state?: LabState
  /** host → up | booting | stopped, checked now. */
  hosts: Map<string, string>
  leftovers: string[]
}

export async function labStatus(): Promise<LabStatus> {
  const state = readState()
  const hosts = new Map<string, string>()
  if (state)
    await Promise.all(
      state.hosts.map(async (h) => {
        if (!h.pid || !isAlive(h.pid)) return void hosts.set(h.name, 'stopped')
        // A guest's sshd may take seconds to greet (readiness.ts): wait for it, once.
        const r = await probeBanner(h.sshAddress, 22, h.kernel === 'uml' ? 15_000 : 3000)
        hosts.set(h.name, r.kind === 'banner' && r.line.startsWith('SSH-') ? 'up' : 'booting')
      }),
    )
  return { state, hosts, leftovers: state ? [] : await findLeftovers() }
}
