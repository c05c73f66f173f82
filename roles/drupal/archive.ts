// The Drupal archive on the host, checked by sha256 before anything uses it: copied from
// the controller (`drupal_archive_path`) or downloaded by the host (`drupal_archive_url`)
// into a cache named by its checksum, so a changed archive is a new file, never a
// half-overwritten one.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { cleanupOnExit, command, file, packages, sh, type Task } from '../../src/sdk.ts'

export interface ArchiveSpec {
  url?: string
  /** On the controller; relative to the inventory directory. */
  path?: string
  sha256: string
  cacheDir: string
}

/** drupal_archive_path on the controller: absolute, or relative to the inventory directory. */
export const localArchive = (path: string, inventoryDir: string): string =>
  isAbsolute(path) ? path : join(inventoryDir, path)

export function archiveOnHost(spec: ArchiveSpec, inventoryDir: string): { path: string; tasks: Task[] } {
  const onHost = `${spec.cacheDir}/drupal-${spec.sha256.slice(0, 16)}.tar`
  const check = (file: string) => sh`echo ${`${spec.sha256}  `}` + `${file} | sha256sum -c --quiet -`
  if (spec.path) {
    const local = localArchive(spec.path, inventoryDir)
    if (!existsSync(local)) throw new Error(`drupal_archive_path: ${local} does not exist on the controller`)
    const actual = createHash('sha256').update(readFileSync(local)).digest('hex')
    if (actual !== spec.sha256)
      throw new Error(`drupal_archive_path: ${local} has sha256 ${actual}, not drupal_archive_sha256 ${spec.sha256}`)
    // Checked again on the host before it goes live (a truncated copy never lands).
    return {
      path: onHost,
      tasks: [
        file({ path: onHost, src: local, mode: '0644', validate: check('%s'), name: `drupal archive ${onHost}` }),
      ],
    }
  }
  if (!spec.url) throw new Error('set drupal_archive_url or drupal_archive_path (the Drupal release archive)')
  return {
    path: onHost,
    tasks: [
      packages({ names: ['curl', 'ca-certificates'] }),
      command({
        name: `drupal archive ${onHost} from ${spec.url}`,
        command:
          sh`t=$(mktemp -p ${spec.cacheDir}) ` +
          `&& { ${cleanupOnExit('rm -f "$t"')}; } && ` +
          sh`curl -fsSL --retry 2 -o "$t" ${spec.url} && ` +
          check('"$t"') +
          sh` && chmod 644 "$t" && mv "$t" ${onHost} && trap - EXIT`,
        creates: onHost,
      }),
    ],
  }
}
