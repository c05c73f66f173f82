// nfs-client: NFS shares mounted now and at boot (fstab, `_netdev` so boot waits for the
// network), as the seed's clients mount nas:/mnt/raid. The mount op never replaces a
// different filesystem found on the mount point: it reports it.
import { z } from 'zod'
import { defineRole } from '../../src/engine/role.ts'
import { mount } from '../../src/ops/mount.ts'
import { packages } from '../../src/ops/package.ts'

const Share = z.object({
  /** server:/export, the server by a name /etc/hosts knows or by address. */
  src: z.string().regex(/^[A-Za-z0-9.-]+:\/\S*$/, 'must be server:/path'),
  path: z.string().startsWith('/'),
  fstype: z.enum(['nfs', 'nfs4']).default('nfs'),
  options: z.array(z.string()).default(['auto', '_netdev']),
})

export default defineRole({
  name: 'nfs-client',
  vars: z.object({
    nfs_mounts: z.array(Share).min(1),
    nfs_client_packages: z.array(z.string()).default(['nfs-common']),
  }),
  tasks: ({ vars }) => [
    packages({ names: vars.nfs_client_packages }),
    ...vars.nfs_mounts.map((m) => mount({ src: m.src, path: m.path, fstype: m.fstype, opts: m.options })),
  ],
})
