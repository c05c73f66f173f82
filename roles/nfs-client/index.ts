// nfs-client: NFS shares mounted now and at boot (fstab, `_netdev` so boot waits for the
// network), as the seed's clients mount nas:/mnt/raid. The mount op never replaces a
// different filesystem found on the mount point: it reports it. Services that serve from a
// share (Apache with its document root there) start only once it is mounted: at boot an
// unreachable NAS keeps them down rather than serving an empty directory.
import { daemonReloadHandler, defineRole, mount, packages, requiresMounts, type Task, z } from '../../src/sdk.ts'

const Share = z.object({
  src: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\/\S*$/, 'must be server:/path')
    .describe('server:/export, the server by a name /etc/hosts knows or by address.'),
  path: z.string().startsWith('/').describe('Where the share is mounted on the client (created if missing).'),
  fstype: z
    .enum(['nfs', 'nfs4'])
    .default('nfs')
    .describe('nfs (the protocol version the server and client agree on) or nfs4.'),
  options: z.array(z.string()).default(['auto', '_netdev']).describe('Mount options, in fstab and for the mount now.'),
  services: z
    .array(z.string().regex(/^[A-Za-z0-9_.@-]+$/, 'a systemd unit name (apache2)'))
    .default([])
    .describe('Units that need the share (apache2): each gets a RequiresMountsFor drop-in.'),
})

export default defineRole({
  name: 'nfs-client',
  // Mounting a share needs the kernel's NFS client: a container shares this machine's kernel.
  kernel: ['nfs'],
  vars: z.object({
    nfs_mounts: z.array(Share).min(1).describe('The shares each client mounts now and at boot (fstab).'),
    nfs_client_packages: z
      .array(z.string())
      .default(['nfs-common'])
      .describe('Packages a client needs (nfs-common: mount.nfs, rpc.statd).'),
  }),
  tasks: ({ vars }) => {
    const tasks: Task[] = [
      packages({ names: vars.nfs_client_packages }),
      ...vars.nfs_mounts.map((m) => mount({ src: m.src, path: m.path, fstype: m.fstype, opts: m.options })),
    ]
    const units = [...new Set(vars.nfs_mounts.flatMap((m) => m.services))]
    for (const unit of units) {
      const paths = vars.nfs_mounts.filter((m) => m.services.includes(unit)).map((m) => m.path)
      tasks.push(
        ...requiresMounts({ unit, paths, role: 'nfs-client', why: 'starts only once its NFS share is mounted.' }),
      )
    }
    return tasks
  },
  handlers: daemonReloadHandler,
})
