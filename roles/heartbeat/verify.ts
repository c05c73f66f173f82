// The seeds' own heartbeat tests, live: the VIP serves the preferred node's page; stopping
// heartbeat there moves the VIP (timed); starting it again fails back; each node serves
// its own page while active; with DRBD, data written before failover is there after it.
// Seed 004 claims stopping apache2 alone moves the VIP: heartbeat v1 does not monitor
// resources, so the failover test stops heartbeat itself.
import heartbeatRole from './index.ts'
import {
  addressOf,
  check,
  type CheckResult,
  defineVerify,
  type HostContext,
  httpGet,
  isConfigurationOnly,
  NotRun,
  servingNode,
  sh,
  waitFor,
} from '../../src/sdk.ts'

export default defineVerify({ title: 'heartbeat pair', run: ({ pick }) => verifyHeartbeat(pick('heartbeat')) })

export async function verifyHeartbeat(hosts: HostContext[]): Promise<CheckResult[]> {
  const vars = heartbeatRole.vars.parse(hosts[0].vars)
  const byName = new Map(hosts.map((h) => [h.name, h]))
  const preferred = byName.get(vars.heartbeat_preferred_node)
  const other = hosts.find((h) => h.name !== vars.heartbeat_preferred_node)
  if (!preferred || !other)
    throw new Error(`verify needs both heartbeat nodes (have ${hosts.map((h) => h.name).join(', ')})`)
  const vipRes = vars.heartbeat_resources.find((r) => r.type === 'IPaddr2' || r.type === 'IPaddr')
  if (!vipRes) throw new Error('heartbeat_resources has no IPaddr2/IPaddr: no VIP to verify')
  const vip = vipRes.address
  const own = (h: HostContext) => addressOf(h.inventoryHost, { interface: vars.heartbeat_interface })
  // Failover is bounded by deadtime when a node dies; a clean stop hands over at once.
  const failoverLimit = (vars.heartbeat_verify_takeover_seconds ?? vars.heartbeat_deadtime + 15) * 1000
  const startLimit = ((vars.heartbeat_initdead ?? 60) + vars.heartbeat_deadtime + 30) * 1000
  const pageAt = async (address: string) => servingNode((await httpGet(`http://${address}/`)).body)
  const waitServedBy = (address: string, node: string, limit: number) =>
    waitFor(`http://${address}/ serving ${node}`, limit, async () =>
      (await pageAt(address)) === node ? node : undefined,
    )
  const holdsVip = async (h: HostContext) =>
    (await h.run(sh`ip -o -4 addr show to ${vip + '/32'}`, { allowFailure: true })).stdout.trim() !== ''
  const servesOwnPage = (h: HostContext) => async () => {
    const node = await pageAt(own(h))
    if (node !== h.name) throw new Error(`${own(h)} answered as ${node ?? 'no identity page'}`)
    return `${own(h)} answered as ${node}`
  }
  const drbdConfigOnly = isConfigurationOnly(hosts[0].vars, 'drbd')
  const fs = vars.heartbeat_resources.find((r) => r.type === 'Filesystem')

  const results: CheckResult[] = []
  results.push(
    await check(
      `VIP ${vip} serves ${preferred.name}'s page`,
      async () => `after ${(await waitServedBy(vip, preferred.name, startLimit)).ms} ms`,
    ),
  )
  results.push(
    await check(`VIP held by exactly one node`, async () => {
      const holders = (await Promise.all(hosts.map(async (h) => ((await holdsVip(h)) ? h.name : '')))).filter(Boolean)
      if (holders.length !== 1) throw new Error(`held by: ${holders.join(', ') || 'nobody'}`)
      return `held by ${holders[0]}`
    }),
  )
  results.push(await check(`${preferred.name}'s own address serves its page`, servesOwnPage(preferred)))
  const marker = `halab-verify-${Date.now()}`
  // Only a topology with a replicated filesystem has data to follow the VIP.
  const data = fs && { file: fs.mountpoint + '/halab-verify.txt', marker, configOnly: drbdConfigOnly }
  if (data) results.push(await fileWrittenBefore(preferred, data))
  results.push(
    await check(`stop heartbeat on ${preferred.name} → VIP moves to ${other.name}`, async () => {
      const t0 = performance.now()
      // A heartbeat that cannot stop (a resource script hung) fails the check instead of hanging verify.
      await preferred.run('service heartbeat stop', { timeoutMs: STOP_LIMIT_MS })
      await waitServedBy(vip, other.name, failoverLimit)
      return (
        `${other.name} answered on the VIP ${secondsSince(t0)} s ` +
        `after the stop (deadtime ${vars.heartbeat_deadtime} s)`
      )
    }),
  )
  results.push(await check(`${other.name}'s own address serves its page while active`, servesOwnPage(other)))
  if (data) results.push(await fileThereAfter(other, data))
  results.push(
    await check(`start heartbeat on ${preferred.name} → VIP fails back`, async () => {
      if (!vars.heartbeat_auto_failback) throw new NotRun('auto_failback is off')
      const t0 = performance.now()
      await preferred.run('service heartbeat start')
      await waitServedBy(vip, preferred.name, startLimit)
      return `${preferred.name} answered on the VIP again ${secondsSince(t0)} s after the start`
    }),
  )
  return results
}

/** A clean stop hands over at once; ha.cf's deadtime does not bound it. */
const STOP_LIMIT_MS = 180_000
const secondsSince = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1)

/** The replicated file the DRBD checks write before failover and read after it. */
interface DataFile {
  file: string
  marker: string
  /** drbd is configuration only on these hosts: the checks are not run. */
  configOnly: boolean
}

const notRunDrbd = () =>
  new NotRun('drbd is configuration only on these hosts (kernel lacks drbd): no replicated filesystem to check')

function fileWrittenBefore(preferred: HostContext, { file, marker, configOnly }: DataFile): Promise<CheckResult> {
  return check(`DRBD: a file written on ${preferred.name} before failover`, async () => {
    if (configOnly) throw notRunDrbd()
    await preferred.run(sh`echo ${marker} > ${file} && sync`)
    return file
  })
}

function fileThereAfter(other: HostContext, { file, marker, configOnly }: DataFile): Promise<CheckResult> {
  return check(`DRBD: the file is on ${other.name} after failover`, async () => {
    if (configOnly) throw notRunDrbd()
    const got = (await other.run(sh`cat ${file}`)).stdout.trim()
    if (got !== marker) throw new Error(`read "${got}", wrote "${marker}"`)
    return 'same content'
  })
}
