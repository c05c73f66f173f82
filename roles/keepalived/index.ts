// keepalived: the directors' VRRP pair and the LVS virtual servers (seed 001), one
// keepalived.conf from typed variables, checked by `keepalived -t -f` before it goes live.
// Per-director values (router id, state, priority) are host vars; the real servers are
// computed from an inventory group unless given as data. keepalived 2.x no longer reads
// the seed's `lvs_id` nor `lvs_sync_daemon_interface` inside a vrrp_instance (`-t`
// rejects both): they are written as `router_id` and a global `lvs_sync_daemon`.
//
// Where the kernel has no ip_vs, keepalived with a virtual_server block (or an LVS sync
// daemon) exits fatally and takes VRRP down with it. The role then fails before changing
// anything — or, when the inventory marks lvs configuration only (a container lab), runs
// VRRP alone and keeps the complete configuration, also checked, in keepalived.conf.full.
import {
  command,
  defineRole,
  inNetwork,
  interfacesOf,
  type Inventory,
  type InventoryHost,
  packages,
  requireKernel,
  secret,
  service,
  type Task,
  template,
  z,
} from '../../src/sdk.ts'

const CONF = '/etc/keepalived/keepalived.conf'
const FULL = `${CONF}.full`
const VALIDATE = 'keepalived -t -f %s'

const Port = z.number().int().min(1).max(65535)
const Name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" or "-" only')

const TcpCheck = z.object({
  connect_port: Port.optional().describe("Default: the real server's port."),
  connect_timeout: z
    .number()
    .int()
    .positive()
    .default(3)
    .describe('Seconds the TCP connection to the real server may take before it counts as down.'),
})

const RealServer = z.object({
  ip: z.ipv4().describe("The real server's address."),
  port: Port.describe("The real server's port."),
  weight: z
    .number()
    .int()
    .min(0)
    .default(1)
    .describe('Its weight in weighted schedulers (wrr, wlc); 0 takes it out of rotation.'),
  tcp_check: TcpCheck.nullable()
    .optional()
    .describe(
      "null: no health check (the real server always counts as up). Default: the virtual server's " + 'tcp_check.',
    ),
})

