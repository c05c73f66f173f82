// heartbeat (v1, haresources): an active/passive pair. ha.cf from variables with the
// ucast peer computed per node, authkeys signed with sha1 and a secret from .env (crc —
// no authentication at all, as the seeds use — only when asked, with a warning), and
// haresources from a typed resource list. Services heartbeat starts are kept off at
// boot, so only the active node runs them.
import { addressOf, command, defineRole, packages, secret, service, sh, type Task, template, z } from '../../src/sdk.ts'

const Resource = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('IPaddr2'),
    address: z.ipv4().describe('IPaddr2: the virtual address.'),
    prefix: z.number().int().min(1).max(32).describe('IPaddr2: its prefix length.'),
    interface: z.string().describe('IPaddr2: the interface it is added to.'),
  }),
  /** The seeds' short form: a bare address heartbeat assigns with its IPaddr script. */
  z.object({
    type: z.literal('IPaddr'),
    address: z.ipv4().describe("The seeds' short form: a bare address heartbeat assigns with its IPaddr script."),
  }),
  z.object({
    type: z.literal('drbddisk'),
    resource: z.string().describe('drbddisk: the DRBD resource made Primary on the active node.'),
  }),
  z.object({
    type: z.literal('Filesystem'),
    device: z.string().describe('Filesystem: the device mounted (/dev/drbd0).'),
    mountpoint: z.string().startsWith('/').describe('Filesystem: where it is mounted.'),
    fstype: z.string().describe('Filesystem: its type (ext4).'),
  }),
  z.object({
    type: z.literal('service'),
    name: z.string().describe('service: a unit heartbeat starts on the active node (apache2).'),
  }),
])
export type HeartbeatResource = z.infer<typeof Resource>

