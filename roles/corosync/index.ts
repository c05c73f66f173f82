// corosync: the cluster's messaging layer for Pacemaker (seed 002), on the hosts of a
// group: the shared authkey (root:root 0400, from .env: every node the same key, so none
// has to be copied between hosts) and corosync.conf from the inventory — the nodes at their
// address on the cluster network, two_node quorum for a pair — checked by `corosync -t`
// before it goes live. A change restarts corosync once.
import { addressOf, defineRole, file, packages, secret, service, template, z } from '../../src/sdk.ts'

export default defineRole({
  name: 'corosync',
  vars: z.object({
    corosync_group: z
      .string()
      .describe("The inventory group whose hosts form the Corosync cluster (the seed's two directors)."),
    corosync_cluster_name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .describe("The cluster's name in corosync.conf."),
    corosync_network: z.string().describe('CIDR of the network corosync talks on (the seed binds 10.0.10.0).'),
    corosync_authkey: secret(
      'base64',
      256,
      z
        .string()
        .refine(
          (k) => /^[A-Za-z0-9+/]+={0,2}$/.test(k) && Buffer.from(k, 'base64').length >= 128,
          'must be base64 of at least 128 bytes (openssl rand -base64 256 | tr -d "\\n")',
        )
        .describe("The shared key, base64 (e.g. `openssl rand -base64 256 | tr -d '\\n'`), from .env."),
    ),
    corosync_crypto_cipher: z
      .enum(['aes256', 'aes192', 'aes128', 'none'])
      .default('aes256')
      .describe('Cipher of the cluster traffic (knet crypto_cipher).'),
    corosync_crypto_hash: z
      .enum(['sha256', 'sha384', 'sha512', 'sha1', 'none'])
      .default('sha256')
      .describe('Hash of the cluster traffic (knet crypto_hash).'),
  }),
  tasks: ({ vars, hostsOf, render }) => {
    const nodes = hostsOf(vars.corosync_group).map((h, i) => ({
      name: h.name,
      address: addressOf(h, { network: vars.corosync_network }),
      id: i + 1,
    }))
    if (nodes.length < 2)
      throw new Error(
        `corosync_group "${vars.corosync_group}" has ${nodes.length} host(s): a cluster needs two or more`,
      )
    return [
      packages({ names: ['corosync'] }),
      file({
        path: '/etc/corosync/authkey',
        content: Buffer.from(vars.corosync_authkey, 'base64'),
        owner: 'root',
        group: 'root',
        mode: '0400',
        sensitive: true,
        backup: false,
        notify: ['restart corosync'],
      }),
      template({
        path: '/etc/corosync/corosync.conf',
        rendered: render('corosync.conf.ejs', { nodes }),
        mode: '0644',
        validate: 'corosync -c %s -t',
        notify: ['restart corosync'],
      }),
      service({ service: 'corosync', state: 'started', enabled: true }),
    ]
  },
  handlers: () => ({ 'restart corosync': service({ service: 'corosync', state: 'restarted' }) }),
})