const VirtualServer = z.object({
  ip: z.ipv4().describe('The virtual address clients connect to (the VIP).'),
  port: Port.describe("The virtual service's port (80 in the seeds)."),
  delay_loop: z.number().int().positive().default(6).describe('Seconds between health checks of the real servers.'),
  lb_algo: z
    .enum(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'])
    .default('wrr')
    .describe('The IPVS scheduler (the seed: wrr, weighted round robin).'),
  lb_kind: z
    .enum(['NAT', 'DR', 'TUN'])
    .default('DR')
    .describe('How requests reach the real servers: DR (direct routing, the seed), NAT or TUN.'),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP').describe('The transport protocol of the virtual service.'),
  persistence_timeout: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Seconds a client keeps going to the same real server; unset: no persistence.'),
  sorry_server: z
    .object({ ip: z.ipv4().describe("The sorry server's address."), port: Port.describe("The sorry server's port.") })
    .nullable()
    .default(null)
    .describe('Where requests go when every real server is down.'),
  real_servers: z
    .array(RealServer)
    .min(1)
    .optional()
    .describe('Explicit real servers; when absent they are computed from keepalived_real_servers_group.'),
  real_server_port: Port.optional().describe(
    'Computed real servers: their port (default: this port), weight (host var ' +
      'keepalived_real_server_weight wins).',
  ),
  real_server_weight: z
    .number()
    .int()
    .min(0)
    .default(1)
    .describe('Weight of each computed real server (host var keepalived_real_server_weight wins).'),
  tcp_check: TcpCheck.nullable()
    .default({ connect_timeout: 3 })
    .describe('The health check of every real server that does not set its own; null: none.'),
})

const VrrpInstance = z.object({
  name: Name.default('VI_1').describe("The VRRP instance's name (VI_1 in the seed)."),
  state: z.enum(['MASTER', 'BACKUP']).optional().describe('Default: the host var keepalived_state.'),
  interface: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .describe('The interface VRRP advertises on and the VIPs are added to.'),
  lvs_sync_daemon_interface: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .optional()
    .describe('Interface of the IPVS connection-sync daemon bound to this instance (keepalived allows one).'),
  virtual_router_id: z
    .number()
    .int()
    .min(1)
    .max(255)
    .describe('The VRRP router id (1–255): the same on every director of this instance (51 in the seed).'),
  priority: z.number().int().min(1).max(255).optional().describe('Default: the host var keepalived_priority.'),
  advert_int: z
    .number()
    .int()
    .min(1)
    .max(255)
    .optional()
    .describe('Whole seconds (VRRPv2). Default: the host var keepalived_advert_int.'),
  smtp_alert: z
    .boolean()
    .default(false)
    .describe('Send an e-mail (keepalived_notification_email) when this instance changes state.'),
  auth_type: z.enum(['PASS', 'AH']).default('PASS').describe('VRRP authentication type (PASS in the seed).'),
  auth_pass: secret(
    'alnum',
    8,
    z
      .string()
      .max(
        8,
        'VRRP PASS authentication carries at most 8 characters (keepalived would silently cut it): ' +
          'choose a shorter KEEPALIVED_AUTH_PASS',
      )
      .regex(
        /^[^\s#!"'\\{}]+$/,
        'must be a single word without #, !, quotes, backslashes or braces (keepalived.conf syntax)',
      ),
  )
    .nullable()
    .default(null)
    .describe('From .env: auth_pass: "${KEEPALIVED_AUTH_PASS}". null: no authentication block.'),
  virtual_ipaddress: z
    .array(z.union([z.ipv4(), z.cidrv4()]))
    .min(1)
    .describe('Addresses VRRP moves: `10.0.0.4` (a /32) or `10.0.0.4/24`.'),
})

const Vars = z
  .object({
    keepalived_router_id: Name.optional().describe(
      "This director's name in alerts and logs (the seed's `lvs_id`: LVS1, LVS2).",
    ),
    keepalived_state: z
      .enum(['MASTER', 'BACKUP'])
      .optional()
      .describe("This director's initial VRRP state: MASTER on one, BACKUP on the other (host var)."),
    keepalived_priority: z
      .number()
      .int()
      .min(1)
      .max(255)
      .optional()
      .describe("This director's VRRP priority: the highest holds the VIP (the seed: 150 and 100; host var)."),
    keepalived_advert_int: z
      .number()
      .int()
      .min(1)
      .max(255)
      .default(1)
      .describe(
        "Seconds between VRRP adverts; the same on every director (the seed's 1 and 3 would make both MASTER).",
      ),
    keepalived_group: z
      .string()
      .default('directors')
      .describe('The directors: every instance must agree on advert_int across them.'),
    keepalived_notification_email: z
      .array(z.string().regex(/^[^\s@]+@[^\s@]+$/))
      .default([])
      .describe('Addresses keepalived mails on state changes (global_defs notification_email).'),
    keepalived_notification_email_from: z
      .string()
      .regex(/^[^\s@]+@[^\s@]+$/)
      .optional()
      .describe('Sender of those mails.'),
    keepalived_smtp_server: z
      .string()
      .regex(/^[A-Za-z0-9.:-]+$/)
      .optional()
      .describe('SMTP server that sends those mails.'),
    keepalived_vrrp_instances: z
      .array(VrrpInstance)
      .min(1)
      .describe('The VRRP instances: which addresses move between the directors.'),
    keepalived_virtual_servers: z
      .array(VirtualServer)
      .default([])
      .describe('The LVS virtual services keepalived programs into IPVS, with their real servers and health checks.'),
    keepalived_real_servers_group: z
      .string()
      .default('realservers')
      .describe('Computed real servers: the hosts of this group, at their address in this network (CIDR).'),
    keepalived_real_servers_network: z
      .cidrv4()
      .optional()
      .describe("CIDR of the network the directors reach the real servers on (default: each host's ansible_host)."),
  })
  .superRefine((v, ctx) => {
    const names = v.keepalived_vrrp_instances.map((i) => i.name)
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['keepalived_vrrp_instances', i, 'name'],
          message: `vrrp_instance ${n} is defined twice`,
        })
    })
    const syncd = v.keepalived_vrrp_instances.flatMap((inst, i) => (inst.lvs_sync_daemon_interface ? [i] : []))
    for (const i of syncd.slice(1))
      ctx.addIssue({
        code: 'custom',
        path: ['keepalived_vrrp_instances', i, 'lvs_sync_daemon_interface'],
        message: 'keepalived runs one LVS sync daemon: set lvs_sync_daemon_interface on one instance only',
      })
    for (const inst of v.keepalived_vrrp_instances) {
      if (!inst.state && !v.keepalived_state)
        ctx.addIssue({
          code: 'custom',
          path: ['keepalived_state'],
          message:
            `vrrp_instance ${inst.name} has no state: ` +
            `set keepalived_state (MASTER or BACKUP) in this director's host_vars`,
        })
      if (!inst.priority && !v.keepalived_priority)
        ctx.addIssue({
          code: 'custom',
          path: ['keepalived_priority'],
          message:
            `vrrp_instance ${inst.name} has no priority: ` +
            `set keepalived_priority in this director's host_vars (the MASTER's highest)`,
        })
    }
  })
