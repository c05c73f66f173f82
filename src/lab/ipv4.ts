// IPv4 addresses and subnets as plain numbers: enough arithmetic for bridges, overlaps
// and "highest free address", without a dependency.

export interface Subnet {
  /** Network address as an unsigned 32-bit number. */
  network: number
  prefix: number
}

export function parseIPv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim())
  if (!m) return undefined
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return undefined
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

export function subnetOf(address: number, prefix: number): Subnet {
  return { network: (address & mask(prefix)) >>> 0, prefix }
}

export function broadcastOf(s: Subnet): number {
  return (s.network | ~mask(s.prefix)) >>> 0
}

export function contains(s: Subnet, address: number): boolean {
  return (address & mask(s.prefix)) >>> 0 === s.network
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix)
  return (a.network & mask(p)) >>> 0 === (b.network & mask(p)) >>> 0
}

export function formatSubnet(s: Subnet): string {
  return `${formatIPv4(s.network)}/${s.prefix}`
}

/** "10.0.0.0/24" or "10.0.0.5" (a /32); undefined when not IPv4. */
export function parseCidr(text: string): Subnet | undefined {
  const [addr, len] = text.split('/')
  const a = parseIPv4(addr)
  const prefix = len === undefined ? 32 : Number(len)
  if (a === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined
  return subnetOf(a, prefix)
}

/** Ranges no lab subnet may use: this-network, loopback, link-local, multicast, reserved. */
export const RESERVED: Subnet[] = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4'].map(
  (c) => parseCidr(c)!,
)
