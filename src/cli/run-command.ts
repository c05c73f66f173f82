// `run-playbook <playbook>`: load and validate everything, then run and report.
import { z } from 'zod'
import { HalabError, InventoryError, renderError } from '../errors.js'
import { runPlaybook } from '../engine/run.js'
import { t } from '../i18n.js'
import { jsonRenderer } from '../output/json.js'
import { listHosts, listTags, listTasks } from '../output/listing.js'
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
  /** -v 1, -vv 2, -vvv 3. */
  verbose?: number
  listHosts?: boolean
  listTasks?: boolean
  listTags?: boolean
  syntaxCheck?: boolean
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
  const listed = listOnly(playbookName, o, ctx)
  if (listed !== undefined) {
    sink.out(listed)
    return 0
  }
  if (!prepared.hosts.length) {
    const filters =
      (o.limit ? `, --limit ${o.limit}` : '') +
      (o.roles ? `, --roles ${o.roles}` : '') +
      (o.tags ? `, --tags ${o.tags}` : '') +
      (o.skipTags ? `, --skip-tags ${o.skipTags}` : '')
    sink.err(`${t('cli.noHosts', { inventory: inventory.file, filters })}
`)
    return 0
  }
  const renderer = o.json
    ? jsonRenderer(sink)
    : process.stdout.isTTY && sink === processSink
      ? listrRenderer(sink, { diff: !!o.diff, verbose: o.verbose ?? 0 })
      : plainRenderer(sink, { diff: !!o.diff, verbose: o.verbose ?? 0 })
  const recap = await runPlaybook(
    inventory,
    prepared,
    {
      check: !!o.check,
      diff: !!o.diff,
      commands: (o.verbose ?? 0) >= 2,
      forks: forks ?? Math.min(50, prepared.hosts.length),
      connect: ctx.connect,
    },
    renderer.emit,
  )
  await renderer.close()
  return exitCodeFor(recap)
}

/** --syntax-check, --list-hosts, --list-tasks, --list-tags: what to print instead of running, or undefined. */
function listOnly(playbookName: string, o: RunCommandOptions, ctx: RunContext): string | undefined {
  const { prepared, inventory } = ctx
  const lists = [
    o.listHosts && listHosts(playbookName, prepared),
    o.listTasks && listTasks(playbookName, prepared),
    o.listTags && listTags(playbookName, prepared),
  ].filter(Boolean)
  if (lists.length) return lists.join('\n')
  if (o.syntaxCheck)
    return (
      t('list.syntaxOk', {
        playbook: playbookName,
        inventory: inventory.file,
        hosts: prepared.hosts.length,
        plays: prepared.plays.filter((p) => p.hosts.size).length,
      }) + '\n'
    )
  return undefined
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
