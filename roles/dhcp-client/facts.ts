// What the dhcp-client role reads on a host: which .network file systemd-networkd applies
// to an interface (networkctl status), and the addresses the interface leased by DHCP
// (`ip -4 -o addr show`: the ones with a lifetime are dynamic).
import { type Fact, sh } from '../../src/sdk.ts'

/** Which .network file networkd applies to the interface (`n/a` when it does not manage it). */
export function networkdLink(iface: string): Fact<{ networkFile?: string }> {
  return {
    key: `networkd-link:${iface}`,
    command: sh`networkctl status --no-pager -- ${iface} 2>/dev/null; true`,
    parse: ({ stdout }) => ({ networkFile: /Network File:\s*(\S+)/.exec(stdout)?.[1] }),
  }
}

export interface Lease {
  address: string
  prefix: number
}

/** `ip -4 -o addr show dev IF` lines → the addresses with a lifetime (leased by DHCP). */
export function parseDynamic(stdout: string): Lease[] {
  return stdout
    .split('\n')
    .map((line) => /\binet ([\d.]+)\/(\d+) (.*)$/.exec(line.split('\\')[0]))
    .filter((m): m is RegExpExecArray => !!m && /\bdynamic\b/.test(m[3]))
    .map((m) => ({ address: m[1], prefix: Number(m[2]) }))
}

/** Waits (bounded) until the interface holds a leased address, then lists its addresses. */
export function leaseOf(iface: string, seconds: number): Fact<Lease[]> {
  return {
    key: `dhcp-lease:${iface}`,
    command:
      sh`n=${seconds * 2}; i=0; while [ $i -lt $n ]; ` +
      sh`do ip -4 -o addr show dev ${iface} 2>/dev/null | grep -q ' dynamic ' && break; sleep 0.5; i=$((i+1)); done; ` +
      sh`ip -4 -o addr show dev ${iface}`,
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot read the addresses of ${iface}: ${stderr.trim()}`)
      return parseDynamic(stdout)
    },
  }
}
