// `run-playbook <playbook>`: load and validate everything, then run and report.
import { z } from 'zod'
import { HalabError, InventoryError, renderError } from '../errors.js'
import { runPlaybook } from '../engine/run.js'
import { t } from '../i18n.js'
import { jsonRenderer } from '../output/json.js'
import { listrRenderer } from '../output/listr.js'
import { plainRenderer } from '../output/plain.js'
import { exitCodeFor } from '../output/recap.js'
import { processSink, type Sink } from '../output/sink.js'
import { loadRunContext, type ContextOptions, type RunContext } from './context.js'

export interface RunCommandOptions extends ContextOptions {
  check?: boolean
  diff?: boolean
  forks?: string
  json?: boolean
  verbose?: boolean
}

export const EXIT_INVALID = 3

export async function runCommand(
  playbookName: string,
  o: RunCommandOptions,
  sink: Sink = processSink,
): Promise<number> {
  let ctx: RunContext
  let forks: number | undefined
  try {
    forks = parseForks(o.forks)
    ctx = await loadRunContext(playbookName, o)
  } catch (e) {
    sink.err(renderError(e) + '\n')
    return e instanceof HalabError ? EXIT_INVALID : 1
  }
  const { prepared, inventory } = ctx
  if (!prepared.hosts.length) {
    const filters = (o.limit ? `, --limit ${o.limit}` : '') + (o.roles ? `, --roles ${o.roles}` : '')
    sink.err(`${t('cli.noHosts', { inventory: inventory.file, filters })}\n`)
    return 0
  }
  const renderer = o.json
    ? jsonRenderer(sink)
    : process.stdout.isTTY && sink === processSink
      ? listrRenderer(sink, { diff: !!o.diff })
      : plainRenderer(sink, { diff: !!o.diff, verbose: !!o.verbose })
  const recap = await runPlaybook(
    inventory,
    prepared,
    { check: !!o.check, diff: !!o.diff, forks: forks ?? Math.min(50, prepared.hosts.length), connect: ctx.connect },
    renderer.emit,
  )
  await renderer.close()
  return exitCodeFor(recap)
}

const Forks = z
  .string()
  .regex(/^\s*\d+\s*$/)
  .transform(Number)
  .pipe(z.number().int().min(1))

/** -f/--forks: a whole number ≥ 1, or undefined (all hosts, up to 50). */
export function parseForks(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const r = Forks.safeParse(value)
  if (r.success) return r.data
  throw new InventoryError([
    {
      field: '-f/--forks',
      message: t('cli.forks', { value }),
    },
  ])
}
