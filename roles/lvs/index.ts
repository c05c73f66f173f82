// lvs: both ends of LVS direct routing (seed 001), chosen by the host's group.
// Directors: ipvsadm and /etc/default/ipvsadm as the seed sets it (keepalived owns the
// table), ip_vs loaded now and at every boot — after a kernel check that fails before
// anything changes, unless the inventory marks lvs configuration only (a container lab),
// which the recap then says. Real servers: ARP suppression first, then the VIPs on
// loopback through a small systemd unit (no ifupdown on the hosts), so they accept what
// the director forwards without ever answering ARP for it.
import {
  command,
  daemonReload,
  defineRole,
  file,
  interfacesOf,
  packages,
  requireKernel,
  service,
  sh,
  sysctl,
  type Task,
  template,
  z,
} from '../../src/sdk.ts'

const VIP_UNIT = 'halab-lvs-vip'

const Vars = z.object({
  lvs_directors_group: z
    .string()
    .default('directors')
    .describe('Hosts of this group are directors; hosts of lvs_realservers_group are real servers.'),
  lvs_realservers_group: z
    .string()
    .default('realservers')
    .describe('Hosts of this group are the real servers: VIP on loopback, ARP replies suppressed.'),
  lvs_vips: z
    .array(z.ipv4())
    .default([])
    .describe('The virtual addresses real servers accept on loopback (the VIPs of the virtual servers).'),
  lvs_ipvsadm_auto: z
    .boolean()
    .default(true)
    .describe('/etc/default/ipvsadm: the seed\'s AUTO="true", DAEMON="none" (keepalived runs the table).'),
  lvs_ipvsadm_daemon: z
    .enum(['none', 'master', 'backup'])
    .default('none')
    .describe('/etc/default/ipvsadm DAEMON: none (keepalived runs the table), master or backup sync daemon.'),
  lvs_ipvsadm_iface: z
    .string()
    .optional()
    .describe('Sync-daemon interface and id, written only when lvs_ipvsadm_daemon is not none.'),
  lvs_ipvsadm_syncid: z.number().int().min(0).max(255).optional().describe('Sync-daemon id (see lvs_ipvsadm_iface).'),
  lvs_modules: z
    .array(z.string().regex(/^[a-z0-9_]+$/))
    .min(1)
    .default(['ip_vs'])
    .describe('Kernel modules directors need, loaded now and listed in /etc/modules-load.d/ipvs.conf.'),
  lvs_arp_interfaces: z
    .array(z.string().regex(/^[A-Za-z0-9_.:-]+$/))
    .optional()
    .describe(
      'Interfaces whose ARP behaviour is set on real servers (besides all and lo); default: the ' +
        "host's `interfaces`.",
    ),
  lvs_arp_ignore: z
    .number()
    .int()
    .min(0)
    .max(8)
    .default(1)
    .describe(
      'net.ipv4.conf.*.arp_ignore on real servers: 1 answers ARP only for addresses on the asking ' +
        'interface (not the VIP on lo).',
    ),
  lvs_arp_announce: z
    .number()
    .int()
    .min(0)
    .max(2)
    .default(2)
    .describe('net.ipv4.conf.*.arp_announce on real servers: 2 never announces the VIP as a source address.'),
  lvs_sysctl_file: z
    .string()
    .startsWith('/')
    .default('/etc/sysctl.d/60-halab-lvs.conf')
    .describe('The sysctl file those settings go to.'),
})
type LvsVars = z.output<typeof Vars>
type Render = (name: string, extra?: Record<string, unknown>) => string

export default defineRole({
  name: 'lvs',
  // Directors only: a real server holds the VIPs on loopback, no IPVS.
  kernel: (vars, host) => (host.groups.includes(vars.lvs_directors_group) ? ['ip_vs'] : []),
  vars: Vars,
  tasks: ({ vars, host, render, configurationOnly }) => {
    const director = host.groups.includes(vars.lvs_directors_group)
    const realServer = host.groups.includes(vars.lvs_realservers_group)
    if (director && realServer)
      throw new Error(
        `${host.name} is in both "${vars.lvs_directors_group}" and "${vars.lvs_realservers_group}": ` +
          `a DR real server holds the VIPs on loopback and ignores ARP for them, which a director must not`,
      )
    if (!director && !realServer)
      throw new Error(
        `${host.name} is in neither "${vars.lvs_directors_group}" nor "${vars.lvs_realservers_group}": ` +
          `the lvs role does not know which end to configure`,
      )
    return director
      ? directorTasks(vars, render, configurationOnly())
      : realServerTasks(
          vars,
          interfacesOf(host).map((i) => i.name),
          render,
        )
  },
})

