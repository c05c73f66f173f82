// dhcp-server: ISC dhcpd (seed 000) — the interfaces it serves, dhcpd.conf from variables
// (global options, subnets, ranges, routers) and one `host` entry per inventory node that
// takes its address by DHCP (an `interfaces` entry with `dhcp: true` and its `mac`), so
// each node always gets its documented address instead of whatever the pool hands out
// first, as in the seed. dhcpd checks the candidate (`dhcpd -t -cf`) before it goes live.
import { defineRole, inNetwork, interfacesOf, type Inventory, packages, service, template, z } from '../../src/sdk.ts'

export const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i
const HostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)

const Subnet = z
  .object({
    network: z.cidrv4().describe('The subnet as CIDR: 10.0.2.0/24.'),
    ranges: z
      .array(
        z.object({
          start: z.ipv4().describe('First address of the pool.'),
          end: z.ipv4().describe('Last address of the pool.'),
        }),
      )
      .default([])
      .describe('Dynamic pools for machines the inventory does not know.'),
    routers: z.array(z.ipv4()).default([]).describe('option routers: the gateway the clients get.'),
    broadcast_address: z.ipv4().optional().describe("Default: the subnet's broadcast address."),
  })
  .superRefine((s, ctx) => {
    s.ranges.forEach((r, i) => {
      for (const end of ['start', 'end'] as const)
        if (!inNetwork(r[end], s.network))
          ctx.addIssue({ code: 'custom', path: ['ranges', i, end], message: `${r[end]} is outside ${s.network}` })
      if (toInt(r.start) > toInt(r.end))
        ctx.addIssue({ code: 'custom', path: ['ranges', i], message: `range ${r.start} … ${r.end} runs backwards` })
    })
  })

const Vars = z.object({
  dhcp_server_interfaces: z
    .array(z.string().regex(/^[A-Za-z0-9_.:-]+$/))
    .min(1)
    .describe('INTERFACESv4 of /etc/default/isc-dhcp-server: where dhcpd listens.'),
  dhcp_server_ddns_update_style: z
    .enum(['none', 'interim', 'standard'])
    .default('none')
    .describe('ddns-update-style (none in the seed).'),
  dhcp_server_domain_name: HostName.optional().describe('option domain-name (example.org in the seed).'),
  dhcp_server_domain_name_servers: z
    .array(HostName)
    .default([])
    .describe('Addresses or names (dhcpd resolves names when it answers).'),
  dhcp_server_default_lease_time: z.number().int().positive().default(600).describe('default-lease-time, seconds.'),
  dhcp_server_max_lease_time: z.number().int().positive().default(7200).describe('max-lease-time, seconds.'),
  dhcp_server_authoritative: z
    .boolean()
    .default(true)
    .describe('authoritative: this server answers for these subnets (NAKs wrong leases).'),
  dhcp_server_log_facility: z
    .string()
    .regex(/^(local[0-7]|daemon|syslog|user)$/)
    .default('local7')
    .describe('log-facility (local7 in the seed).'),
  dhcp_server_subnets: z.array(Subnet).min(1).describe('The subnets dhcpd serves.'),
  dhcp_server_hosts_group: z
    .string()
    .default('all')
    .describe('Inventory hosts scanned for `interfaces` entries with `dhcp: true`.'),
  dhcp_server_hosts: z
    .array(
      z.object({
        name: HostName.describe("The host entry's name."),
        mac: z
          .string()
          .regex(MAC, 'a MAC address such as 52:54:00:12:34:56')
          .describe('Its MAC address (hardware ethernet).'),
        address: z.ipv4().describe('The address it always gets (fixed-address).'),
      }),
    )
    .default([])
    .describe('More fixed entries, for machines outside the inventory.'),
})
type DhcpServerVars = z.output<typeof Vars>

export interface FixedHost {
  name: string
  mac: string
  address: string
}

