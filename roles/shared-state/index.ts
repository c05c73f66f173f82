// shared-state: services' configuration and data moved onto the cluster filesystem (seed
// 001: /etc/apache2, /var/www, PostgreSQL's directories under /opt) and bind-mounted back
// in place on every node. The list is inventory data. One node copies each directory
// there, once, only while the shared copy does not exist; every node bind-mounts it
// (fstab, _netdev: at boot after the cluster filesystem, which systemd orders first because
// the bind mount's source lies on it), and each listed service gets a drop-in
// (RequiresMountsFor) so that it starts only once its state is in place — the seed's
// rc.local and polling script, as systemd ordering. Where the cluster filesystem is
// configuration only (a container lab), nothing is moved and the recap says so.
import { posix } from 'node:path'
import {
  command,
  daemonReloadHandler,
  defineRole,
  mount,
  requiresMounts,
  sh,
  type Task,
  unitFile,
  z,
} from '../../src/sdk.ts'
import { copyTask } from './copy.ts'

const Unit = z.string().regex(/^[A-Za-z0-9_.@-]+$/, 'a systemd unit name (apache2, postgresql@)')

const Vars = z.object({
  shared_state_root: z
    .string()
    .startsWith('/')
    .describe("Where the cluster filesystem is mounted; each path's shared copy is ROOT/PATH."),
  shared_state_paths: z
    .array(
      z.object({
        path: z
          .string()
          .regex(/^\/[^\s]*[^/\s]$/, 'an absolute path without spaces or trailing /')
          .describe('A directory the nodes share: its copy lives at ROOT/PATH and is bind-mounted over PATH.'),
        services: z
          .array(Unit)
          .default([])
          .describe('Services that read it: each starts only once it is mounted (a systemd drop-in).'),
      }),
    )
    .min(1)
    .describe(
      "The directories moved onto the cluster filesystem (seed 001: Apache's and PostgreSQL's configuration and data).",
    ),
  shared_state_copy_node: z
    .string()
    .describe('The one node that copies each directory to the shared volume when its copy is missing.'),
  shared_state_wait: z
    .number()
    .int()
    .positive()
    .default(120)
    .describe('How long the other nodes wait for that copy (seconds).'),
  shared_state_filesystem_role: z
    .string()
    .default('ocfs2')
    .describe('The role whose filesystem holds the shared state: configuration only there means nothing to move.'),
})

export default defineRole({
  name: 'shared-state',
  vars: Vars,
  tasks: ({ vars, configurationOnly, host, inventory, note }) => {
    if (!inventory.hosts.has(vars.shared_state_copy_node))
      throw new Error(`shared_state_copy_node "${vars.shared_state_copy_node}" is not a host of this inventory`)
    if (configurationOnly(vars.shared_state_filesystem_role)) {
      note(`shared-state: not moved (${vars.shared_state_filesystem_role} is configuration only here)`)
      return []
    }
    const paths = vars.shared_state_paths.map((p) => ({ ...p, shared: posix.join(vars.shared_state_root, p.path) }))
    const tasks: Task[] = paths.map((p) => copyTask(p, vars.shared_state_copy_node, host.name, vars.shared_state_wait))
    for (const p of paths)
      tasks.push(
        mount({
          src: p.shared,
          path: p.path,
          fstype: 'none',
          opts: 'bind,_netdev',
          notify: p.services.map((s) => `restart ${s} where it runs`),
        }),
      )
    for (const unit of unitsOf(paths))
      tasks.push(
        ...requiresMounts({
          unit,
          paths: paths.filter((p) => p.services.includes(unit)).map((p) => p.path),
          role: 'shared-state',
          why:
            'starts only once its state on the shared volume is mounted in place (the bind mounts, ' +
            'which follow the cluster filesystem).',
        }),
      )
    return tasks
  },
  handlers: ({ vars }) => {
    const handlers: Record<string, Task> = daemonReloadHandler()
    for (const unit of unitsOf(vars.shared_state_paths))
      // A template (postgresql@) has no state of its own: its running instances restart.
      handlers[`restart ${unit} where it runs`] = command({
        name: `restart ${unit} where it runs`,
        command: unit.endsWith('@')
          ? sh`for u in $(systemctl list-units --state=active --plain ` +
            sh`--no-legend ${unit + '*.service'} | awk '{print $1}'); ` +
            sh`do systemctl restart "$u"; done`
          : sh`if systemctl -q is-active ${unitFile(unit)}; then systemctl restart ${unitFile(unit)}; fi`,
      })
    return handlers
  },
})

const unitsOf = (paths: { services: string[] }[]): string[] => [...new Set(paths.flatMap((p) => p.services))]
