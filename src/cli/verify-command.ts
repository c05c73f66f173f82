// `run-playbook verify`: the seeds' own tests against the live cluster, for the roles
// the site playbook puts on this inventory's hosts. Prints a table; exit 2 if a check
// failed (checks the hosts cannot run are listed as "not run", with the reason).
import { HalabError, renderError } from '../errors.js'
import { HostContext } from '../engine/host-context.js'
import { processSink, type Sink } from '../output/sink.js'
import type { CheckResult } from '../verify/check.js'
import { verifyData } from '../verify/data.js'
import { verifyDhcp } from '../verify/dhcp.js'
import { verifyHeartbeat } from '../verify/heartbeat.js'
import { verifyKeepalived } from '../verify/keepalived.js'
import { verifyStorage } from '../verify/storage.js'
import { printChecks } from '../verify/table.js'
import { loadRunContext, type ContextOptions } from './context.js'
import { EXIT_INVALID } from './run-command.js'

/** Each suite runs when its role is on some host; `pick` hands it the hosts by role. */
interface Suite {
  title: string
  role: string
  run(pick: (role: string, without?: string) => HostContext[]): Promise<CheckResult[]>
}
const SUITES: Suite[] = [
  { title: 'DHCP leases', role: 'dhcp-server', run: (pick) => verifyDhcp(pick('dhcp-server'), pick('dhcp-client')) },
  { title: 'heartbeat pair', role: 'heartbeat', run: (pick) => verifyHeartbeat(pick('heartbeat')) },
  { title: 'DRBD + OCFS2', role: 'ocfs2', run: (pick) => verifyStorage(pick('ocfs2')) },
  { title: 'LVS + keepalived', role: 'keepalived', run: (pick) => verifyKeepalived(pick('keepalived'), pick('lvs', 'keepalived')) },
  { title: 'data tier (PostgreSQL, Drupal)', role: 'postgresql', run: (pick) => verifyData(pick('postgresql'), pick('apache-php'), pick('drupal')) },
]

export async function verifyCommand(o: ContextOptions, sink: Sink = processSink): Promise<number> {
  let ctx
  try {
    ctx = await loadRunContext('site', o)
  } catch (e) {
    sink.err(renderError(e) + '\n')
    return e instanceof HalabError ? EXIT_INVALID : 1
  }
  const rolesOf = new Map<string, Set<string>>()
  for (const play of ctx.prepared.plays) for (const [h, roles] of play.hosts) for (const r of roles) rolesOf.set(h, (rolesOf.get(h) ?? new Set()).add(r.role))
  const hostsWith = (role: string, without?: string) => [...rolesOf].filter(([, roles]) => roles.has(role) && !(without && roles.has(without))).map(([h]) => h)
  const suites = SUITES.filter((s) => hostsWith(s.role).length)
  if (!suites.length) {
    sink.err(`nothing to verify: no role with live checks (${SUITES.map((s) => s.role).join(', ')}) runs on ${ctx.inventory.file}\n`)
    return 0
  }
  const needed = [...rolesOf.keys()]
  const contexts = new Map<string, HostContext>()
  let code = 0
  try {
    for (const name of needed) {
      try {
        const transport = await ctx.connect(name)
        contexts.set(name, new HostContext(ctx.inventory.hosts.get(name)!, transport, { check: false, diff: false }, ctx.inventory.hosts))
      } catch (e) {
        sink.err(`${renderError(e)}\n`)
        code = 4
      }
    }
    if (code) return code
    for (const s of suites) {
      let results: CheckResult[]
      try {
        results = await s.run((role, without) => hostsWith(role, without).map((h) => contexts.get(h)!))
      } catch (e) {
        results = [{ name: `${s.title} checks`, status: 'fail', ms: 0, detail: renderError(e) }]
      }
      printChecks(sink, s.title, results)
      if (results.some((r) => r.status === 'fail')) code = 2
    }
  } finally {
    await Promise.all([...contexts.values()].map((c) => c.transport.close()))
  }
  return code
}
