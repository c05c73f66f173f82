// Run a prepared playbook: connect to every host in parallel (bounded by forks), then
// play by play, each host through its roles in order. A failing or unreachable host
// stops only itself; the others go on.
import { renderError } from '../errors.js'
import type { Inventory } from '../inventory/types.js'
import type { Transport } from '../transport/types.js'
import type { Emit, HostRecap, Recap } from './events.js'
import { HostContext, type RunMode } from './host-context.js'
import type { PreparedRole, PreparedRun } from './prepare.js'
import { runTask } from './run-task.js'
import type { Fact } from './types.js'

export interface RunOptions extends RunMode {
  forks: number
  connect(host: string): Promise<Transport>
}

export async function runPlaybook(
  inventory: Inventory,
  prepared: PreparedRun,
  opts: RunOptions,
  emit: Emit,
): Promise<Recap> {
  const started = performance.now()
  const recap: Recap = Object.fromEntries(
    prepared.hosts.map((h) => [
      h,
      { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, notes: [] } as HostRecap,
    ]),
  )
  // Facts read ahead (by connectAll) stay valid while no host has changed anything.
  const readAhead = { stale: false }
  const tally: Emit = (e) => {
    if (e.type === 'task-end') recap[e.host][e.status]++
    if (e.type === 'task-end' && e.status === 'changed' && !opts.check) readAhead.stale = true
    if (e.type === 'host-note' && !recap[e.host].notes.includes(e.note)) recap[e.host].notes.push(e.note)
    emit(e)
  }
  emit(runStart(prepared, opts))

  const { contexts, dead } = await connectAll(inventory, prepared, opts, emit, recap)
  try {
    for (const [index, play] of prepared.plays.entries()) {
      // Plays are barriers: once any host changed something, what was read ahead may be
      // stale (a peer's change can show on this host), so each role reads again at its start.
      if (readAhead.stale) {
        for (const c of contexts.values()) c.invalidateFacts()
        readAhead.stale = false
      }
      const hosts = [...play.hosts.keys()].filter((h) => !dead.has(h))
      const playStarted = performance.now()
      emit({ type: 'play-start', play: play.name, index, hosts })
      await pool(hosts, opts.forks, async (name) => {
        const host = contexts.get(name)!
        for (const role of play.hosts.get(name)!) {
          const ok = await runRole(host, role, tally)
          if (!ok) {
            dead.add(name)
            break
          }
        }
      })
      emit({ type: 'play-end', play: play.name, index, ms: Math.round(performance.now() - playStarted) })
    }
  } finally {
    await Promise.all([...contexts.values()].map((c) => c.transport.close().catch(() => {})))
  }
  for (const h of prepared.hosts)
    emit({
      type: 'host-end',
      host: h,
      status: recap[h].unreachable ? 'unreachable' : recap[h].failed ? 'failed' : 'ok',
    })
  emit({ type: 'run-end', ms: Math.round(performance.now() - started), recap })
  return recap
}

/** The run's first event: its hosts, and per play, host and role the names of the tasks. */
function runStart(prepared: PreparedRun, opts: RunOptions): Parameters<Emit>[0] {
  return {
    type: 'run-start',
    hosts: prepared.hosts,
    check: opts.check,
    plays: prepared.plays.map((p) => ({
      name: p.name,
      hosts: Object.fromEntries(
        [...p.hosts].map(([h, roles]) => [h, roles.map((r) => ({ role: r.role, tasks: r.tasks.map((t) => t.name) }))]),
      ),
    })),
  }
}

/**
 * Connects to every host (at most `forks` at once) and reads ahead its facts. A host that cannot be
 * reached is counted unreachable and returned in `dead`, which the plays skip.
 */
async function connectAll(
  inventory: Inventory,
  prepared: PreparedRun,
  opts: RunOptions,
  emit: Emit,
  recap: Recap,
): Promise<{ contexts: Map<string, HostContext>; dead: Set<string> }> {
  const contexts = new Map<string, HostContext>()
  const dead = new Set<string>()
  await pool(prepared.hosts, opts.forks, async (name) => {
    const t0 = performance.now()
    try {
      const transport = await opts.connect(name)
      const host = new HostContext(
        inventory.hosts.get(name)!,
        transport,
        { check: opts.check, diff: opts.diff, commands: opts.commands },
        inventory.hosts,
      )
      contexts.set(name, host)
      emit({ type: 'host-connected', host: name, ms: Math.round(performance.now() - t0) })
      // Read ahead: every fact of every role this run gives the host, in one round trip.
      // On a rerun with nothing to change it is the host's only one (measured in
      // docs/bench.md). A task failing on a fact still fails where it reads it.
      await host
        .prefetch(prepared.plays.flatMap((p) => (p.hosts.get(name) ?? []).flatMap((r) => roleFacts(r, host))))
        .catch(() => {})
    } catch (e) {
      dead.add(name)
      recap[name].unreachable = 1
      emit({ type: 'host-unreachable', host: name, error: renderError(e) })
    }
  })
  return { contexts, dead }
}

async function runRole(host: HostContext, role: PreparedRole, emit: Emit): Promise<boolean> {
  emit({ type: 'role-start', host: host.name, role: role.role })
  for (const n of role.notes) emit({ type: 'host-note', host: host.name, note: n })
  const notified = new Set<string>()
  const factsOf = (from: number) => roleFacts(role, host, from)
  // All of the role's probes in one round trip; again after a change, for what is left.
  await host.prefetch(factsOf(0)).catch(() => {})
  for (const [i, task] of role.tasks.entries()) {
    const status = await runTask(host, role.role, task, emit)
    if (status === 'failed' || status === 'unreachable') return false
    if (status === 'changed') {
      for (const n of task.notify ?? []) notified.add(n)
      if (!host.mode.check) await host.prefetch(factsOf(i + 1)).catch(() => {})
    }
  }
  for (const [name, handler] of Object.entries(role.handlers)) {
    if (!notified.has(name)) continue
    const status = await runTask(host, role.role, { ...handler, name: handler.name || name }, emit, true)
    if (status === 'failed' || status === 'unreachable') return false
  }
  emit({ type: 'role-end', host: host.name, role: role.role })
  return true
}

/**
 * What `role` would change on a connected host (a check-mode run over `host`'s transport),
 * and what it says there (notes and warnings): "would a rerun touch this?" as data.
 */
export async function wouldChange(
  host: HostContext,
  role: PreparedRole,
): Promise<{ changes: string[]; notes: string[] }> {
  const checking = new HostContext(host.inventoryHost, host.transport, { check: true, diff: false }, host.allHosts)
  const changes: string[] = []
  const notes: string[] = []
  await runRole(checking, role, (e) => {
    if (e.type === 'host-note') notes.push(e.note)
    if (e.type !== 'task-end') return
    if (e.status === 'changed') changes.push(`${e.task}: ${e.changes.join('; ')}`)
    if (e.status === 'failed' || e.status === 'unreachable') changes.push(`${e.task}: ${e.status}: ${e.error ?? ''}`)
    notes.push(...(e.warnings ?? []))
  })
  return { changes, notes }
}

/** The facts a role's tasks read, from task `from` on (skipped tasks read nothing). */
function roleFacts(role: PreparedRole, host: HostContext, from = 0): Fact[] {
  return role.tasks.slice(from).flatMap((t) => (t.skip ? [] : (t.facts?.(host) ?? [])))
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++])
  })
  await Promise.all(workers)
}
