// What the lab builds for an inventory: hosts with their interfaces and disks, and one
// bridge per subnet. Validated once, every problem collected (naming file, host, field),
// before anything is created on this machine.
import { InventoryError, type InputProblem } from '../errors.js'
import type { Inventory, InventoryHost } from '../inventory/load.js'
import {
  RESERVED,
  broadcastOf,
  contains,
  formatIPv4,
  formatSubnet,
  overlaps,
  parseIPv4,
  subnetOf,
  type Subnet,
} from './ipv4.js'
import { bridgeName, netnsName, vethName } from './paths.js'
import { hostKernel, type LabKernel } from './backend.js'

export interface LabInterface {
  /** Name inside the host, as the inventory says (eth0, ens18, enp0s3…). */
  name: string
  address: string
  prefix: number
  /** The subnet's gateway from the inventory: given to the lab bridge, never routed through. */
  gateway?: string
  bridge: string
  /** The veth end left on the controller, enslaved to `bridge`. */
  hostVeth: string
  /** The MAC the inventory gives (DHCP servers pin leases to it). */
  mac?: string
}

export interface LabDisk {
  /** Device path inside the host, e.g. /dev/sda6. */
  name: string
  size: string
  bytes: number
}

export interface LabHostSpec {
  name: string
  netns: string
  interfaces: LabInterface[]
  disks: LabDisk[]
  /** Where the controller reaches the host: ansible_host, else its first address. */
  sshAddress: string
  /** What runs it: systemd-nspawn, or user-mode-linux (`lab_kernel`, `lab up --kernel`). */
  kernel: LabKernel
  /** A UML guest's memory (`lab_memory`, e.g. 512M); nspawn hosts share this machine's. */
  memory?: string
}

export interface LabBridge {
  name: string
  subnet: string
  address: string
  prefix: number
  hosts: string[]
}

export interface LabTopology {
  inventoryDir: string
  hosts: LabHostSpec[]
  bridges: LabBridge[]
}

const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i
const SIZE = /^(\d+)([KMG])?$/i
const MAX_DISK_BYTES = 64 * 2 ** 30

export interface TopologyOptions {
  /** Every host's kernel unless its `lab_kernel` var says otherwise (`--kernel`). */
  kernel?: LabKernel
  /** Per host, below `lab_kernel` and above `kernel` (lab site's choice). */
  kernels?: Map<string, LabKernel>
}

export function topologyFromInventory(inv: Inventory, opts: TopologyOptions = {}): LabTopology {
  const problems: InputProblem[] = []
  const hosts: LabHostSpec[] = []
  const names = [...inv.hosts.keys()].sort()
  if (!names.length)
    problems.push({ file: inv.dir, message: 'the inventory has no hosts: the lab has nothing to start' })

  names.forEach((name, hostIndex) => {
    const h = inv.hosts.get(name)!
    const at = (field: string, message: string): void =>
      void problems.push({ file: originOf(h, field) || inv.dir, host: name, field, message })
    if (!HOSTNAME.test(name))
      problems.push({
        file: inv.dir,
        host: name,
        message:
          'a lab host name must be a valid hostname (letters, digits and "-", at most 63): it becomes the machine name',
      })
    const interfaces = readInterfaces(h, hostIndex, at)
    const disks = readDisks(h, at)
    const ansibleHost = h.vars.ansible_host
    let sshAddress = interfaces[0]?.address ?? ''
    if (ansibleHost !== undefined) {
      if (typeof ansibleHost === 'string' && interfaces.some((i) => i.address === ansibleHost)) sshAddress = ansibleHost
      else if (interfaces.length)
        at(
          'ansible_host',
          `${String(ansibleHost)} is not one of this host's interface ` +
            `addresses (${interfaces.map((i) => i.address).join(', ')}); ` +
            `the lab only reaches its own addresses, so set ansible_host to one of them`,
        )
    }
    const kernel = hostKernel(h.vars.lab_kernel, opts.kernels?.get(name) ?? opts.kernel ?? 'nspawn', at)
    const memory = h.vars.lab_memory === undefined ? undefined : String(h.vars.lab_memory)
    if (memory !== undefined && !/^(\d+)M$/.test(memory)) at('lab_memory', 'must be a size in MiB such as 512M')
    else if (memory !== undefined && (Number.parseInt(memory) < 128 || Number.parseInt(memory) > 4096))
      at('lab_memory', 'must be from 128M to 4096M')
    hosts.push({ name, netns: netnsName(name), interfaces, disks, sshAddress, kernel, memory })
  })

  const bridges = planBridges(hosts, inv, problems)
  if (problems.length) throw new InventoryError(problems)
  return { inventoryDir: inv.dir, hosts, bridges }
}

