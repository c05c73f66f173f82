// nfs-server: the kernel NFS server exporting directories from variables (seed 002:
// /mnt/raid to the internal network, rw,sync,no_subtree_check,no_root_squash).
// /etc/exports is rendered whole and, on change, re-read with `exportfs -ra`, which also
// refuses a broken file (the handler fails and says so). Without nfsd in the kernel the
// role fails before changing anything, unless marked configuration only.
import { command, defineRole, packages, requireKernel, service, template, z } from '../../src/sdk.ts'

const Export = z.object({
  path: z.string().startsWith('/').describe('The exported directory (created if missing).'),
  clients: z
    .array(
      z.object({
        host: z
          .string()
          .regex(/^[A-Za-z0-9.*?:/_-]+$/)
          .describe('Who may mount it: a host, a network (10.0.10.0/24) or a pattern.'),
        options: z
          .array(z.string().regex(/^[a-z_]+(=[A-Za-z0-9_.:/-]+)?$/))
          .default(['ro', 'sync', 'no_subtree_check'])
          .describe('Export options for those clients (the seed: rw,sync,no_subtree_check,no_root_squash).'),
      }),
    )
    .min(1)
    .describe('One entry per client: a host, a network (10.0.10.0/24) or a wildcard, with its options.'),
})

export default defineRole({
  name: 'nfs-server',
  kernel: ['nfsd'],
  vars: z.object({
    nfs_exports: z.array(Export).min(1).describe('The lines of /etc/exports.'),
    nfs_server_packages: z.array(z.string()).default(['nfs-kernel-server']).describe('Packages the server needs.'),
  }),
  tasks: ({ vars, configurationOnly, render }) => {
    const configOnly = configurationOnly('nfs-server')
    return [
      requireKernel({ role: 'nfs-server', modules: ['nfsd'], configurationOnly: configOnly }),
      packages({ names: vars.nfs_server_packages }),
      template({
        path: '/etc/exports',
        rendered: render('exports.ejs', { exports: vars.nfs_exports }),
        mode: '0644',
        notify: configOnly ? undefined : ['exportfs -ra'],
      }),
      ...(configOnly ? [] : [service({ service: 'nfs-kernel-server', state: 'started', enabled: true })]),
    ]
  },
  handlers: () => ({
    'exportfs -ra': command({ name: 're-export /etc/exports', command: 'exportfs -ra' }),
  }),
})
