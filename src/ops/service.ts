// `service`: a service running or stopped, enabled at boot or not; restarted or reloaded
// from a handler. systemctl when systemd is PID 1, else `service` and update-rc.d. A
// service this run started already runs the newest configuration: restarting it again
// would only interrupt it.
import { serviceState, type ServiceState } from '../facts/services.js'
import type { HostContext } from '../engine/host-context.js'
import type { Change, Plan, Task } from '../engine/types.js'
import { sh } from '../transport/quote.js'

export interface ServiceSpec {
  /** The service: systemd unit (without .service) or /etc/init.d script name. */
  service: string
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded'
  enabled?: boolean
  /**
   * A restart as stop, this many seconds, start: for a cluster daemon whose peer reacts to the
   * stop (takes over) and must be done before this node rejoins.
   */
  settle?: number
  /** The task's title (default "service SERVICE STATE"). */
  name?: string
  notify?: string[]
}

export interface ServiceContext {
  check: boolean
  /** Services this run has started so far (HostContext.startedServices). */
  startedServices: ReadonlySet<string>
  host: string
}

type Verb = 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable'

function control(manager: ServiceState['manager'], name: string, verb: Verb): string {
  if (manager === 'systemd') return sh`systemctl ${verb} ${name}`
  // `enable` only flips existing rc links; `defaults` first creates them when there are none.
  if (verb === 'enable') return sh`update-rc.d ${name} defaults && update-rc.d ${name} enable`
  if (verb === 'disable') return sh`update-rc.d ${name} disable`
  return sh`service ${name} ${verb}`
}

/** Restart and reload are for handlers: after this run's start they have nothing to do. */
function startedByThisRun(spec: ServiceSpec, ctx: ServiceContext): boolean {
  return (spec.state === 'restarted' || spec.state === 'reloaded') && ctx.startedServices.has(spec.service)
}

/** What the service must do, before looking at whether it exists. */
function verbsFor(current: ServiceState, spec: ServiceSpec, ctx: ServiceContext): Verb[] {
  const verbs: Verb[] = []
  const { active } = current
  if (!startedByThisRun(spec, ctx)) {
    // A stopped service is started by restart and reload alike (`reload` would fail on it).
    if (spec.state === 'started' && !active) verbs.push('start')
    if (spec.state === 'stopped' && active) verbs.push('stop')
    if (spec.state === 'restarted') verbs.push(active ? 'restart' : 'start')
    if (spec.state === 'reloaded') verbs.push(active ? 'reload' : 'start')
  }
  if (spec.enabled === true && !current.enabled) verbs.push('enable')
  if (spec.enabled === false && current.enabled) verbs.push('disable')
  return verbs
}

/** The decision, as data. */
export function planService(current: ServiceState, spec: ServiceSpec, ctx: ServiceContext): Change[] {
  const name = spec.service
  const verbs = verbsFor(current, spec, ctx)
  if (!current.exists) {
    // Nothing to stop or disable; anything else needs the unit its package will bring.
    const needed = verbs.filter((v) => v !== 'stop' && v !== 'disable')
    if (!needed.length) return []
    if (!ctx.check) {
      const what = current.manager === 'systemd' ? `unit ${name}.service` : `init script /etc/init.d/${name}`
      throw new Error(
        `cannot ${needed.join(' and ')} ${name}: ${what} is missing ` +
          `on ${ctx.host} (install its package first, or check the name)`,
      )
    }
    return needed.map((verb) => ({
      summary: `${verb} ${name} (not installed yet)`,
      command: control(current.manager, name, verb),
      ...(verb === 'start' ? { starts: name } : {}),
    }))
  }
  return verbs.map((verb) => {
    if (verb === 'restart' && spec.settle) return settledRestart(current.manager, name, spec.settle)
    return {
      summary: verb === 'start' && spec.state !== 'started' ? `start ${name} (was stopped)` : `${verb} ${name}`,
      command: control(current.manager, name, verb),
      ...(verb === 'start' ? { starts: name } : {}),
    }
  })
}

function settledRestart(manager: ServiceState['manager'], name: string, seconds: number): Change {
  return {
    summary: `restart ${name} (stop, ${seconds} s for its peer to take over, start)`,
    command: `${control(manager, name, 'stop')} && sleep ${Math.ceil(seconds)} && ${control(manager, name, 'start')}`,
  }
}

export function serviceNoop(current: ServiceState, spec: ServiceSpec, ctx: ServiceContext): string {
  if (startedByThisRun(spec, ctx)) return `${spec.service} was started by this run`
  if (!current.exists) return `${spec.service} is not installed: nothing to stop or disable`
  const running = current.active ? 'running' : 'stopped'
  const boot = spec.enabled === undefined ? '' : current.enabled ? ', enabled' : ', disabled'
  return `${spec.service} is ${running}${boot}`
}

export function service(spec: ServiceSpec): Task {
  if (!/^[A-Za-z0-9@_.:][A-Za-z0-9@_.:-]*$/.test(spec.service ?? ''))
    throw new Error(`service: invalid service name ${JSON.stringify(spec.service)}`)
  if (spec.state === undefined && spec.enabled === undefined)
    throw new Error(`service ${spec.service}: give a state, enabled, or both`)
  const what = [spec.state, spec.enabled === undefined ? undefined : spec.enabled ? 'enabled' : 'disabled']
    .filter(Boolean)
    .join(', ')
  return {
    tags: ['service'],
    name: spec.name ?? `service ${spec.service} ${what}`,
    notify: spec.notify,
    facts: () => [serviceState(spec.service)],
    async plan(host: HostContext): Promise<Plan> {
      const current = await host.fact(serviceState(spec.service))
      const ctx: ServiceContext = { check: host.mode.check, startedServices: host.startedServices, host: host.name }
      const changes = planService(current, spec, ctx)
      return changes.length ? { changes } : { changes, noop: serviceNoop(current, spec, ctx) }
    },
  }
}
