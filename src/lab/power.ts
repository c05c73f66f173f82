// `lab stop HOST` / `lab start HOST`: power one host off and on again, keeping its root
// (overlay upper layer or UML COW file), its disks and its network, as a machine that
// failed and came back. Verification uses it to take a cluster node away for real.
import { LabError } from './errors.js'
import { bootHost, drainHostCgroups } from './nspawn/host.js'
import { isAlive, stopProcesses } from './processes.js'
import { findHost } from './ssh.js'
import { readState, withLabLock, writeState, type HostState, type LabState } from './state.js'
import { awaitHost } from './up.js'
import { bootUmlHost } from './uml/host.js'
import { UML_IMAGE } from './uml/paths.js'
import { labUmlProcesses } from './uml/processes.js'

export interface PowerResult {
  host: HostState
  /** Nothing to do: the host already was in the wanted state. */
  already: boolean
  seconds: number
}

/**
 * Power a host off. Default: a clean shutdown (SIGTERM: nspawn and UML both halt their
 * systemd), SIGKILL after a grace time. `hard`: pull the plug at once (SIGKILL), as a
 * crashed machine, so that peers see it vanish without a goodbye.
 */
export function labStop(name: string, opts: { hard?: boolean } = {}): Promise<PowerResult> {
  return withLabLock(async () => {
    const started = Date.now()
    const { state, host } = upLabHost(name)
    if (!host.pid || !isAlive(host.pid)) return finish(state, host, 'stopped', true, started)
    const grace = opts.hard ? 0 : 10_000
    if (host.kernel === 'uml') {
      await stopProcesses([host.pid], grace)
      // A UML kernel's helper processes go with it; whatever is left of this host goes now.
      await stopProcesses(labUmlProcesses(host.name), opts.hard ? 0 : 1000)
    } else {
      // nspawn may exit before the container's last processes; hard, the cgroup takes
      // nspawn and the whole container at once (a SIGKILL to nspawn alone would leave the
      // container's init running, orphaned).
      if (!opts.hard) await stopProcesses([host.pid], grace)
      await drainHostCgroups(host.name, grace)
    }
    return finish(state, host, 'stopped', false, started)
  })
}

/** Power a stopped host on again, from the root and disks it had, and wait for its sshd. */
export function labStart(name: string): Promise<PowerResult> {
  return withLabLock(async () => {
    const started = Date.now()
    const { state, host } = upLabHost(name)
    if (host.pid && isAlive(host.pid)) return finish(state, host, 'up', true, started)
    host.status = 'starting'
    host.pid = host.kernel === 'uml' ? bootUmlHost(host, UML_IMAGE, host.disks) : bootHost(host)
    writeState(state)
    try {
      await awaitHost(host, Date.now())
    } finally {
      writeState(state)
    }
    return finish(state, host, 'up', false, started)
  })
}

function upLabHost(name: string): { state: LabState; host: HostState } {
  const state = readState()
  if (state && state.phase !== 'up')
    throw new LabError(
      'the lab is still starting, or its lab up did not finish',
      'wait for lab up, or run `run-playbook lab down`',
    )
  return { state: state!, host: findHost(name, state) }
}

function finish(
  state: LabState,
  host: HostState,
  status: 'up' | 'stopped',
  already: boolean,
  started: number,
): PowerResult {
  host.status = status
  if (status === 'stopped') host.pid = undefined
  writeState(state)
  return { host, already, seconds: (Date.now() - started) / 1000 }
}
