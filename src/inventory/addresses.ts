// Where a host is reachable, read from the same variables the lab uses: `interfaces`
// ([{ name, address, prefix }]) and `ansible_host`.
import type { InventoryHost } from './types.js'

export interface InterfaceVar {
  name: string
  address?: string
  prefix?: number
  gateway?: string
  dhcp?: boolean
  mac?: string
}

export function interfacesOf(host: InventoryHost): InterfaceVar[] {
  const list = host.vars.interfaces
  return Array.isArray(list) ? (list as InterfaceVar[]) : []
}

/** The host's address on an interface name, or inside a CIDR, else ansible_host. */
export function addressOf(host: InventoryHost, where?: { interface?: string; network?: string }): string {
  const ifaces = interfacesOf(host).filter((i) => i.address)
  let found: InterfaceVar | undefined
  if (where?.interface) found = ifaces.find((i) => i.name === where.interface)
  if (!found && where?.network) found = ifaces.find((i) => inNetwork(i.address!, where.network!))
  return found?.address ?? String(host.vars.ansible_host ?? ifaces[0]?.address ?? host.name)
}

export function inNetwork(address: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/')
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0
  return (toInt(address) & mask) === (toInt(net) & mask)
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0
}
