// lvs-nat: both ends of LVS-NAT (seed 002). Directors forward (ip_forward=1) and
// masquerade what leaves by the external interface; real servers route their replies
// through the directors' internal VIP (their default gateway), so the director that holds
// the VIPs rewrites them back. Both through small systemd units, so they hold at boot
// without ifupdown or an iptables-persistent file.
import { daemonReload, defineRole, packages, service, sysctl, type Task, template, z } from '../../src/sdk.ts'

const Vars = z.object({
  lvs_nat_directors_group: z
    .string()
    .default('nat_directors')
    .describe(
      'Hosts of this group are the LVS-NAT directors: IP forwarding on, MASQUERADE out of the external interface.',
    ),
  lvs_nat_realservers_group: z
    .string()
    .default('nat_realservers')
    .describe('Hosts of this group are the real servers: their default route goes through lvs_nat_gateway.'),
  lvs_nat_external_interface: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .describe("The directors' external interface: masqueraded (the seed's MASQUERADE out of ens3)."),
  lvs_nat_gateway: z.ipv4().describe("The real servers' default gateway: the directors' internal VIP."),
  lvs_nat_iptables: z
    .enum(['iptables', 'iptables-legacy', 'iptables-nft'])
    .default('iptables')
    .describe(
      "iptables (the distribution's choice: nftables underneath on Debian 12) or iptables-legacy, " +
        "for kernels without nft's NAT chains (the UML lab's 6.1).",
    ),
  lvs_nat_sysctl_file: z
    .string()
    .startsWith('/')
    .default('/etc/sysctl.d/60-halab-lvs-nat.conf')
    .describe('The sysctl file that turns IP forwarding on, on the directors.'),
})

const unitTasks = (unit: string, rendered: string): Task[] => [
  template({ path: `/etc/systemd/system/${unit}.service`, rendered, mode: '0644', notify: [`restart ${unit}`] }),
  daemonReload([`${unit}.service`]),
  service({ service: unit, state: 'started', enabled: true }),
]

export default defineRole({
  name: 'lvs-nat',
  vars: Vars,
  tasks: ({ vars, host, render }) => {
    const director = host.groups.includes(vars.lvs_nat_directors_group)
    const realServer = host.groups.includes(vars.lvs_nat_realservers_group)
    if (director === realServer)
      throw new Error(
        `${host.name} must be in exactly one of "${vars.lvs_nat_directors_group}" and ` +
          `"${vars.lvs_nat_realservers_group}" (it is in ${director ? 'both' : 'neither'})`,
      )
    if (realServer) return unitTasks('halab-lvs-nat-gateway', render('halab-lvs-nat-gateway.service.ejs'))
    return [
      packages({ names: ['iptables'] }),
      sysctl({ key: 'net.ipv4.ip_forward', value: 1, file: vars.lvs_nat_sysctl_file }),
      ...unitTasks('halab-lvs-nat-masquerade', render('halab-lvs-nat-masquerade.service.ejs')),
    ]
  },
  handlers: () => ({
    'restart halab-lvs-nat-gateway': service({ service: 'halab-lvs-nat-gateway', state: 'restarted' }),
    'restart halab-lvs-nat-masquerade': service({ service: 'halab-lvs-nat-masquerade', state: 'restarted' }),
  }),
})
