// ldirectord: the LVS table and its health checks (seed 002), from variables: the global
// directives, then one virtual service per entry with the real servers of an inventory
// group (their address on the real servers' network), the fallback, scheduler and checks.
// Pacemaker starts and moves ldirectord with the VIPs, so the role installs and configures
// it and makes sure neither ldirectord nor ipvsadm starts at boot outside Pacemaker; it
// never starts or stops it itself (that would fight the cluster manager). ldirectord has
// no configuration check of its own; with autoreload=yes the running one picks changes up.
import { addressOf, defineRole, packages, service, template, z } from '../../src/sdk.ts'

const Virtual = z.object({
  virtual: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+:\d+$/, 'must be ADDRESS:PORT')
    .describe('ADDRESS:PORT of the virtual service (the external VIP).'),
  real_group: z.string().describe('Real servers: the hosts of this group at their address on real_network.'),
  real_network: z
    .string()
    .optional()
    .describe("CIDR of the network the directors reach the real servers on (default: each host's ansible_host)."),
  real_port: z.number().int().min(1).max(65535).describe("The real servers' port."),
  forwarding: z.enum(['masq', 'gate', 'ipip']).default('masq').describe('masq (LVS-NAT, the seed), gate (DR) or ipip.'),
  weight: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Weight of every real server (host var ldirectord_weight wins); unset: ldirectord's default 1."),
  fallback: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+:\d+$/)
    .optional()
    .describe('ADDRESS:PORT served when every real server is down (the seed: 127.0.0.1:80).'),
  service: z.string().default('http').describe('Service the health check speaks (http).'),
  scheduler: z
    .string()
    .regex(/^[a-z]+$/)
    .default('rr')
    .describe('The IPVS scheduler (rr in the seed).'),
  protocol: z.enum(['tcp', 'udp', 'fwm']).default('tcp').describe('tcp, udp or fwm (firewall mark).'),
  checktype: z
    .enum(['connect', 'negotiate', 'ping', 'off', 'on'])
    .default('connect')
    .describe('How real servers are checked: connect (the seed), negotiate (request/receive), ping, off, on.'),
  request: z.string().optional().describe('negotiate: the page requested.'),
  receive: z.string().optional().describe('negotiate: text the answer must contain.'),
})

export default defineRole({
  name: 'ldirectord',
  kernel: ['ip_vs'],
  vars: z.object({
    ldirectord_config: z
      .string()
      .startsWith('/')
      .default('/etc/ha.d/ldirectord.cf')
      .describe("ldirectord's configuration file."),
    ldirectord_checktimeout: z.number().int().positive().default(3).describe('Seconds a check may take.'),
    ldirectord_checkinterval: z.number().int().positive().default(10).describe('Seconds between checks.'),
    ldirectord_autoreload: z.boolean().default(true).describe('Reread the configuration file when it changes.'),
    ldirectord_quiescent: z
      .boolean()
      .default(true)
      .describe('A failed real server keeps its entry with weight 0 instead of being removed.'),
    ldirectord_virtuals: z.array(Virtual).min(1).describe('The virtual services ldirectord programs into IPVS.'),
  }),
  tasks: ({ vars, hostsOf, render }) => {
    const virtuals = vars.ldirectord_virtuals.map((v) => {
      const reals = hostsOf(v.real_group).map((h) => addressOf(h, { network: v.real_network }))
      if (!reals.length) throw new Error(`ldirectord virtual ${v.virtual}: group "${v.real_group}" has no hosts`)
      return { ...v, reals }
    })
    return [
      packages({ names: ['ldirectord', 'ipvsadm'] }),
      template({ path: vars.ldirectord_config, rendered: render('ldirectord.cf.ejs', { virtuals }), mode: '0644' }),
      // Pacemaker owns them: not at boot, and never started or stopped here.
      service({ service: 'ldirectord', enabled: false }),
      service({ service: 'ipvsadm', enabled: false }),
    ]
  },
})
