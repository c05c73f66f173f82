// What ipvsadm says and what a spread of requests means, as data.

export interface IpvsDestination {
  /** address:port */
  address: string
  /** Route (DR), Masq (NAT), Tunnel, Local. */
  forward: string
  weight: number
}

/** The destination lines of `ipvsadm -Ln -t VIP:PORT`: `  -> 192.168.10.2:80  Route  1  0  0`. */
export function ipvsDestinations(stdout: string): IpvsDestination[] {
  return stdout
    .split('\n')
    .map((l) => /^\s*->\s+(\S+:\d+)\s+(\w+)\s+(\d+)\s/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ address: m[1], forward: m[2], weight: Number(m[3]) }))
}

/**
 * Whole rounds of a weighted round robin give each server exactly its share; one request
 * either way is tolerated (a connection of another client may take a turn). Returns what
 * is wrong, or undefined.
 */
export function spreadByWeight(counts: Map<string, number>, want: Map<string, number>): string | undefined {
  const strangers = [...counts.keys()].filter((n) => !want.has(n))
  if (strangers.length) return `answers from ${strangers.join(', ')}, not a real server of the virtual server`
  const off = [...want].filter(([n, w]) => Math.abs((counts.get(n) ?? 0) - w) > 1)
  if (off.length)
    return (
      `expected ${[...want].map(([n, w]) => `${n} ${w}`).join(', ')}; ` +
      `got ${[...want.keys()].map((n) => `${n} ${counts.get(n) ?? 0}`).join(', ')}`
    )
  return undefined
}
