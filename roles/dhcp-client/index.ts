// dhcp-client: each interface the inventory marks `dhcp: true` takes its address from
// DHCP through systemd-networkd (the seed runs `dhclient enp0s3` by hand), networkd is
// restarted when that changes, and then the address the interface actually leased is
// compared with the inventory's: a node that got another address, or none, fails here
// with what to look at — instead of the cluster failing later in a stranger way.
import {
  defineRole,
  type HostContext,
  networkInterfaces,
  type Plan,
  service,
  type Task,
  template,
  z,
} from '../../src/sdk.ts'
import { leaseOf, networkdLink } from './facts.ts'

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i

/** The shared `interfaces` host variable, as far as this role reads it. */
const Interface = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/)
      .describe("The interface's name (eth0, enp0s3, …)."),
    address: z.ipv4().optional().describe('The address the interface has: the one DHCP must lease when dhcp is true.'),
    prefix: z.number().int().min(1).max(32).optional().describe('The prefix length of that address (24 for a /24).'),
    dhcp: z
      .boolean()
      .default(false)
      .describe('true: the interface takes its address from DHCP (systemd-networkd) instead of a static one.'),
    mac: z
      .unknown()
      .optional()
      .describe(
        'The interface\'s MAC address, quoted ("52:54:00:…"): the DHCP server pins the address to it. ' +
          'Required when dhcp is true.',
      ),
  })
  .superRefine((i, ctx) => {
    if (!i.dhcp) return
    if (i.mac === undefined || i.mac === null)
      ctx.addIssue({
        code: 'custom',
        path: ['mac'],
        message:
          `${i.name} has dhcp: true but no mac: ` +
          `the DHCP server pins its address by MAC (mac: "52:54:00:…", quoted)`,
      })
    else if (typeof i.mac !== 'string')
      ctx.addIssue({
        code: 'custom',
        path: ['mac'],
        message: 'quote the MAC address: YAML 1.1 reads an all-digit one such as 52:54:00:00:02:03 as a base-60 number',
      })
    else if (!MAC.test(i.mac))
      ctx.addIssue({
        code: 'custom',
        path: ['mac'],
        message: `"${i.mac}" is not a MAC address such as 52:54:00:12:34:56`,
      })
    if (!i.address)
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        message: `${i.name} has dhcp: true but no address: the address it must lease`,
      })
  })

const Vars = z.object({
  interfaces: z
    .array(Interface)
    .default([])
    .describe(
      "The host's network interfaces (the variable every role reads); this role acts on those with dhcp: true.",
    ),
  dhcp_client_use_gateway: z
    .boolean()
    .default(true)
    .describe('Take the default route from the DHCP answer (the lab sets false: its hosts never route off the lab).'),
  dhcp_client_use_dns: z.boolean().default(true).describe('Take the DNS servers from the DHCP answer.'),
  dhcp_client_keep_configuration: z
    .enum(['no', 'static', 'dhcp-on-stop', 'dhcp', 'yes'])
    .default('static')
    .describe(
      'networkd\'s KeepConfiguration=. "static" keeps addresses networkd did not set when it ' +
        "restarts: the one already on the interface (the installer's or the lab's) while DHCP " +
        'starts, so a DHCP server that does not answer leaves the node reachable and the check ' +
        'fails with the reason; and on a director, the VIP keepalived holds there.',
    ),
  dhcp_client_wait_seconds: z
    .number()
    .int()
    .min(1)
    .max(120)
    .default(20)
    .describe('How long the check waits for the lease.'),
})

export interface DhcpInterface {
  name: string
  address: string
  prefix?: number
  mac: string
}

export default defineRole({
  name: 'dhcp-client',
  vars: Vars,
  tasks: ({ vars, host, render }) => {
    const dhcp = vars.interfaces.filter((i) => i.dhcp) as (z.output<typeof Interface> & {
      mac: string
      address: string
    })[]
    if (!dhcp.length)
      throw new Error(
        `${host.name} has no interface with dhcp: true (interfaces: [{ name, address, prefix, dhcp: true, mac }])`,
      )
    const tasks: Task[] = [service({ service: 'systemd-networkd', state: 'started', enabled: true })]
    for (const i of dhcp) {
      const iface: DhcpInterface = { name: i.name, address: i.address, prefix: i.prefix, mac: i.mac.toLowerCase() }
      // 10-* wins over the distribution's defaults (80-container-host0.network, 99-*).
      const path = `/etc/systemd/network/10-${iface.name}.network`
      const [network, fileChanged] = watched(
        template({ path, rendered: render('dhcp.network.ejs', { iface }), mode: '0644' }),
      )
      const [apply, restarted] = watched(applyNetwork(iface, path, fileChanged))
      tasks.push(network, apply, checkLease(iface, path, vars.dhcp_client_wait_seconds, restarted))
    }
    return tasks
  },
})