type At = (field: string, message: string) => void

function readInterfaces(h: InventoryHost, hostIndex: number, at: At): LabInterface[] {
  const raw = h.vars.interfaces
  if (!Array.isArray(raw) || raw.length === 0) {
    at(
      'interfaces',
      'a lab host needs `interfaces: [{ name: eth0, address: ' +
        '192.168.0.27, prefix: 24 }]` (one entry per network interface)',
    )
    return []
  }
  const out: LabInterface[] = []
  raw.forEach((entry: unknown, i: number) => {
    const f = `interfaces[${i}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return at(f, 'must be a mapping { name, address, prefix, gateway? }')
    const e = entry as Record<string, unknown>
    // `dhcp: true` is for the roles (the node leases its address); the lab still boots
    // the host with that address, so the controller can reach it before any DHCP server.
    for (const k of Object.keys(e))
      if (!['name', 'address', 'prefix', 'gateway', 'mac', 'dhcp'].includes(k))
        at(`${f}.${k}`, `unknown key "${k}" (an interface takes name, address, prefix, gateway, mac, dhcp)`)
    const mac = e.mac === undefined || e.mac === null ? undefined : String(e.mac).toLowerCase()
    if (mac !== undefined && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac))
      return at(`${f}.mac`, 'must be a MAC address such as 52:54:00:12:34:56')
    if (mac !== undefined && parseInt(mac.slice(0, 2), 16) & 1)
      return at(`${f}.mac`, `${mac} is a multicast address: the first byte must be even`)
    const name = e.name
    if (typeof name !== 'string' || !IFNAME.test(name) || name === 'lo')
      return at(`${f}.name`, 'must be an interface name of 1–15 letters, digits, "_", "." or "-" (not lo)')
    if (out.some((o) => o.name === name)) return at(`${f}.name`, `interface ${name} is listed twice`)
    const address = typeof e.address === 'string' ? parseIPv4(e.address) : undefined
    if (address === undefined) return at(`${f}.address`, 'must be an IPv4 address such as 192.168.0.27')
    const prefix = typeof e.prefix === 'string' && /^\d+$/.test(e.prefix) ? Number(e.prefix) : e.prefix
    if (typeof prefix !== 'number' || !Number.isInteger(prefix) || prefix < 8 || prefix > 30)
      return at(`${f}.prefix`, 'must be a prefix length from 8 to 30 (the lab needs room for its bridge address)')
    const subnet = subnetOf(address, prefix)
    if (address === subnet.network || address === broadcastOf(subnet))
      return at(`${f}.address`, `${formatIPv4(address)} is the network or broadcast address of ${formatSubnet(subnet)}`)
    if (RESERVED.some((r) => overlaps(r, subnet)))
      return at(`${f}.address`, `${formatSubnet(subnet)} is a reserved range (loopback, link-local, multicast…)`)
    let gateway: string | undefined
    if (e.gateway !== undefined && e.gateway !== null) {
      const g = typeof e.gateway === 'string' ? parseIPv4(e.gateway) : undefined
      if (g === undefined || !contains(subnet, g) || g === subnet.network || g === broadcastOf(subnet))
        return at(`${f}.gateway`, `must be a usable address inside ${formatSubnet(subnet)}`)
      gateway = formatIPv4(g)
    }
    out.push({ name, address: formatIPv4(address), prefix, gateway, bridge: '', hostVeth: vethName(hostIndex, i), mac })
  })
  return out
}

function readDisks(h: InventoryHost, at: At): LabDisk[] {
  const raw = h.vars.lab_disks
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    at('lab_disks', 'must be a list like [{ name: /dev/sda6, size: 256M }]')
    return []
  }
  const out: LabDisk[] = []
  raw.forEach((entry: unknown, i: number) => {
    const f = `lab_disks[${i}]`
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>
    const name = e.name
    if (typeof name !== 'string' || !/^\/dev\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(name))
      return at(`${f}.name`, 'must be a device path under /dev, e.g. /dev/sda6')
    if (out.some((d) => d.name === name)) return at(`${f}.name`, `${name} is listed twice`)
    const m = SIZE.exec(String(e.size ?? ''))
    const bytes = m
      ? Number(m[1]) * { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[(m[2] ?? 'M').toUpperCase() as 'K' | 'M' | 'G']
      : 0
    if (!m || bytes < 2 ** 20 || bytes > MAX_DISK_BYTES)
      return at(`${f}.size`, 'must be a size from 1M to 64G, e.g. 256M')
    out.push({ name, size: String(e.size), bytes })
  })
  return out
}

/** One bridge per subnet; it takes the subnet's gateway, else its highest free address. */
function planBridges(hosts: LabHostSpec[], inv: Inventory, problems: InputProblem[]): LabBridge[] {
  const bySubnet = new Map<string, { subnet: Subnet; members: { host: LabHostSpec; iface: LabInterface }[] }>()
  const owner = new Map<string, string>()
  for (const host of hosts)
    for (const iface of host.interfaces) {
      const where = `${host.name} ${iface.name}`
      const other = owner.get(iface.address)
      if (other)
        problems.push({
          file: inv.dir,
          host: host.name,
          field: 'interfaces',
          message: `address ${iface.address} is also used by ${other}`,
        })
      owner.set(iface.address, where)
      const subnet = subnetOf(parseIPv4(iface.address)!, iface.prefix)
      const key = formatSubnet(subnet)
      const entry = bySubnet.get(key) ?? { subnet, members: [] }
      if (entry.members.some((m) => m.host === host))
        problems.push({
          file: inv.dir,
          host: host.name,
          field: 'interfaces',
          message: `two interfaces on ${key}: give each interface its own subnet`,
        })
      entry.members.push({ host, iface })
      bySubnet.set(key, entry)
    }

  const subnets = [...bySubnet.values()].sort(
    (a, b) => a.subnet.network - b.subnet.network || a.subnet.prefix - b.subnet.prefix,
  )
  for (let i = 0; i < subnets.length; i++)
    for (let j = i + 1; j < subnets.length; j++)
      if (overlaps(subnets[i].subnet, subnets[j].subnet))
        problems.push({
          file: inv.dir,
          message:
            `subnets ${formatSubnet(subnets[i].subnet)} and ${formatSubnet(subnets[j].subnet)} overlap: ` +
            `use the same prefix for hosts of one network`,
        })

  return subnets.map(({ subnet, members }, index) => {
    const name = bridgeName(index)
    const gateways = [...new Set(members.map((m) => m.iface.gateway).filter((g): g is string => !!g))]
    if (gateways.length > 1)
      problems.push({
        file: inv.dir,
        message:
          `hosts on ${formatSubnet(subnet)} name different gateways (${gateways.join(', ')}): ` +
          `one subnet has one gateway`,
      })
    const used = new Set(members.map((m) => parseIPv4(m.iface.address)!))
    let address = gateways[0]
    if (address && used.has(parseIPv4(address)!))
      problems.push({
        file: inv.dir,
        message: `gateway ${address} of ${formatSubnet(subnet)} is also a host's address`,
      })
    if (!address) {
      let a = broadcastOf(subnet) - 1
      while (used.has(a) && a > subnet.network) a--
      address = formatIPv4(a)
    }
    for (const m of members) m.iface.bridge = name
    return {
      name,
      subnet: formatSubnet(subnet),
      address,
      prefix: subnet.prefix,
      hosts: members.map((m) => m.host.name),
    }
  })
}

function originOf(h: InventoryHost, field: string): string {
  return h.origins[field.split(/[.[]/)[0]] ?? ''
}