export default defineRole({
  name: 'dhcp-server',
  vars: Vars,
  tasks: ({ vars, inventory, render, note }) => {
    const hosts = [...inventoryHosts(inventory, vars.dhcp_server_hosts_group), ...vars.dhcp_server_hosts]
    checkHosts(hosts, vars, note)
    const subnets = vars.dhcp_server_subnets.map((s) => {
      const [network, bits] = s.network.split('/')
      return {
        ...s,
        address: network,
        netmask: fromInt(mask(Number(bits))),
        broadcast: s.broadcast_address ?? fromInt((toInt(network) | ~mask(Number(bits))) >>> 0),
      }
    })
    return [
      packages({ names: ['isc-dhcp-server'] }),
      template({
        path: '/etc/default/isc-dhcp-server',
        rendered: render('isc-dhcp-server.ejs'),
        mode: '0644',
        notify: ['restart isc-dhcp-server'],
      }),
      template({
        path: '/etc/dhcp/dhcpd.conf',
        rendered: render('dhcpd.conf.ejs', { subnets, hosts, domainName: vars.dhcp_server_domain_name ?? null }),
        mode: '0644',
        validate: 'dhcpd -t -q -cf %s',
        notify: ['restart isc-dhcp-server'],
      }),
      service({ service: 'isc-dhcp-server', state: 'started', enabled: true }),
    ]
  },
  handlers: () => ({ 'restart isc-dhcp-server': service({ service: 'isc-dhcp-server', state: 'restarted' }) }),
})

/**
 * One entry per DHCP interface of the inventory's nodes: `NAME` (or `NAME-IFACE` when a
 * node has several). A missing or malformed mac is reported naming the node and field;
 * the dhcp-client role reports it on the node itself too.
 */
export function inventoryHosts(inventory: Inventory, group: string): FixedHost[] {
  const out: FixedHost[] = []
  for (const h of inventory.hosts.values()) {
    if (!h.groups.includes(group)) continue
    const dhcp = interfacesOf(h)
      .map((iface, i) => ({ iface: iface as typeof iface & { mac?: unknown }, i }))
      .filter(({ iface }) => iface.dhcp === true)
    for (const { iface, i } of dhcp) {
      const field = `host ${h.name}, field interfaces[${i}]`
      if (iface.mac === undefined || iface.mac === null)
        throw new Error(
          `${field}.mac: ${iface.name} has dhcp: true but no mac; ` +
            `dhcpd pins the address by MAC (mac: "52:54:00:…", quoted)`,
        )
      if (typeof iface.mac !== 'string')
        throw new Error(
          `${field}.mac: quote the MAC address (YAML 1.1 reads an ` +
            `all-digit one such as 52:54:00:00:02:03 as a base-60 number)`,
        )
      if (!MAC.test(iface.mac))
        throw new Error(`${field}.mac: "${iface.mac}" is not a MAC address such as 52:54:00:12:34:56`)
      if (!iface.address)
        throw new Error(`${field}.address: ${iface.name} has dhcp: true but no address: the address dhcpd must give it`)
      out.push({
        name: dhcp.length > 1 ? `${h.name}-${iface.name}` : h.name,
        mac: iface.mac.toLowerCase(),
        address: iface.address,
      })
    }
  }
  return out
}

function checkHosts(hosts: FixedHost[], vars: DhcpServerVars, note: (text: string) => void): void {
  const seen = new Map<string, string>()
  for (const h of hosts) {
    for (const [what, key] of [
      ['MAC', h.mac.toLowerCase()],
      ['address', h.address],
    ] as const) {
      const other = seen.get(`${what} ${key}`)
      if (other)
        throw new Error(
          `${h.name} and ${other} have the same ${what} ${key}: dhcpd can give each address to one machine`,
        )
      seen.set(`${what} ${key}`, h.name)
    }
    const subnet = vars.dhcp_server_subnets.find((s) => inNetwork(h.address, s.network))
    if (!subnet)
      throw new Error(
        `${h.name}: fixed address ${h.address} is in none of dhcp_server_subnets ` +
          `(${vars.dhcp_server_subnets.map((s) => s.network).join(', ')}): dhcpd would never answer it`,
      )
    const pool = subnet.ranges.find((r) => toInt(r.start) <= toInt(h.address) && toInt(h.address) <= toInt(r.end))
    if (pool)
      note(
        `dhcp-server: WARNING ${h.address} (${h.name}) is inside the dynamic range ${pool.start}–${pool.end}: ` +
          `dhcpd may lease it to another machine while ${h.name} is off`,
      )
  }
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0
}
function fromInt(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')
}
function mask(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
}
