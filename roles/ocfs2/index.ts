// ocfs2: an OCFS2 cluster filesystem on a shared device (a dual-primary DRBD resource, seed
// 001): ocfs2-tools, /etc/ocfs2/cluster.conf generated from the inventory (node names are
// the hostnames, addresses on the cluster network), /etc/default/o2cb from variables, the
// o2cb service online; the filesystem made once by one node (only when blkid finds nothing
// on the device), then mounted on every node with its fstab line, ordered at boot after
// o2cb and the DRBD resource's ready unit. Without the ocfs2 kernel module the role fails
// before changing anything — or, marked configuration only (a container lab), it writes
// the configuration, formats and mounts nothing, and says so on the recap.
import {
  addressOf,
  daemonReload,
  defineRole,
  directory,
  mount,
  mountUnitName,
  packages,
  requireKernel,
  service,
  type Task,
  template,
  z,
} from '../../src/sdk.ts'
import { formatTask } from './format.ts'

const Vars = z.object({
  ocfs2_cluster_name: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,16}$/, 'letters, digits and "_", at most 16 characters (O2CB)')
    .describe("The O2CB cluster's name (cluster.conf, O2CB_BOOTCLUSTER, mkfs.ocfs2 --cluster-name)."),
  ocfs2_group: z
    .string()
    .default('ocfs2')
    .describe(
      'The inventory group whose hosts form the cluster, numbered in group order (host var ' +
        'ocfs2_node_number wins).',
    ),
  ocfs2_interface: z
    .string()
    .optional()
    .describe("Where each node's cluster address is: an interface name or a network (CIDR)."),
  ocfs2_network: z
    .cidrv4()
    .optional()
    .describe("Network (CIDR) where each node's cluster address is, when ocfs2_interface is not given."),
  ocfs2_port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(7777)
    .describe('TCP port of the o2net cluster traffic (7777 in the seed).'),
  ocfs2_heartbeat_threshold: z
    .number()
    .int()
    .positive()
    .default(31)
    .describe("/etc/default/o2cb (the seed text's values)."),
  ocfs2_idle_timeout_ms: z
    .number()
    .int()
    .positive()
    .default(20000)
    .describe('/etc/default/o2cb O2CB_IDLE_TIMEOUT_MS: how long a silent peer is still alive (ms).'),
  ocfs2_keepalive_delay_ms: z
    .number()
    .int()
    .positive()
    .default(2000)
    .describe('/etc/default/o2cb O2CB_KEEPALIVE_DELAY_MS: the interval between keepalive packets (ms).'),
  ocfs2_reconnect_delay_ms: z
    .number()
    .int()
    .positive()
    .default(2000)
    .describe('/etc/default/o2cb O2CB_RECONNECT_DELAY_MS: the wait before reconnecting to a peer (ms).'),
  ocfs2_device: z
    .string()
    .startsWith('/dev/')
    .describe('The shared device, where it is mounted, and how (fstab; `_netdev`: after the network).'),
  ocfs2_mountpoint: z
    .string()
    .startsWith('/')
    .describe('Where the filesystem is mounted on every node (/opt in the seed).'),
  ocfs2_mount_options: z
    .string()
    .regex(/^\S+$/)
    .default('rw,_netdev,heartbeat=local')
    .describe('fstab options (heartbeat=local: the o2cb disk heartbeat; _netdev: after the network).'),
  ocfs2_format_node: z
    .string()
    .describe('The one node that makes the filesystem when blkid finds nothing on the device.'),
  ocfs2_slots: z
    .number()
    .int()
    .min(1)
    .max(255)
    .optional()
    .describe('Node slots (mkfs.ocfs2 -N); default: the number of nodes.'),
  ocfs2_label: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,63}$/)
    .optional()
    .describe('Filesystem label given by mkfs.ocfs2 -L.'),
  ocfs2_format_wait: z
    .number()
    .int()
    .positive()
    .default(120)
    .describe("How long the other nodes wait for the format node's filesystem (seconds)."),
  ocfs2_drbd_resource: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .describe('The dual-primary DRBD resource under the device: the mount waits for its ready unit at boot.'),
})

export default defineRole({
  name: 'ocfs2',
  kernel: ['ocfs2'],
  vars: Vars,
  tasks: ({ vars, hostsOf, configurationOnly, host, render }) => {
    const configOnly = configurationOnly('ocfs2')
    const members = hostsOf(vars.ocfs2_group)
    if (!members.some((h) => h.name === host.name))
      throw new Error(
        `${host.name} is not in group "${vars.ocfs2_group}" (ocfs2_group): ` +
          `it is not a node of cluster ${vars.ocfs2_cluster_name}`,
      )
    if (!members.some((h) => h.name === vars.ocfs2_format_node))
      throw new Error(
        `ocfs2_format_node "${vars.ocfs2_format_node}" is not in group ` +
          `"${vars.ocfs2_group}" (${members.map((h) => h.name).join(', ')})`,
      )
    const nodes = members.map((h, i) => ({
      name: h.name,
      number: typeof h.vars.ocfs2_node_number === 'number' ? h.vars.ocfs2_node_number : i,
      address: addressOf(h, { interface: vars.ocfs2_interface, network: vars.ocfs2_network }),
    }))
    const numbers = nodes.map((n) => n.number)
    if (new Set(numbers).size !== numbers.length)
      throw new Error(
        `ocfs2 nodes share a number (${nodes.map((n) => `${n.name}=${n.number}`).join(', ')}): ` +
          `set distinct ocfs2_node_number host vars`,
      )

    const tasks: Task[] = [
      requireKernel({ role: 'ocfs2', modules: ['ocfs2', 'configfs'], configurationOnly: configOnly }),
      packages({ names: ['ocfs2-tools'] }),
      // A changed cluster.conf reaches a running cluster only through an o2cb restart with
      // the volume unmounted everywhere; halab does not unmount a live cluster filesystem.
      template({ path: '/etc/ocfs2/cluster.conf', rendered: render('cluster.conf.ejs', { nodes }), mode: '0644' }),
      template({ path: '/etc/default/o2cb', rendered: render('o2cb.ejs'), mode: '0644' }),
    ]
    if (configOnly) return tasks

    const drbdUnit = vars.ocfs2_drbd_resource ? `halab-drbd-${vars.ocfs2_drbd_resource}.service` : null
    const mountUnit = mountUnitName(vars.ocfs2_mountpoint)
    tasks.push(
      service({ service: 'o2cb', state: 'started', enabled: true }),
      formatTask(
        {
          device: vars.ocfs2_device,
          cluster: vars.ocfs2_cluster_name,
          slots: vars.ocfs2_slots ?? nodes.length,
          label: vars.ocfs2_label,
          formatNode: vars.ocfs2_format_node,
          waitSeconds: vars.ocfs2_format_wait,
        },
        host.name,
      ),
      directory({ path: `/etc/systemd/system/${mountUnit}.d`, mode: '0755' }),
      template({
        path: `/etc/systemd/system/${mountUnit}.d/halab-ocfs2.conf`,
        rendered: render('mount-order.conf.ejs', { drbdUnit }),
        mode: '0644',
      }),
      mount({ src: vars.ocfs2_device, path: vars.ocfs2_mountpoint, fstype: 'ocfs2', opts: vars.ocfs2_mount_options }),
      // After the fstab line: systemd makes the mount unit from it.
      daemonReload([mountUnit]),
    )
    return tasks
  },
})
