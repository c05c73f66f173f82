// base: the node's hostname, an /etc/hosts that names every cluster node on the cluster
// network (computed from the inventory), and the packages every node needs.
import { addressOf, command, defineRole, file, packages, sh, template, z } from '../../src/sdk.ts'

export default defineRole({
  name: 'base',
  vars: z.object({
    base_hostname: z.string().optional().describe('Defaults to the inventory name.'),
    base_hosts_group: z.string().default('all').describe('Nodes listed in /etc/hosts: a host pattern (group name).'),
    base_hosts_network: z
      .string()
      .optional()
      .describe('CIDR of the cluster network: each node is listed with its address there.'),
    base_hosts_domain: z
      .string()
      .optional()
      .describe('When set, nodes are also named NAME.DOMAIN (the 4-node seed uses "ha").'),
    base_packages: z.array(z.string()).default([]).describe('Extra packages installed on every host.'),
  }),
  tasks: ({ vars, hostsOf, host, render }) => {
    const hostname = vars.base_hostname ?? host.name
    const nodes = hostsOf(vars.base_hosts_group).map((h) => ({
      name: h.name,
      address: addressOf(h, { network: vars.base_hosts_network }),
    }))
    return [
      file({ path: '/etc/hostname', content: `${hostname}\n`, mode: '0644' }),
      command({
        name: `hostname ${hostname}`,
        command: sh`hostname ${hostname}`,
        unless: sh`test "$(hostname)" = ${hostname}`,
      }),
      template({
        path: '/etc/hosts',
        rendered: render('hosts.ejs', { hostname, nodes, domain: vars.base_hosts_domain }),
        mode: '0644',
      }),
      ...(vars.base_packages.length ? [packages({ names: vars.base_packages })] : []),
    ]
  },
})