function directorTasks(vars: LvsVars, render: Render, configOnly: boolean): Task[] {
  if (vars.lvs_ipvsadm_daemon !== 'none' && !vars.lvs_ipvsadm_iface)
    throw new Error(
      `lvs_ipvsadm_daemon "${vars.lvs_ipvsadm_daemon}" needs lvs_ipvsadm_iface (the sync daemon's interface)`,
    )
  const tasks: Task[] = [
    requireKernel({ role: 'lvs', modules: vars.lvs_modules, configurationOnly: configOnly }),
    packages({ names: ['ipvsadm'] }),
    template({
      path: '/etc/default/ipvsadm',
      rendered: render('ipvsadm.ejs', {
        iface: vars.lvs_ipvsadm_iface ?? null,
        syncid: vars.lvs_ipvsadm_syncid ?? null,
      }),
      mode: '0644',
    }),
    file({
      path: '/etc/modules-load.d/ipvs.conf',
      content:
        '# Managed by halab (role lvs): loaded at boot by systemd-modules-load\n' + vars.lvs_modules.join('\n') + '\n',
      mode: '0644',
    }),
  ]
  // /sys/module/NAME exists for a loaded module and for a built-in one alike.
  if (!configOnly)
    for (const m of vars.lvs_modules)
      tasks.push(command({ name: `load ${m}`, command: sh`modprobe ${m}`, unless: sh`test -d ${`/sys/module/${m}`}` }))
  return tasks
}

function realServerTasks(vars: LvsVars, hostInterfaces: string[], render: Render): Task[] {
  if (!vars.lvs_vips.length)
    throw new Error(
      'lvs_vips is empty: a real server needs the virtual addresses it accepts on loopback (e.g. lvs_vips: [10.0.0.4])',
    )
  const vips = vars.lvs_vips.map((address, i) => ({ address, label: `lo:${i}` }))
  // The seeds only put the VIP on lo:0 and stop there: every real server would then
  // answer ARP for the VIP, and clients or the gateway would bypass the director. So
  // ARP suppression comes first (arp_ignore=1: answer only for addresses of the
  // receiving interface; arp_announce=2: never use the VIP as ARP source), for `all`
  // (the kernel takes the maximum of all and each interface), lo, and every LAN interface.
  const scopes = [...new Set(['all', 'lo', ...(vars.lvs_arp_interfaces ?? hostInterfaces)])]
  const tasks: Task[] = []
  for (const scope of scopes) {
    const key = scope.replace(/\./g, '/') // a dotted VLAN name is written with slashes in a dotted key
    tasks.push(
      sysctl({ key: `net.ipv4.conf.${key}.arp_ignore`, value: vars.lvs_arp_ignore, file: vars.lvs_sysctl_file }),
    )
    tasks.push(
      sysctl({ key: `net.ipv4.conf.${key}.arp_announce`, value: vars.lvs_arp_announce, file: vars.lvs_sysctl_file }),
    )
  }
  // The unit owns every lo:N address: it flushes them before adding the current list, so
  // a VIP removed from the inventory leaves loopback on the next restart.
  const wanted = vips.map((v) => `${v.address}/32`).sort()
  const current = `$(ip -4 -o addr show dev lo label 'lo:*' | awk '{print $4}' | LC_ALL=C sort | tr '\\n' ' ')`
  tasks.push(
    template({
      path: `/etc/systemd/system/${VIP_UNIT}.service`,
      rendered: render('vip.service.ejs', { vips }),
      mode: '0644',
    }),
    daemonReload([`${VIP_UNIT}.service`]),
    service({ service: VIP_UNIT, state: 'started', enabled: true }),
    // The unit is a oneshot that stays "active": compare the addresses themselves.
    command({
      name: `loopback holds exactly ${wanted.join(', ')}`,
      command: sh`systemctl restart ${VIP_UNIT}.service`,
      unless: `test "${current}" = ${sh`${wanted.join(' ') + ' '}`}`,
    }),
  )
  return tasks
}
