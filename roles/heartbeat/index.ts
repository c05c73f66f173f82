// heartbeat (v1, haresources): an active/passive pair. ha.cf from variables with the
// ucast peer computed per node, authkeys signed with sha1 and a secret from .env (crc —
// no authentication at all, as the seeds use — only when asked, with a warning), and
// haresources from a typed resource list. Services heartbeat starts are kept off at
// boot, so only the active node runs them.
import { addressOf, command, defineRole, packages, secret, service, sh, type Task, template, z } from '../../src/sdk.ts'

const Resource = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('IPaddr2'),
    address: z.ipv4(),
    prefix: z.number().int().min(1).max(32),
    interface: z.string(),
  }),
  /** The seeds' short form: a bare address heartbeat assigns with its IPaddr script. */
  z.object({ type: z.literal('IPaddr'), address: z.ipv4() }),
  z.object({ type: z.literal('drbddisk'), resource: z.string() }),
  z.object({
    type: z.literal('Filesystem'),
    device: z.string(),
    mountpoint: z.string().startsWith('/'),
    fstype: z.string(),
  }),
  z.object({ type: z.literal('service'), name: z.string() }),
])
export type HeartbeatResource = z.infer<typeof Resource>

export default defineRole({
  name: 'heartbeat',
  vars: z
    .object({
      /** The pair: `node` lines and ucast peers come from this group's hosts. */
      heartbeat_group: z.string().default('cluster'),
      heartbeat_interface: z.string().default('eth0'),
      heartbeat_keepalive: z.number().positive().default(2),
      heartbeat_deadtime: z.number().positive().default(30),
      heartbeat_warntime: z.number().positive().nullable().default(10),
      heartbeat_initdead: z.number().positive().nullable().default(120),
      heartbeat_udpport: z.number().int().default(694),
      heartbeat_debugfile: z.string().nullable().default('/var/log/ha-debug'),
      heartbeat_logfile: z.string().nullable().default('/var/log/ha-log'),
      heartbeat_logfacility: z.string().default('local0'),
      heartbeat_bcast: z.boolean().default(true),
      heartbeat_ucast: z.boolean().default(true),
      heartbeat_mcast: z
        .object({ group: z.ipv4(), port: z.number().int(), ttl: z.number().int(), loop: z.number().int() })
        .nullable()
        .default(null),
      heartbeat_auto_failback: z.boolean().default(true),
      heartbeat_auth_method: z.enum(['sha1', 'md5', 'crc']).default('sha1'),
      heartbeat_auth_secret: secret('hex', 24, z.string()).optional(),
      /** The node that holds the resources when both are up (first in haresources). */
      heartbeat_preferred_node: z.string(),
      heartbeat_resources: z.array(Resource).min(1),
      /**
       * verify: how long the peer may take to serve the VIP after heartbeat stopped cleanly on
       * the preferred node (null: deadtime + 15 s). The real-kernel lab sets more: its guests run
       * the resource scripts (drbddisk, Filesystem, IPaddr2, apache2) many times slower.
       */
      heartbeat_verify_takeover_seconds: z.number().int().positive().nullable().default(null),
      /** Roles that can only be configured on these hosts (a container lab: [drbd]). */
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
      ...services.map((s) => service({ name: s, enabled: false })),
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
      service({ name: 'heartbeat', state: 'started', enabled: true }),
    ]
    return tasks
  },
  handlers: () => ({ 'restart heartbeat': service({ name: 'heartbeat', state: 'restarted' }) }),
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