/**
 * The task, and whether it changed (or in check mode would change) something this run:
 * what a handler would know, for the tasks that must follow it immediately rather than
 * after the role (the lease check needs networkd restarted first).
 */
function watched(task: Task): [Task, () => boolean] {
  let changed = false
  return [
    {
      ...task,
      async plan(host) {
        const plan = await task.plan(host)
        changed = plan.changes.length > 0
        return plan
      },
    },
    () => changed,
  ]
}

/** Restart networkd when the file changed this run, or when networkd does not apply it yet. */
function applyNetwork(iface: DhcpInterface, path: string, fileChanged: () => boolean): Task {
  return {
    name: `apply ${path} (restart systemd-networkd)`,
    facts: () => [networkdLink(iface.name)],
    async plan(host): Promise<Plan> {
      const applied = (await host.fact(networkdLink(iface.name))).networkFile
      const why = fileChanged()
        ? `${path} changed`
        : applied !== path
          ? `networkd applies ${applied ?? 'nothing'} to ${iface.name}, not ${path}`
          : undefined
      if (!why) return { changes: [], noop: `networkd applies ${path} to ${iface.name}` }
      return {
        changes: [{ summary: `restart systemd-networkd (${why})`, command: 'systemctl restart systemd-networkd' }],
      }
    },
  }
}

/** Fails unless the interface leased exactly the inventory's address. */
function checkLease(iface: DhcpInterface, path: string, seconds: number, restarted: () => boolean): Task {
  return {
    name: `${iface.name} leased ${iface.address} by DHCP`,
    // No facts to prefetch: they must be read after networkd restarted, not at role start.
    async plan(host: HostContext): Promise<Plan> {
      if (host.mode.check && restarted())
        return { changes: [], noop: `not checked: networkd would be restarted with ${path} first (check mode)` }
      host.invalidateFacts()
      const applied = (await host.fact(networkdLink(iface.name))).networkFile
      if (applied !== path)
        throw new Error(
          `networkd applies ${applied ?? 'no file'} to ${iface.name}, ` +
            `not ${path}: a .network file that sorts earlier matches ${iface.name} ` +
            `(networkctl status ${iface.name}); remove it or make it match something else`,
        )
      const leases = await host.fact(leaseOf(iface.name, seconds))
      const nic = (await host.fact(networkInterfaces())).find((n) => n.name === iface.name)
      if (!nic) throw new Error(`${host.name} has no interface ${iface.name}`)
      if (nic.mac && nic.mac.toLowerCase() !== iface.mac)
        throw new Error(
          `${iface.name} has MAC ${nic.mac} but the inventory says ${iface.mac}: ` +
            `the DHCP server's host entry will never match this node; fix mac in the inventory`,
        )
      if (!leases.length)
        throw new Error(
          `${iface.name} leased no address within ${seconds} s (it ` +
            `has: ${nic.addresses.map((a) => a.cidr).join(', ') || 'none'}). ` +
            `Check that the DHCP server runs and serves this subnet (play "dhcp server"), ` +
            `and the journal: journalctl -u systemd-networkd`,
        )
      const got = leases.find((l) => l.address === iface.address)
      if (!got)
        throw new Error(
          `${iface.name} leased ${leases.map((l) => `${l.address}/${l.prefix}`).join(', ')} but ` +
            `the inventory says ${iface.address}: ` +
            `the DHCP server that answered has no host entry ` +
            `for ${iface.mac} (dhcp_server_hosts_group must include ${host.name}), ` +
            `or another DHCP server answers on this network`,
        )
      if (iface.prefix !== undefined && got.prefix !== iface.prefix)
        throw new Error(
          `${iface.name} leased ${got.address}/${got.prefix} but the inventory says prefix ${iface.prefix}: ` +
            `the DHCP server's subnet netmask differs`,
        )
      return {
        changes: [],
        noop: `${iface.name} leased ${got.address}/${got.prefix} for MAC ${iface.mac}, as the inventory says`,
      }
    },
  }
}
