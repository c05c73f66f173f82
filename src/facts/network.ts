// Network interfaces and their IPv4 addresses, from one-line `ip` output (`ip -o`):
// one line per link, then one line per address.
import type { Fact } from '../engine/types.js'

export interface Ipv4Address {
  address: string
  prefix: number
  /** `192.0.2.10/24`, the form `ip addr add` takes. */
  cidr: string
  scope: string
  /** The label (`eth0:vip` for an alias); the interface name otherwise. */
  label: string
  secondary: boolean
}

export interface NetworkInterface {
  name: string
  index: number
  /** Administratively up (the UP flag); `state` says whether the link has a carrier. */
  up: boolean
  state: string
  mtu: number
  mac?: string
  addresses: Ipv4Address[]
}

const LINK = /^(\d+):\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>(.*)$/
const ADDR = /^\d+:\s+([^:@\s]+)(?:@\S+)?\s+inet\s+([\d.]+)\/(\d+)\s+(.*)$/

export function parseIpOutput(links: string, addrs: string): NetworkInterface[] {
  const byName = new Map<string, NetworkInterface>()
  for (const line of links.split('\n')) {
    const m = LINK.exec(line)
    if (!m) continue
    const [, index, name, flags, rest] = m
    byName.set(name, {
      name,
      index: Number(index),
      up: flags.split(',').includes('UP'),
      state: /\bstate (\S+)/.exec(rest)?.[1] ?? 'UNKNOWN',
      mtu: Number(/\bmtu (\d+)/.exec(rest)?.[1] ?? 0),
      mac: /link\/ether ([0-9a-f:]{17})/.exec(rest)?.[1],
      addresses: [],
    })
  }
  for (const line of addrs.split('\n')) {
    const m = ADDR.exec(line)
    if (!m) continue
    const [, name, address, prefix, rest] = m
    // `ip -o` folds the address's second line after a backslash; the label ends the first.
    const words = rest.split('\\')[0].trim().split(/\s+/)
    const scope = words.indexOf('scope')
    const iface = byName.get(name) ?? { name, index: 0, up: false, state: 'UNKNOWN', mtu: 0, addresses: [] }
    byName.set(name, iface)
    iface.addresses.push({
      address,
      prefix: Number(prefix),
      cidr: `${address}/${prefix}`,
      scope: scope >= 0 ? words[scope + 1] : 'global',
      label: words.at(-1) ?? name,
      secondary: words.includes('secondary'),
    })
  }
  return [...byName.values()]
}

export function networkInterfaces(): Fact<NetworkInterface[]> {
  return {
    key: 'network-interfaces',
    command: 'ip -o link show && echo --- && ip -o -4 addr show',
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot list interfaces (ip): ${stderr.trim()}`)
      const [links = '', addrs = ''] = stdout.split('---\n')
      return parseIpOutput(links, addrs)
    },
  }
}

/** The interface holding an address, if any (e.g. who holds a VIP). */
export function interfaceWithAddress(interfaces: NetworkInterface[], address: string): NetworkInterface | undefined {
  return interfaces.find((i) => i.addresses.some((a) => a.address === address))
}
