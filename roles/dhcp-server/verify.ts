// Seed 000's DHCP, live: each node that takes its address by DHCP holds a leased
// (kernel-flagged `dynamic`) address equal to the inventory's, and the server logged
// the acknowledgement to that node's MAC.
import { check, type CheckResult, defineVerify, type HostContext, interfacesOf, sh } from '../../src/sdk.ts'

export default defineVerify({
  title: 'DHCP leases',
  run: ({ pick }) => verifyDhcp(pick('dhcp-server'), pick('dhcp-client')),
})

export async function verifyDhcp(servers: HostContext[], clients: HostContext[]): Promise<CheckResult[]> {
  const server = servers[0]
  const log = (
    await server.run(
      'journalctl -q -u isc-dhcp-server --no-pager -o cat 2>/dev/null; cat /var/log/syslog 2>/dev/null; true',
    )
  ).stdout
  const results: CheckResult[] = []
  for (const c of clients)
    for (const i of interfacesOf(c.inventoryHost).filter((x) => x.dhcp && x.address)) {
      results.push(
        await check(`${c.name} leased ${i.address} from ${server.name}`, async () => {
          const out = (await c.run(sh`ip -o -4 addr show dev ${i.name}`)).stdout
          const line = out.split('\n').find((l) => l.includes(` ${i.address}/`))
          if (!line) throw new Error(`${i.name} has no ${i.address}: ${out.trim() || 'no address'}`)
          if (!/\bdynamic\b/.test(line)) throw new Error(`${i.address} on ${i.name} is static, not leased`)
          const mac = String(i.mac).toLowerCase()
          if (!new RegExp(`DHCPACK on ${i.address!.replace(/\./g, '\\.')} to ${mac}`, 'i').test(log))
            throw new Error(`${server.name} logged no DHCPACK of ${i.address} to ${mac}`)
          return `dynamic ${i.address} on ${i.name}; ${server.name} acknowledged it to ${mac}`
        }),
      )
    }
  return results
}
