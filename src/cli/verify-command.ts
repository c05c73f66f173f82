// `run-playbook verify`: the live checks of every role of the site playbook that runs on
// some host of the inventory (roles/<role>/verify.ts, in the playbook's `verify` order).
// Prints a table per suite; exit 2 if a check failed (checks the hosts cannot run are
// listed as "not run", with the reason). When the lab is up for the inventory, suites may
// power a lab host off and on (a crashed machine); `--load` adds a load measurement
// through the VIP.
import { HalabError, renderError } from '../errors.js'
import { HostContext } from '../engine/host-context.js'
import { t } from '../i18n.js'
import type { Playbook } from '../engine/playbook.js'
import type { PreparedRun } from '../engine/prepare.js'
import { processSink, type Sink } from '../output/sink.js'
import type { CheckResult } from '../verify/check.js'
import type { VerifyEnv } from '../verify/env.js'
import { DEFAULT_LOAD_SECONDS } from '../verify/load.js'
import { loadVerifySuite, type VerifySuite } from '../verify/suite.js'
import { printChecks } from '../verify/table.js'
import { wouldChange } from '../engine/run.js'
import { labStart, labStop } from '../lab/power.js'
import { readState } from '../lab/state.js'
import { loadRunContext, type ContextOptions, type RunContext } from './context.js'
import { EXIT_INVALID } from './run-command.js'

export interface VerifyOptions extends ContextOptions {
  /** `--load [seconds]`: also measure HTTP load through the VIP (true: the default duration). */
  load?: boolean | string
}

/** A role's suite; it runs when the role is on some host, and `env.pick` hands it the hosts by role. */
interface RoleSuite extends VerifySuite {
  role: string
}

/** --load's seconds: undefined without it, null when it is no whole number of seconds from 1 to 600. */
export function parseLoad(load: boolean | string | undefined): number | undefined | null {
  const seconds = load === undefined || load === false ? undefined : load === true ? DEFAULT_LOAD_SECONDS : Number(load)
  return seconds === undefined || (Number.isInteger(seconds) && seconds > 0 && seconds <= 600) ? seconds : null
}

export async function verifyCommand(o: VerifyOptions, sink: Sink = processSink): Promise<number> {
  const loadSeconds = parseLoad(o.load)
  if (loadSeconds === null) {
    sink.err(`${t('verify.loadInvalid', { value: String(o.load) })}\n`)
    return EXIT_INVALID
  }
  let ctx: RunContext
  let all: RoleSuite[]
  try {
    ctx = await loadRunContext('site', o)
    all = await roleSuites(ctx.root, ctx.playbook, ctx.prepared)
  } catch (e) {
    sink.err(renderError(e) + '\n')
    return e instanceof HalabError ? EXIT_INVALID : 1
  }
  const rolesOf = hostRoles(ctx.prepared)
  const hostsWith = (role: string, without?: string) =>
    [...rolesOf].filter(([, roles]) => roles.has(role) && !(without && roles.has(without))).map(([h]) => h)
  const suites = all.filter((s) => hostsWith(s.role).length)
  if (!suites.length) {
    sink.err(`${t('verify.nothing', { roles: all.map((s) => s.role).join(', '), inventory: ctx.inventory.file })}\n`)
    return 0
  }
  if (loadSeconds !== undefined && !suites.some((s) => s.role === 'pacemaker'))
    sink.err(`${t('verify.loadNoPair', { inventory: ctx.inventory.file })}\n`)
  return runSuites(ctx, suites, [...rolesOf.keys()], hostsWith, loadSeconds, sink)
}

/** The suites of the playbook's roles: first in its `verify` order, then the others in play order. */
async function roleSuites(root: string, playbook: Playbook, prepared: PreparedRun): Promise<RoleSuite[]> {
  const order = [...new Set([...(playbook.verify ?? []).filter((r) => prepared.roles.includes(r)), ...prepared.roles])]
  const suites: RoleSuite[] = []
  for (const role of order) {
    const suite = await loadVerifySuite(root, role)
    if (suite) suites.push({ ...suite, role })
  }
  return suites
}

/** Host → the roles the prepared run gives it. */
function hostRoles(prepared: PreparedRun): Map<string, Set<string>> {
  const rolesOf = new Map<string, Set<string>>()
  for (const play of prepared.plays)
    for (const [h, roles] of play.hosts)
      for (const r of roles) rolesOf.set(h, (rolesOf.get(h) ?? new Set()).add(r.role))
  return rolesOf
}

/** Connect to every host that runs a role, then run each suite and print its table. */
async function runSuites(
  ctx: RunContext,
  suites: RoleSuite[],
  needed: string[],
  hostsWith: (role: string, without?: string) => string[],
  loadSeconds: number | undefined,
  sink: Sink,
): Promise<number> {
  const contexts = new Map<string, HostContext>()
  const connect = async (name: string) => {
    const host = new HostContext(
      ctx.inventory.hosts.get(name)!,
      await ctx.connect(name),
      { check: false, diff: false },
      ctx.inventory.hosts,
    )
    contexts.set(name, host)
    return host
  }
  /** What suites report besides their table (load figures), printed after it. */
  const reports: string[] = []
  const labHosts = new Set(ctx.lab ? (readState()?.hosts ?? []).map((h) => h.name) : [])
  const env: VerifyEnv = {
    inventory: ctx.inventory,
    pick: (role, without) => hostsWith(role, without).map((h) => contexts.get(h)!),
    power: needed.every((h) => labHosts.has(h))
      ? {
          off: async (name) => {
            await labStop(name, { hard: true })
            await contexts
              .get(name)
              ?.transport.close()
              .catch(() => {})
          },
          on: async (name) => (await labStart(name), connect(name)),
        }
      : undefined,
    wouldChange: async (name, role) => {
      const prepared = ctx.prepared.plays.flatMap((p) => p.hosts.get(name) ?? []).find((r) => r.role === role)
      if (!prepared) throw new Error(t('verify.roleNotOnHost', { role, host: name }))
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
        results = [{ name: t('verify.suiteChecks', { title: s.title }), status: 'fail', ms: 0, detail: renderError(e) }]
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
