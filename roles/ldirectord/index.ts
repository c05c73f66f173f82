// ldirectord: the LVS table and its health checks (seed 002), from variables: the global
// directives, then one virtual service per entry with the real servers of an inventory
// group (their address on the real servers' network), the fallback, scheduler and checks.
// Pacemaker starts and moves ldirectord with the VIPs, so the role installs and configures
// it and makes sure neither ldirectord nor ipvsadm starts at boot outside Pacemaker; it
// never starts or stops it itself (that would fight the cluster manager). ldirectord has
// no configuration check of its own; with autoreload=yes the running one picks changes up.
import { addressOf, defineRole, packages, service, template, z } from '../../src/sdk.ts'

const Virtual = z.object({
  /** ADDRESS:PORT of the virtual service (the external VIP). */
  virtual: z.string().regex(/^\d+\.\d+\.\d+\.\d+:\d+$/, 'must be ADDRESS:PORT'),
  /** Real servers: the hosts of this group at their address on real_network. */
  real_group: z.string(),
  real_network: z.string().optional(),
  real_port: z.number().int().min(1).max(65535),
  /** masq (LVS-NAT, the seed), gate (DR) or ipip. */
  forwarding: z.enum(['masq', 'gate', 'ipip']).default('masq'),
  weight: z.number().int().min(0).optional(),
  fallback: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+:\d+$/)
    .optional(),
  service: z.string().default('http'),
  scheduler: z
    .string()
    .regex(/^[a-z]+$/)
    .default('rr'),
  protocol: z.enum(['tcp', 'udp', 'fwm']).default('tcp'),
  checktype: z.enum(['connect', 'negotiate', 'ping', 'off', 'on']).default('connect'),
  request: z.string().optional(),
  receive: z.string().optional(),
})

export default defineRole({
  name: 'ldirectord',
  kernel: ['ip_vs'],
  vars: z.object({
    ldirectord_config: z.string().startsWith('/').default('/etc/ha.d/ldirectord.cf'),
    ldirectord_checktimeout: z.number().int().positive().default(3),
    ldirectord_checkinterval: z.number().int().positive().default(10),
    ldirectord_autoreload: z.boolean().default(true),
    ldirectord_quiescent: z.boolean().default(true),
    ldirectord_virtuals: z.array(Virtual).min(1),
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
      service({ name: 'ldirectord', enabled: false }),
      service({ name: 'ipvsadm', enabled: false }),
    ]
  },
})
