// `lab status`: the lab that is up (each host's nspawn and sshd checked now), or none,
// plus anything a crashed lab left behind.
import { findLeftovers } from './down.js'
import { isAlive } from './processes.js'
import { probeTcp } from './readiness.js'
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
        const banner = await probeTcp(h.sshAddress, 22, 1000)
        hosts.set(h.name, banner?.startsWith('SSH-') ? 'up' : 'booting')
      }),
    )
  return { state, hosts, leftovers: state ? [] : await findLeftovers() }
}
