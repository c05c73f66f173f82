// `run-playbook <playbook>`: load and validate everything, then run and report.
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HalabError, InventoryError, renderError } from '../errors.js'
import { loadInventory } from '../inventory/load.js'
import { loadPlaybook, prepareRun } from '../engine/prepare.js'
import { runPlaybook } from '../engine/run.js'
import { connectHost } from '../transport/connect.js'
import { jsonRenderer } from '../output/json.js'
import { listrRenderer } from '../output/listr.js'
import { plainRenderer } from '../output/plain.js'
import { exitCodeFor } from '../output/recap.js'
import { processSink, type Sink } from '../output/sink.js'
import { parseExtraVars } from './extra-vars.js'

export interface RunCommandOptions {
  inventory: string
  limit?: string
  roles?: string
  check?: boolean
  diff?: boolean
  extraVars?: string[]
  forks?: string
  json?: boolean
  acceptNewHosts?: boolean
  verbose?: boolean
}

export const EXIT_INVALID = 3

/** The halab checkout: roles/, templates/, playbooks/ are read from here. */
export function projectRoot(): string {
  if (existsSync(join(process.cwd(), 'playbooks'))) return process.cwd()
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..')
}

export async function runCommand(playbookName: string, o: RunCommandOptions, sink: Sink = processSink): Promise<number> {
  const root = projectRoot()
  let prepared, inventory, lab
  try {
    const extraVars = parseExtraVars(o.extraVars ?? [])
    const invPath = resolve(o.inventory)
    const invDir = existsSync(invPath) && statSync(invPath).isDirectory() ? invPath : dirname(invPath)
    lab = await labFor(invDir)
    // The lab's own facts about its hosts (e.g. roles that can only be configured there).
    const overlayFile = lab && existsSync(join(invDir, 'lab.yml')) ? join(invDir, 'lab.yml') : undefined
    inventory = await loadInventory(invPath, { extraVars, overlayFile })
    const { playbook, file } = await loadPlaybook(root, playbookName)
    prepared = await prepareRun(inventory, playbook, file, {
      projectRoot: root,
      limit: o.limit,
      roles: o.roles?.split(',').map((r) => r.trim()).filter(Boolean),
    })
  } catch (e) {
    sink.err(renderError(e) + '\n')
    return e instanceof InventoryError || e instanceof HalabError ? EXIT_INVALID : 1
  }
  if (!prepared.hosts.length) {
    sink.err(`no hosts matched (inventory ${inventory.file}${o.limit ? `, --limit ${o.limit}` : ''}${o.roles ? `, --roles ${o.roles}` : ''}): nothing to do\n`)
    return 0
  }
  const forks = Number(o.forks ?? Math.min(50, prepared.hosts.length))
  const renderer = o.json
    ? jsonRenderer(sink)
    : process.stdout.isTTY && sink === processSink
      ? listrRenderer(sink, { diff: !!o.diff })
      : plainRenderer(sink, { diff: !!o.diff, verbose: !!o.verbose })
  const inv = inventory
  const recap = await runPlaybook(
    inv,
    prepared,
    {
      check: !!o.check,
      diff: !!o.diff,
      forks,
      connect: (name) => connectHost(inv.hosts.get(name)!, { inventoryDir: inv.dir, projectRoot: root, acceptNewHosts: !!o.acceptNewHosts, lab }),
    },
    renderer.emit,
  )
  await renderer.close()
  return exitCodeFor(recap)
}

async function labFor(dir: string) {
  try {
    const { labConnectionFor } = await import('../lab/state.js')
    return labConnectionFor(dir)
  } catch {
    return undefined
  }
}