type KeepalivedVars = z.output<typeof Vars>

export default defineRole({
  name: 'keepalived',
  // IPVS for virtual servers and the connection-sync daemon; VRRP alone needs none.
  kernel: (vars) =>
    vars.keepalived_virtual_servers.length || vars.keepalived_vrrp_instances.some((i) => i.lvs_sync_daemon_interface)
      ? ['ip_vs']
      : [],
  vars: Vars,
  tasks: ({ vars, configurationOnly, host, inventory, render, note }) => {
    const instances = effectiveInstances(vars)
    checkPeers(host, inventory, instances, vars.keepalived_group)
    const virtualServers = vars.keepalived_virtual_servers.map((vs) => ({
      ...vs,
      real_servers: realServers(vs, vars, inventory),
    }))
    const syncDaemon = instances.find((i) => i.lvs_sync_daemon_interface)
    const needsIpvs = virtualServers.length > 0 || !!syncDaemon
    const vrrpOnly = needsIpvs && configurationOnly('lvs')
    const conf = (full: boolean) =>
      render('keepalived.conf.ejs', {
        routerId: vars.keepalived_router_id ?? null,
        emailFrom: vars.keepalived_notification_email_from ?? null,
        smtpServer: vars.keepalived_smtp_server ?? null,
        instances,
        virtualServers: full ? virtualServers : [],
        syncDaemon: full ? syncDaemon : null,
        vrrpOnly: !full,
      })

    const tasks: Task[] = []
    if (needsIpvs && !vrrpOnly) tasks.push(requireKernel({ role: 'lvs', modules: ['ip_vs'], configurationOnly: false }))
    tasks.push(packages({ names: ['keepalived'] }))
    if (vrrpOnly) {
      note('keepalived: VRRP only (kernel lacks ip_vs): virtual_server blocks kept in keepalived.conf.full')
      tasks.push(template({ path: FULL, rendered: conf(true), mode: '0600', sensitive: true, validate: VALIDATE }))
    } else {
      tasks.push(command({ name: `no stale ${FULL}`, command: `rm -f ${FULL}`, removes: FULL }))
    }
    tasks.push(
      template({
        path: CONF,
        rendered: conf(!vrrpOnly),
        mode: '0600',
        // It holds auth_pass: --diff says that it changed, never the host's old content.
        sensitive: true,
        validate: VALIDATE,
        notify: ['reload keepalived'],
      }),
      service({ service: 'keepalived', state: 'started', enabled: true }),
    )
    return tasks
  },
  handlers: () => ({ 'reload keepalived': service({ service: 'keepalived', state: 'reloaded' }) }),
})

export type EffectiveInstance = z.output<typeof VrrpInstance> & {
  state: 'MASTER' | 'BACKUP'
  priority: number
  advert_int: number
}

/** Each instance with its per-director values filled in from the host vars. */
export function effectiveInstances(vars: KeepalivedVars): EffectiveInstance[] {
  return vars.keepalived_vrrp_instances.map((i) => ({
    ...i,
    state: i.state ?? vars.keepalived_state!,
    priority: i.priority ?? vars.keepalived_priority!,
    advert_int: i.advert_int ?? vars.keepalived_advert_int,
  }))
}