export default defineRole({
  name: 'heartbeat',
  vars: z
    .object({
      heartbeat_group: z
        .string()
        .default('cluster')
        .describe("The pair: `node` lines and ucast peers come from this group's hosts."),
      heartbeat_interface: z
        .string()
        .default('eth0')
        .describe("The interface of ucast (each peer's address on it) and bcast lines."),
      heartbeat_keepalive: z.number().positive().default(2).describe('keepalive: seconds between heartbeats.'),
      heartbeat_deadtime: z
        .number()
        .positive()
        .default(30)
        .describe('deadtime: seconds of silence before the peer is declared dead.'),
      heartbeat_warntime: z
        .number()
        .positive()
        .nullable()
        .default(10)
        .describe("warntime: seconds of silence before a late-heartbeat warning (null: heartbeat's default)."),
      heartbeat_initdead: z
        .number()
        .positive()
        .nullable()
        .default(120)
        .describe("initdead: deadtime at startup, while the network settles (null: heartbeat's default)."),
      heartbeat_udpport: z.number().int().default(694).describe('udpport of the heartbeats.'),
      heartbeat_restart_settle: z
        .number()
        .min(0)
        .default(30)
        .describe(
          'Seconds a restart (after a config change) waits between stop and start: the peer, told of the stop, ' +
            'takes over first. A node that rejoins during that takeover can leave the peer unable to stop ' +
            '("T_STARTING received during takeover", then "Shutdown delayed" for ever). 0: a plain restart.',
        ),
      heartbeat_debugfile: z.string().nullable().default('/var/log/ha-debug').describe('debugfile (null: none).'),
      heartbeat_logfile: z.string().nullable().default('/var/log/ha-log').describe('logfile (null: none).'),
      heartbeat_logfacility: z.string().default('local0').describe('logfacility (syslog).'),
      heartbeat_bcast: z.boolean().default(true).describe('Write a `bcast INTERFACE` line.'),
      heartbeat_ucast: z.boolean().default(true).describe('Write `ucast INTERFACE PEER` lines, one per peer.'),
      heartbeat_mcast: z
        .object({
          group: z.ipv4().describe('Multicast group (the seed: 225.0.0.1).'),
          port: z.number().int().describe('Its UDP port.'),
          ttl: z.number().int().describe('Its TTL.'),
          loop: z.number().int().describe("Loop (0: do not receive one's own packets)."),
        })
        .nullable()
        .default(null)
        .describe('An `mcast` line (seed 004); null: none.'),
      heartbeat_auto_failback: z
        .boolean()
        .default(true)
        .describe('auto_failback: the preferred node takes the resources back when it returns.'),
      heartbeat_auth_method: z
        .enum(['sha1', 'md5', 'crc'])
        .default('sha1')
        .describe(
          'authkeys method: sha1 (default), md5, or crc (no authentication, as the seeds; warned on the recap).',
        ),
      heartbeat_auth_secret: secret('hex', 24, z.string())
        .optional()
        .describe('authkeys secret for sha1/md5, from .env ("${HEARTBEAT_SECRET}").'),
      heartbeat_preferred_node: z
        .string()
        .describe('The node that holds the resources when both are up (first in haresources).'),
      heartbeat_resources: z
        .array(Resource)
        .min(1)
        .describe('haresources, in order: what the active node holds (VIP, DRBD disk, filesystem, services).'),
      heartbeat_verify_takeover_seconds: z
        .number()
        .int()
        .positive()
        .nullable()
        .default(null)
        .describe(
          'verify: how long the peer may take to serve the VIP after heartbeat stopped cleanly on the ' +
            'preferred node (null: deadtime + 15 s). The real-kernel lab sets more: its guests run the ' +
            'resource scripts (drbddisk, Filesystem, IPaddr2, apache2) many times slower.',
        ),
    })
    .refine((v) => v.heartbeat_auth_method === 'crc' || !!v.heartbeat_auth_secret, {
      path: ['heartbeat_auth_secret'],
      message:
        'sha1/md5 authentication needs a secret: set heartbeat_auth_secret: ' +
        '"${HEARTBEAT_SECRET}" and HEARTBEAT_SECRET in .env',
    }),
  tasks: ({ vars, hostsOf, configurationOnly, host, render, note }) => {
    const peers = hostsOf(vars.heartbeat_group)
    if (!peers.some((p) => p.name === host.name))
      throw new Error(`${host.name} is not in heartbeat_group "${vars.heartbeat_group}"`)
    if (!peers.some((p) => p.name === vars.heartbeat_preferred_node))
      throw new Error(
        `heartbeat_preferred_node "${vars.heartbeat_preferred_node}" is not a host of group "${vars.heartbeat_group}"`,
      )
    const ucast = vars.heartbeat_ucast
      ? peers.filter((p) => p.name !== host.name).map((p) => addressOf(p, { interface: vars.heartbeat_interface }))
      : []

    let resources = vars.heartbeat_resources
    if (configurationOnly('drbd') && resources.some((r) => r.type === 'drbddisk' || r.type === 'Filesystem')) {
      resources = resources.filter((r) => r.type !== 'drbddisk' && r.type !== 'Filesystem')
      note('heartbeat: drbddisk and Filesystem left out of haresources (drbd is configuration only on this host)')
    }
    if (vars.heartbeat_auth_method === 'crc')
      note(
        'heartbeat: WARNING authkeys uses crc — no authentication; ' +
          'any host on the network can join or forge the cluster',
      )
    const services = resources.flatMap((r) => (r.type === 'service' ? [r.name] : []))

    const tasks: Task[] = [
      packages({ names: ['heartbeat'] }),
      template({
        path: '/etc/ha.d/ha.cf',
        rendered: render('ha.cf.ejs', { nodes: peers.map((p) => p.name), ucast }),
        mode: '0644',
        notify: ['restart heartbeat'],
      }),
      template({
        path: '/etc/ha.d/authkeys',
        rendered: render('authkeys.ejs'),
        mode: '0600',
        owner: 'root',
        group: 'root',
        sensitive: true,
        notify: ['restart heartbeat'],
      }),
      template({
        path: '/etc/ha.d/haresources',
        rendered: render('haresources.ejs', { line: haresourcesLine(vars.heartbeat_preferred_node, resources) }),
        mode: '0644',
        notify: ['restart heartbeat'],
      }),
      ...services.map((s) => service({ service: s, enabled: false })),
      // Before heartbeat first runs, stop what it will manage: package installs start
      // services everywhere, and the passive node must not keep them.
      ...(services.length
        ? [
            command({
              name: `stop ${services.join(', ')} until heartbeat owns them`,
              command: services.map((s) => sh`service ${s} stop`).join(' && '),
              unless: 'pidof heartbeat >/dev/null',
            }),
          ]
        : []),
      service({ service: 'heartbeat', state: 'started', enabled: true }),
    ]
    return tasks
  },
  handlers: ({ vars }) => ({
    'restart heartbeat': service({
      service: 'heartbeat',
      state: 'restarted',
      settle: vars.heartbeat_restart_settle,
      name: 'service heartbeat restarted',
    }),
  }),
})

/** `nodo1 IPaddr2::192.168.0.29/24/eth0 drbddisk::r0 Filesystem::/dev/drbd0::/srv/data::ext4 apache2` */
export function haresourcesLine(node: string, resources: HeartbeatResource[]): string {
  const words = resources.map((r) => {
    switch (r.type) {
      case 'IPaddr2':
        return `IPaddr2::${r.address}/${r.prefix}/${r.interface}`
      case 'IPaddr':
        return r.address
      case 'drbddisk':
        return `drbddisk::${r.resource}`
      case 'Filesystem':
        return `Filesystem::${r.device}::${r.mountpoint}::${r.fstype}`
      case 'service':
        return r.name
    }
  })
  return [node, ...words].join(' ')
}
