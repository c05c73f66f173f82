// `run-playbook lab site [TOPOLOGY]`: checks (site-plan.ts) → lab up → site → verify, each
// phase timed, in this process with the functions behind `lab up`, `site` and `verify`.
// Bad input stops it before anything starts (exit 3); a later failure takes down the lab it
// made, unless --keep (a lab that was already up is never taken down). The last line says
// what is running and how to explore it.
import { relative } from 'node:path'
import { runCommand } from '../cli/run-command.js'
import { verifyCommand } from '../cli/verify-command.js'
import { HalabError, renderError } from '../errors.js'
import { t } from '../i18n.js'
import { processSink, type Sink } from '../output/sink.js'
import { kernelFeatures } from './doctor.js'
import { teardown } from './down.js'
import { machineNetworks } from './safety.js'
import { readFreeMemory } from './site-checks.js'
import { planSite, type MachineProbe, type SiteOptions, type SitePlan } from './site-plan.js'
import { readState, withLabLock } from './state.js'
import { labUp } from './up.js'

export const EXIT_INVALID = 3

export interface LabSiteOptions extends SiteOptions {
  /** Leave the lab up when site or verify fails, to look at it. */
  keep?: boolean
  /** verify --load: also measure HTTP load through the VIP (seconds, or true for the default). */
  load?: string | boolean
}

/** The phases after the checks; tests replace them. */
export interface SitePhases {
  probe: MachineProbe
  up(plan: SitePlan, o: LabSiteOptions, log: (line: string) => void): Promise<{ alreadyUp: boolean }>
  site(inventoryDir: string, sink: Sink): Promise<number>
  verify(inventoryDir: string, sink: Sink, load?: string | boolean): Promise<number>
  down(): Promise<void>
}

export const realMachine: MachineProbe = {
  isRoot: () => typeof process.getuid !== 'function' || process.getuid() === 0,
  kernelHas: async () => {
    const available = new Map((await kernelFeatures()).map((f) => [f.id, f.available === 'yes']))
    return (feature) => available.get(feature) ?? false
  },
  networks: machineNetworks,
  freeMemory: readFreeMemory,
  currentLab: () => readState()?.inventoryDir,
}

export const realPhases: SitePhases = {
  probe: realMachine,
  up: (plan, o, log) =>
    labUp({
      inventory: plan.inventoryDir,
      log,
      kernel: o.kernel,
      kernels: new Map([...plan.kernels].map(([h, c]) => [h, c.kernel])),
    }),
  site: (dir, sink) => runCommand('site', { inventory: dir }, sink),
  verify: (dir, sink, load) => verifyCommand({ inventory: dir, load }, sink),
  down: async () => void (await withLabLock(teardown)),
}

export async function labSite(o: LabSiteOptions, phases: SitePhases = realPhases, sink = processSink): Promise<number> {
  const log = (line: string): void => sink.err(`lab site: ${line}\n`)
  const times: string[] = []
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    try {
      return await fn()
    } finally {
      times.push(`${phase} ${((Date.now() - started) / 1000).toFixed(1)} s`)
      log(`${phase}: ${times.at(-1)!.slice(phase.length + 1)}`)
    }
  }
  let plan: SitePlan
  try {
    plan = await timed('checks', () => planSite(o, phases.probe))
  } catch (e) {
    sink.err(`${renderError(e)}\nlab site: ${t('labSite.nothingStarted')}\n`)
    return e instanceof HalabError ? EXIT_INVALID : 1
  }
  for (const line of describePlan(plan)) log(line)
  let made: boolean
  try {
    made = !(await timed('lab up', () => phases.up(plan, o, log))).alreadyUp
  } catch (e) {
    sink.err(`${renderError(e)}\nlab site: ${t('labSite.upFailed')}\n`)
    return 1
  }
  for (const [phase, run] of [
    ['site', phases.site],
    ['verify', (dir: string, out: Sink) => phases.verify(dir, out, o.load)],
  ] as const) {
    const code = await timed(phase, () => run(plan.inventoryDir, sink))
    if (code) return failed(phase, code, made && !o.keep, phases, log)
  }
  sink.out(`\nlab site: ${times.join(' · ')}\n${runningLine(plan)}\n`)
  return 0
}

/** A failed site or verify: the lab it made is taken down (and it says so), else left for a look. */
async function failed(
  phase: string,
  code: number,
  takeDown: boolean,
  phases: SitePhases,
  log: (line: string) => void,
): Promise<number> {
  if (!takeDown) {
    log(t('labSite.failedKept', { phase, code }))
    return code
  }
  log(t('labSite.failedDown', { phase, code }))
  await phases.down()
  log(t('labSite.down'))
  return code
}

/** What the checks decided: the .env written, and each host's kernel with its reason. */
export function describePlan(plan: SitePlan): string[] {
  const lines: string[] = []
  if ('written' in plan.secrets)
    lines.push(`wrote ${plan.secrets.file} (mode 0600) with new random ${plan.secrets.written.join(', ')}`)
  for (const h of plan.topology.hosts) {
    const lacking = plan.kernels.get(h.name)?.lacking ?? []
    const why = h.kernel === 'uml' && lacking.length ? ` (this machine's kernel lacks ${lacking.join(', ')})` : ''
    lines.push(`${h.name}: ${h.kernel === 'uml' ? 'real-kernel guest (user-mode-linux)' : 'container'}${why}`)
  }
  if (plan.reused) lines.push('the lab for this inventory is already up: lab up reuses it')
  return lines
}

/** The final line: what runs now and the three commands to explore it. */
export function runningLine(plan: SitePlan): string {
  const hosts = plan.topology.hosts.map((h) => h.name)
  const rel = relative(process.cwd(), plan.inventoryDir)
  const inv = rel && !rel.startsWith('..') ? rel : plan.inventoryDir
  return t('labSite.running', { hosts: hosts.join(', '), inventory: inv, first: hosts[0] })
}
