// `run-playbook verify`: the seeds' own tests against the live cluster, for the roles
// the site playbook puts on this inventory's hosts. Prints a table; exit 2 if a check
// failed (checks the hosts cannot run are listed as "not run", with the reason). When the
// lab is up for the inventory, suites may power a lab host off and on (a crashed machine);
// `--load` adds a load measurement through the VIP.
import { HalabError, renderError } from '../errors.js'
import { HostContext } from '../engine/host-context.js'
import { processSink, type Sink } from '../output/sink.js'
import type { CheckResult } from '../verify/check.js'
import { verifyData } from '../verify/data.js'
import { verifyDhcp } from '../verify/dhcp.js'
import { verifyHeartbeat } from '../verify/heartbeat.js'
import { verifyKeepalived } from '../verify/keepalived.js'
import { verifyStorage } from '../verify/storage.js'
import type { VerifyEnv } from '../verify/env.js'
import { DEFAULT_LOAD_SECONDS } from '../verify/load.js'
import { verifyLvsNat } from '../verify/lvs-nat.js'
import { verifyNas } from '../verify/nas.js'
import { printChecks } from '../verify/table.js'
import { wouldChange } from '../engine/run.js'
import { labStart, labStop } from '../lab/power.js'
import { readState } from '../lab/state.js'
import { loadRunContext, type ContextOptions } from './context.js'
import { EXIT_INVALID } from './run-command.js'

/** Each suite runs when its role is on some host; `env.pick` hands it the hosts by role. */
interface Suite {
  title: string
  role: string
  run(env: VerifyEnv): Promise<CheckResult[]>
}
const SUITES: Suite[] = [
  { title: 'DHCP leases', role: 'dhcp-server', run: ({ pick }) => verifyDhcp(pick('dhcp-server'), pick('dhcp-client')) },
  { title: 'heartbeat pair', role: 'heartbeat', run: ({ pick }) => verifyHeartbeat(pick('heartbeat')) },
  { title: 'DRBD + OCFS2', role: 'ocfs2', run: ({ pick }) => verifyStorage(pick('ocfs2')) },
  { title: 'NAS: RAID and NFS', role: 'mdadm', run: (env) => verifyNas(env.pick('mdadm'), env.pick('nfs-client'), env) },
  { title: 'LVS + keepalived', role: 'keepalived', run: ({ pick }) => verifyKeepalived(pick('keepalived'), pick('lvs', 'keepalived')) },
  { title: 'LVS-NAT under Pacemaker (ldirectord)', role: 'pacemaker', run: (env) => verifyLvsNat(env.pick('pacemaker'), env.pick('lvs-nat', 'pacemaker'), env) },
  { title: 'data tier (PostgreSQL, Drupal)', role: 'postgresql', run: ({ pick }) => verifyData(pick('postgresql'), pick('apache-php'), pick('drupal')) },
]

export interface VerifyOptions extends ContextOptions {
  /** `--load [seconds]`: also measure HTTP load through the VIP (true: the default duration). */
  load?: boolean | string
}

export async function verifyCommand(o: VerifyOptions, sink: Sink = processSink): Promise<number> {
  const loadSeconds = o.load === undefined || o.load === false ? undefined : o.load === true ? DEFAULT_LOAD_SECONDS : Number(o.load)
  if (loadSeconds !== undefined && !(Number.isInteger(loadSeconds) && loadSeconds > 0 && loadSeconds <= 600)) {
    sink.err(`--load: "${String(o.load)}" is not a number of seconds from 1 to 600\n`)
    return EXIT_INVALID
  }
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
  if (loadSeconds !== undefined && !suites.some((s) => s.role === 'pacemaker'))
    sink.err(`--load: it measures through the VIP of an LVS-NAT pair under Pacemaker (inventory/6-node), and no host of ${ctx.inventory.file} runs one: no load measured\n`)
  const needed = [...rolesOf.keys()]
  const contexts = new Map<string, HostContext>()
  const connect = async (name: string) => {
    const host = new HostContext(ctx.inventory.hosts.get(name)!, await ctx.connect(name), { check: false, diff: false }, ctx.inventory.hosts)
    contexts.set(name, host)
    return host
  }
  /** What suites report besides their table (load figures), printed after it. */
  const reports: string[] = []
  const labHosts = new Set(ctx.lab ? (readState()?.hosts ?? []).map((h) => h.name) : [])
  const env: VerifyEnv = {
    pick: (role, without) => hostsWith(role, without).map((h) => contexts.get(h)!),
    power: needed.every((h) => labHosts.has(h))
      ? {
          off: async (name) => {
            await labStop(name, { hard: true })
            await contexts.get(name)?.transport.close().catch(() => {})
          },
          on: async (name) => (await labStart(name), connect(name)),
        }
      : undefined,
    wouldChange: async (name, role) => {
      const prepared = ctx.prepared.plays.flatMap((p) => p.hosts.get(name) ?? []).find((r) => r.role === role)
      if (!prepared) throw new Error(`${role} does not run on ${name}`)
      return wouldChange(contexts.get(name)!, prepared)
    },
    loadSeconds,
    report: (text) => reports.push(text),
  }
  let code = 0
  try {
    for (const name of needed) {
      try {
        await connect(name)
      } catch (e) {
        sink.err(`${renderError(e)}\n`)
        code = 4
      }
    }
    if (code) return code
    for (const s of suites) {
      let results: CheckResult[]
      try {
        results = await s.run(env)
      } catch (e) {
        results = [{ name: `${s.title} checks`, status: 'fail', ms: 0, detail: renderError(e) }]
      }
      printChecks(sink, s.title, results)
      sink.out(reports.splice(0).join(''))
      if (results.some((r) => r.status === 'fail')) code = 2
    }
  } finally {
    await Promise.all([...contexts.values()].map((c) => c.transport.close()))
  }
  return code
}