/**
 * VRRPv2 drops every advert whose interval differs from its own ("advertisement interval
 * mismatch", keepalived vrrp.c): directors that disagree never hear each other, each
 * becomes MASTER and both hold the VIP. The seed's advert_int 1 (MASTER) / 3 (BACKUP) is
 * exactly that, so a disagreement is an input error, reported on each director that
 * differs from the instance's MASTER (its highest priority).
 */
function checkPeers(host: InventoryHost, inventory: Inventory, mine: EffectiveInstance[], group: string): void {
  const peers = [...inventory.hosts.values()]
    .filter((h) => h.groups.includes(group) && h.name !== host.name)
    .flatMap((h) => {
      const parsed = Vars.safeParse(h.vars)
      // A peer whose variables do not parse: its own problems are reported on that host.
      return parsed.success ? [{ name: h.name, instances: effectiveInstances(parsed.data) }] : []
    })
  for (const inst of mine) {
    const others = peers.flatMap((p) =>
      p.instances.filter((i) => i.name === inst.name).map((i) => ({ host: p.name, ...i })),
    )
    const master = others.reduce<(typeof others)[number] | undefined>(
      (best, o) => (!best || o.priority > best.priority ? o : best),
      undefined,
    )
    if (!master || master.priority <= inst.priority) continue
    if (master.advert_int !== inst.advert_int)
      throw new Error(
        `vrrp_instance ${inst.name} has ` +
          `advert_int ${inst.advert_int} on ${host.name} but ${master.advert_int} on ${master.host}: ` +
          `VRRPv2 drops adverts with another interval, ` +
          `so both directors would become MASTER and hold the VIP. ` +
          `Use one keepalived_advert_int for the group "${group}"`,
      )
    if (master.virtual_router_id !== inst.virtual_router_id)
      throw new Error(
        `vrrp_instance ${inst.name} has virtual_router_id ${inst.virtual_router_id} on ${host.name} ` +
          `but ${master.virtual_router_id} on ${master.host}: the directors of one instance share its router id`,
      )
  }
}

export interface RenderedRealServer {
  ip: string
  port: number
  weight: number
  host?: string
  tcp_check: { connect_port: number; connect_timeout: number } | null
}

/** The explicit list, or the hosts of the real-servers group at their address in the network. */
export function realServers(
  vs: z.output<typeof VirtualServer>,
  vars: KeepalivedVars,
  inventory: Inventory,
): RenderedRealServer[] {
  const check = (port: number, own: z.output<typeof TcpCheck> | null | undefined) => {
    const c = own === undefined ? vs.tcp_check : own
    return c ? { connect_port: c.connect_port ?? port, connect_timeout: c.connect_timeout } : null
  }
  if (vs.real_servers)
    return vs.real_servers.map((r) => ({
      ip: r.ip,
      port: r.port,
      weight: r.weight,
      tcp_check: check(r.port, r.tcp_check),
    }))

  const group = vars.keepalived_real_servers_group
  const port = vs.real_server_port ?? vs.port
  const hosts = [...inventory.hosts.values()].filter((h) => h.groups.includes(group))
  if (!hosts.length)
    throw new Error(
      `virtual_server ${vs.ip}:${vs.port} has no real_servers and ` +
        `group "${group}" (keepalived_real_servers_group) has no host`,
    )
  return hosts.map((h) => {
    const weight = h.vars.keepalived_real_server_weight ?? vs.real_server_weight
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0)
      throw new Error(`real server ${h.name}: keepalived_real_server_weight must be an integer ≥ 0`)
    return {
      ip: realServerAddress(h, vars.keepalived_real_servers_network),
      port,
      weight,
      host: h.name,
      tcp_check: check(port, undefined),
    }
  })
}

function realServerAddress(h: InventoryHost, network: string | undefined): string {
  if (!network) return String(h.vars.ansible_host ?? interfacesOf(h).find((i) => i.address)?.address ?? h.name)
  const found = interfacesOf(h).find((i) => i.address && inNetwork(i.address, network))
  if (!found)
    throw new Error(`real server ${h.name} has no interface address in ${network} (keepalived_real_servers_network)`)
  return found.address!
}
