// The site playbook planned for an inventory without any host (unit tests): every role's
// variables validated, tasks built, templates rendered. The inventories' secrets and the
// Drupal archive they leave to the user get test values here.
import { join } from 'node:path'
import { loadPlaybook, prepareRun, type PreparedRun } from '../../src/engine/prepare.ts'
import type { Task } from '../../src/engine/types.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { REPO } from './cli.ts'

for (const [k, v] of Object.entries({
  KEEPALIVED_AUTH_PASS: 'vrrp8chr',
  DRBD_SECRET: 'unit-drbd-secret',
  DRUPAL_DB_PASSWORD: 'db-unit',
  DRUPAL_HASH_SALT: 'salt-unit-0123456789abcdef0123456789',
  DRUPAL_ADMIN_PASSWORD: 'admin-unit',
}))
  process.env[k] ??= v
export const DRUPAL_ARCHIVE = {
  drupal_archive_url: 'https://drupal.invalid/drupal.tar.gz',
  drupal_archive_sha256: '0'.repeat(64),
}

/** `site` planned for inventory/NAME (or a directory), optionally with its lab.yml overlay. */
export async function prepareSite(
  dir: string,
  opts: { lab?: boolean; extraVars?: Record<string, unknown> } = {},
): Promise<PreparedRun> {
  const inventoryDir = dir.startsWith('/') ? dir : join(REPO, 'inventory', dir)
  const inv = await loadInventory(inventoryDir, {
    extraVars: { ...DRUPAL_ARCHIVE, ...opts.extraVars },
    overlayFile: opts.lab ? join(inventoryDir, 'lab.yml') : undefined,
  })
  const { playbook, file } = await loadPlaybook(REPO, 'site')
  return prepareRun(inv, playbook, file, { projectRoot: REPO })
}

export const tasksOf = (run: PreparedRun, host: string, role?: string): Task[] =>
  run.plays
    .flatMap((p) => p.hosts.get(host) ?? [])
    .filter((r) => !role || r.role === role)
    .flatMap((r) => r.tasks)

export const notesOf = (run: PreparedRun, host: string): string[] =>
  run.plays.flatMap((p) => p.hosts.get(host) ?? []).flatMap((r) => r.notes)

/** The content a template task would write, by path, for one host. */
/** What a template or file task writes at `path`. */
export function rendered(run: PreparedRun, host: string, path: string): string {
  const t = tasksOf(run, host).find((t) => t.name === `template ${path}` || t.name === `file ${path}`)
  if (t && 'rendered' in t) return String(t.rendered)
  if (t && 'content' in t && t.content !== undefined) return String(t.content)
  throw new Error(
    `no template or file task for ${path} on ${host}: ${tasksOf(run, host)
      .map((t) => t.name)
      .join(' | ')}`,
  )
}
