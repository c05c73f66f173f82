// What every command that talks to hosts needs first: the project, the inventory (with
// the lab's overlay when the lab is up for it), the prepared playbook, and a way to
// connect. Nothing here connects anywhere.
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadInventory } from '../inventory/load.js'
import type { Inventory } from '../inventory/types.js'
import type { Playbook } from '../engine/playbook.js'
import { loadPlaybook, prepareRun, type PreparedRun } from '../engine/prepare.js'
import { connectHost } from '../transport/connect.js'
import type { Transport } from '../transport/types.js'
import { labConnectionFor } from '../lab/state.js'
import { labBackendFor, labOverlayFile } from '../lab/backend.js'
import { parseExtraVars } from './extra-vars.js'

export interface ContextOptions {
  inventory: string
  limit?: string
  roles?: string
  extraVars?: string[]
  acceptNewHosts?: boolean
  tags?: string
  skipTags?: string
  startAtTask?: string
}

/** `a, b,c` → ['a', 'b', 'c'] (a flag's comma-separated list). */
export function commaList(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((r) => r.trim())
    .filter(Boolean)
}

/** The inventory as the hosts are now (the lab's overlay when the lab is up for it) and a way to connect. */
export interface HostsContext {
  root: string
  inventory: Inventory
  lab?: { privateKeyPath: string; knownHostsPath: string }
  /** `connectTimeoutMs`: how long each hop may take to answer (default 10 s). */
  connect(host: string, o?: { connectTimeoutMs?: number }): Promise<Transport>
}

export interface RunContext extends HostsContext {
  playbook: Playbook
  prepared: PreparedRun
}

/** The project: roles/ and playbooks/ are read from here. */
export function projectRoot(): string {
  if (existsSync(join(process.cwd(), 'playbooks'))) return process.cwd()
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..')
}

/** Throws InventoryError (exit 3) for any invalid input. */
export async function loadRunContext(playbookName: string, o: ContextOptions): Promise<RunContext> {
  const hosts = await loadHostsContext(o)
  const { root, inventory, lab } = hosts
  const { playbook, file } = await loadPlaybook(root, playbookName)
  const prepared = await prepareRun(inventory, playbook, file, {
    projectRoot: root,
    route: { inventoryDir: inventory.dir, lab },
    limit: o.limit,
    roles: commaList(o.roles),
    select: { tags: commaList(o.tags), skipTags: commaList(o.skipTags), startAt: o.startAtTask },
  })
  return { ...hosts, playbook, prepared }
}

/** The inventory's directory: -i names it, or a file in it. */
export function inventoryDirOf(path: string): string {
  const p = resolve(path)
  return existsSync(p) && statSync(p).isDirectory() ? p : dirname(p)
}

/** The inventory and the way to its hosts, without a playbook. Throws InventoryError for invalid input. */
export async function loadHostsContext(o: Pick<ContextOptions, 'inventory' | 'extraVars' | 'acceptNewHosts'>) {
  const root = projectRoot()
  const extraVars = parseExtraVars(o.extraVars ?? [])
  const invPath = resolve(o.inventory)
  const invDir = inventoryDirOf(invPath)
  const lab = labConnectionFor(invDir)
  // The lab's own facts about its hosts (e.g. roles that can only be configured there):
  // lab.<backend>.yml, or lab.yml for container hosts (nspawn) only.
  const backend = lab && labBackendFor(invDir)
  const overlayFile = backend ? labOverlayFile(invDir, backend) : undefined
  const inventory = await loadInventory(invPath, { extraVars, overlayFile })
  const context: HostsContext = {
    root,
    inventory,
    lab,
    connect: (name, c) =>
      connectHost(inventory.hosts.get(name)!, {
        inventoryDir: inventory.dir,
        projectRoot: root,
        acceptNewHosts: !!o.acceptNewHosts,
        lab,
        connectTimeoutMs: c?.connectTimeoutMs,
      }),
  }
  return context
}
