// A service that must not start before some paths are mounted (an NFS share, a bind mount
// on a cluster filesystem): a systemd drop-in with RequiresMountsFor, which also orders
// the service after those mounts at boot. systemd does not flag a unit for reload when a
// drop-in directory appears, so a change notifies the role's `daemonReloadHandler`.
import { command } from './command.js'
import { directory } from './directory.js'
import { file } from './file.js'
import type { Task } from '../engine/types.js'

export interface RequiresMountsSpec {
  /** apache2, postgresql@ or a full unit name (apache2.service). */
  unit: string
  paths: string[]
  /** The role that wants it: the drop-in is halab-ROLE.conf, and its comment says so. */
  role: string
  /** Why, for whoever reads the drop-in: "starts only once its document root is mounted". */
  why: string
}

const RELOAD = 'systemd daemon-reload'

export const unitFile = (unit: string): string => (/\.[a-z]+$/.test(unit) ? unit : `${unit}.service`)

export function requiresMounts(spec: RequiresMountsSpec): Task[] {
  const dir = `/etc/systemd/system/${unitFile(spec.unit)}.d`
  const content =
    `# Managed by halab ` +
    `(role ${spec.role}): ${unitFile(spec.unit)} ${spec.why}\n[Unit]\nRequiresMountsFor=${spec.paths.join(' ')}\n`
  return [
    directory({ path: dir, mode: '0755' }),
    file({ path: `${dir}/halab-${spec.role}.conf`, content, mode: '0644', notify: [RELOAD] }),
  ]
}

/** The handler the drop-ins notify: merge it into the role's handlers. */
export const daemonReloadHandler = (): Record<string, Task> => ({
  [RELOAD]: command({ name: RELOAD, command: 'systemctl daemon-reload' }),
})
