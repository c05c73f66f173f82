import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planService, serviceNoop, type ServiceContext } from '../../src/ops/service.ts'
import { serviceState, type ServiceState } from '../../src/facts/services.ts'

const systemd = (over: Partial<ServiceState> = {}): ServiceState => ({
  manager: 'systemd',
  exists: true,
  active: true,
  enabled: true,
  ...over,
})
const sysv = (over: Partial<ServiceState> = {}): ServiceState => ({ ...systemd(over), manager: 'sysv' })
const run: ServiceContext = { check: false, startedServices: new Set(), host: 'web1' }
const check: ServiceContext = { ...run, check: true }
const brief = (changes: { summary: string; command?: string; starts?: string }[]) =>
  changes.map((c) => [c.summary, c.command, c.starts])

test('noop: running and enabled as wanted', () => {
  assert.deepEqual(planService(systemd(), { service: 'apache2', state: 'started', enabled: true }, run), [])
  assert.equal(
    serviceNoop(systemd(), { service: 'apache2', state: 'started', enabled: true }, run),
    'apache2 is running, enabled',
  )
})

test('systemd: a stopped, disabled service is started (recorded in starts) and enabled', () => {
  assert.deepEqual(
    brief(
      planService(
        systemd({ active: false, enabled: false }),
        { service: 'apache2', state: 'started', enabled: true },
        run,
      ),
    ),
    [
      ['start apache2', 'systemctl start apache2', 'apache2'],
      ['enable apache2', 'systemctl enable apache2', undefined],
    ],
  )
})

test('sysv: service and update-rc.d', () => {
  assert.deepEqual(
    brief(
      planService(
        sysv({ active: true, enabled: true }),
        { service: 'heartbeat', state: 'stopped', enabled: false },
        run,
      ),
    ),
    [
      ['stop heartbeat', 'service heartbeat stop', undefined],
      ['disable heartbeat', 'update-rc.d heartbeat disable', undefined],
    ],
  )
  assert.deepEqual(brief(planService(sysv({ enabled: false }), { service: 'heartbeat', enabled: true }, run)), [
    ['enable heartbeat', 'update-rc.d heartbeat defaults && update-rc.d heartbeat enable', undefined],
  ])
})

test('restarted and reloaded act on a running service', () => {
  assert.deepEqual(brief(planService(systemd(), { service: 'apache2', state: 'restarted' }, run)), [
    ['restart apache2', 'systemctl restart apache2', undefined],
  ])
  assert.deepEqual(brief(planService(sysv(), { service: 'apache2', state: 'reloaded' }, run)), [
    ['reload apache2', 'service apache2 reload', undefined],
  ])
})

test('restarted/reloaded of a stopped service start it', () => {
  assert.deepEqual(brief(planService(systemd({ active: false }), { service: 'apache2', state: 'reloaded' }, run)), [
    ['start apache2 (was stopped)', 'systemctl start apache2', 'apache2'],
  ])
})

test('a handler restart after this run started the service is a noop', () => {
  const ctx = { ...run, startedServices: new Set(['apache2']) }
  assert.deepEqual(planService(systemd(), { service: 'apache2', state: 'restarted' }, ctx), [])
  assert.equal(
    serviceNoop(systemd(), { service: 'apache2', state: 'restarted' }, ctx),
    'apache2 was started by this run',
  )
})

test('a unit not installed yet: planned in check mode, an error in a real run', () => {
  const missing = systemd({ exists: false, active: false, enabled: false })
  assert.deepEqual(brief(planService(missing, { service: 'keepalived', state: 'started' }, check)), [
    ['start keepalived (not installed yet)', 'systemctl start keepalived', 'keepalived'],
  ])
  assert.throws(
    () => planService(missing, { service: 'keepalived', state: 'started', enabled: true }, run),
    /cannot start and enable keepalived: unit keepalived.service is missing on web1/,
  )
  assert.throws(
    () => planService(sysv({ exists: false, active: false }), { service: 'heartbeat', state: 'started' }, run),
    /init script \/etc\/init.d\/heartbeat is missing on web1/,
  )
})

test('stopping or disabling a service that is not installed is a noop', () => {
  assert.deepEqual(
    planService(
      systemd({ exists: false, active: false, enabled: false }),
      { service: 'nginx', state: 'stopped', enabled: false },
      run,
    ),
    [],
  )
})

test('the services fact reads systemd and sysv answers', () => {
  const fact = serviceState('apache2')
  assert.deepEqual(fact.parse({ code: 0, stdout: 'systemd\nexists\nactive\n', stderr: '' }), {
    manager: 'systemd',
    exists: true,
    active: true,
    enabled: false,
  })
  assert.deepEqual(fact.parse({ code: 0, stdout: 'sysv\nexists\nenabled\n', stderr: '' }), {
    manager: 'sysv',
    exists: true,
    active: false,
    enabled: true,
  })
})

test('a settled restart is stop, a pause for the peer, start; a service this run started is not restarted', () => {
  const spec = { service: 'heartbeat', state: 'restarted' as const, settle: 30 }
  assert.deepEqual(brief(planService(sysv(), spec, run)), [
    [
      'restart heartbeat (stop, 30 s for its peer to take over, start)',
      'service heartbeat stop && sleep 30 && service heartbeat start',
      undefined,
    ],
  ])
  assert.deepEqual(brief(planService(sysv({ active: false }), spec, run)), [
    ['start heartbeat (was stopped)', 'service heartbeat start', 'heartbeat'],
  ])
  assert.deepEqual(planService(sysv(), spec, { ...run, startedServices: new Set(['heartbeat']) }), [])
})
