// The LVS + keepalived checks of seeds 000/001, live: VRRP holds the VIP on exactly one
// director and moves it, with the LVS table, when the MASTER's keepalived stops (timed),
// then back; real servers serve their own pages and hold the VIP on loopback without
// answering ARP for it; IPVS lists every real server, spreads requests by weight, takes a
// stopped real server out and back, and sends everything to the sorry server when all are
// down. Balancing checks need ip_vs: where the hosts lack it they are "not run" with the
// reason, never passed.
import keepalivedRole, { realServers as realServersOf, type RenderedRealServer } from './index.ts'
import lvsRole from '../lvs/index.ts'
import {
  addressOf,
  check,
  type CheckResult,
  defineVerify,
  type HostContext,
  httpGet,
  ipvsDestinations,
  kernelModule,
  NotRun,
  servingNode,
  sh,
  spreadByWeight,
  type VerifyEnv,
  waitFor,
} from '../../src/sdk.ts'

export default defineVerify({
  title: 'LVS + keepalived',
  run: (env) => verifyKeepalived(env.pick('keepalived'), env.pick('lvs', 'keepalived'), env),
})

export async function verifyKeepalived(
  directors: HostContext[],
  realServers: HostContext[],
  env: Pick<VerifyEnv, 'inventory'>,
): Promise<CheckResult[]> {
  const c = await clusterOf(directors, realServers, env)
  const results: CheckResult[] = []
  for (const run of [vipOnMaster, vipMovesToBackup, tableMovesWithVip, vipReturns, configPassesCheck])
    results.push(await run(c))
  for (const rs of realServers) {
    const lvs = lvsRole.vars.parse(rs.vars)
    results.push(await servesOwnPage(rs))
    results.push(await holdsVipOnLo(rs, lvs.lvs_vips))
  }
  for (const run of [tableListsEveryServer, spreadByWeightCheck, stoppedServerOutAndBack]) results.push(await run(c))
  // No sorry_server (the 5-node seed has none): nothing to check, rather than a check "not run".
  if (c.sorry) results.push(await sorryServerAnswers(c))
  return results
}

type Cluster = Awaited<ReturnType<typeof clusterOf>>

/** The first VRRP instance's VIP, its MASTER and BACKUP, its virtual server, and the probes the checks share. */
async function clusterOf(directors: HostContext[], realServers: HostContext[], env: Pick<VerifyEnv, 'inventory'>) {
  const vars = new Map(directors.map((d) => [d.name, keepalivedRole.vars.parse(d.vars)]))
  const first = vars.get(directors[0].name)!
  const instance = first.keepalived_vrrp_instances[0]
  const vip = instance.virtual_ipaddress[0].split('/')[0]
  const stateOf = (d: HostContext) => instance.state ?? vars.get(d.name)!.keepalived_state
  const master = directors.find((d) => stateOf(d) === 'MASTER')
  const backup = directors.find((d) => d !== master)
  if (!master || !backup)
    throw new Error(
      `verify needs a MASTER and a BACKUP director ` +
        `(have ${directors.map((d) => `${d.name}=${stateOf(d)}`).join(', ')})`,
    )
  const advert = instance.advert_int ?? first.keepalived_advert_int ?? 1
  const limit = (advert * 3 + 10) * 1000
  const holds = async (d: HostContext) =>
    (await d.run(sh`ip -o -4 addr show to ${vip + '/32'}`, { allowFailure: true })).stdout.includes(vip)
  const holders = async () =>
    (await Promise.all(directors.map(async (d) => ((await holds(d)) ? d.name : '')))).filter(Boolean)
  const waitHeldBy = (d: HostContext) =>
    waitFor(`VIP ${vip} on ${d.name} alone`, limit, async () =>
      (await holders()).join() === d.name ? d.name : undefined,
    )

  // IPVS runs on the directors; an LVS-DR real server needs only the VIP on lo (a container will do).
  const lacking: string[] = []
  for (const h of directors) if (!(await h.fact(kernelModule('ip_vs'))).available) lacking.push(h.name)
  const vs = first.keepalived_virtual_servers.find((v) => v.ip === vip) ?? first.keepalived_virtual_servers[0]
  const service = vs ? `${vs.ip}:${vs.port}` : undefined
  const members: RenderedRealServer[] = vs ? realServersOf(vs, first, env.inventory) : []
  // A real server leaves the table within delay_loop + connect_timeout; margin for a slow guest.
  const healthLimit = vs ? (vs.delay_loop + (vs.tcp_check?.connect_timeout ?? 3)) * 1000 + 15000 : 0
  const tableOf = async (d: HostContext) => ipvsDestinations((await d.run(sh`ipvsadm -Ln -t ${service!}`)).stdout)
  const rsByName = new Map(realServers.map((h) => [h.name, h]))
  return {
    vip,
    master,
    backup,
    advert,
    waitHeldBy,
    vs,
    service,
    members,
    nodeOf: new Map(members.map((m) => [`${m.ip}:${m.port}`, m.host ?? m.ip])),
    sorry: vs?.sorry_server ? `${vs.sorry_server.ip}:${vs.sorry_server.port}` : undefined,
    rsByName,
    everyMember: members.map((m) => `${m.ip}:${m.port}`),
    /** Balancing needs a kernel with ip_vs (the real-kernel lab) and a virtual server; elsewhere it is not run. */
    needBalancing: (): void => {
      if (lacking.length) throw new NotRun(`kernel lacks ip_vs on ${lacking.join(', ')}`)
      if (!service) throw new NotRun('no keepalived_virtual_servers')
    },
    /** Wait until `d`'s table for the service holds exactly `want` (address:port), and return it. */
    waitTable: (d: HostContext, want: string[], what: string) =>
      waitFor(`${what} on ${d.name}`, healthLimit, async () => {
        const table = await tableOf(d)
        return table
          .map((e) => e.address)
          .sort()
          .join() === [...want].sort().join()
          ? table
          : undefined
      }),
    stopWeb: (names: string[]) => Promise.all(names.map((n) => rsByName.get(n)!.run('systemctl stop apache2'))),
    startWeb: (names: string[]) => Promise.all(names.map((n) => rsByName.get(n)!.run('systemctl start apache2'))),
    /** The node whose page answered through the VIP. */
    throughVip: async () => servingNode((await httpGet(`http://${vip}:${vs!.port}/`)).body),
  }
}

const secondsSince = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1)

function vipOnMaster(c: Cluster): Promise<CheckResult> {
  return check(
    `VIP ${c.vip} held by exactly one director, the MASTER ${c.master.name}`,
    async () => `after ${(await c.waitHeldBy(c.master)).ms} ms`,
  )
}

function vipMovesToBackup({ master, backup, advert, waitHeldBy }: Cluster): Promise<CheckResult> {
  return check(`stop keepalived on ${master.name} → VIP moves to ${backup.name}`, async () => {
    const t0 = performance.now()
    await master.run('systemctl stop keepalived')
    await waitHeldBy(backup)
    return `on ${backup.name} ${secondsSince(t0)} s after the stop (advert_int ${advert} s)`
  })
}

function tableMovesWithVip(c: Cluster): Promise<CheckResult> {
  const { backup, service, everyMember, nodeOf } = c
  return check(`the LVS table moves with the VIP: ${backup.name} serves it`, async () => {
    c.needBalancing()
    await c.waitTable(backup, everyMember, `${service} with every real server`)
    const node = await c.throughVip()
    if (!node || !nodeOf.size || ![...nodeOf.values()].includes(node))
      throw new Error(`the VIP answered as ${node ?? 'no identity page'}, not a real server`)
    return `${backup.name} lists ${service} → ${everyMember.join(', ')}; the VIP answered as ${node}`
  })
}

function vipReturns({ master, waitHeldBy }: Cluster): Promise<CheckResult> {
  return check(`start keepalived on ${master.name} → VIP returns`, async () => {
    const t0 = performance.now()
    await master.run('systemctl start keepalived')
    await waitHeldBy(master)
    return `back on ${master.name} ${secondsSince(t0)} s after the start`
  })
}

function configPassesCheck({ master }: Cluster): Promise<CheckResult> {
  return check('keepalived.conf with the virtual servers passes keepalived -t', async () => {
    const full = (
      await master.run('test -f /etc/keepalived/keepalived.conf.full && echo full || echo live')
    ).stdout.trim()
    const file = full === 'full' ? '/etc/keepalived/keepalived.conf.full' : '/etc/keepalived/keepalived.conf'
    await master.run(sh`keepalived -t -f ${file}`)
    return `${file} on ${master.name}`
  })
}

function servesOwnPage(rs: HostContext): Promise<CheckResult> {
  return check(`${rs.name} serves its own page`, async () => {
    const node = servingNode((await httpGet(`http://${addressOf(rs.inventoryHost)}/`)).body)
    if (node !== rs.name) throw new Error(`answered as ${node ?? 'no identity page'}`)
    return `${addressOf(rs.inventoryHost)} answered as ${node}`
  })
}

function holdsVipOnLo(rs: HostContext, vips: string[]): Promise<CheckResult> {
  return check(`${rs.name} holds the VIP on lo and does not answer ARP for it`, async () => {
    const out = (
      await rs.run(`ip -o -4 addr show dev lo; sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce`)
    ).stdout
    for (const v of vips) if (!out.includes(`${v}/32`)) throw new Error(`${v}/32 is not on lo`)
    const [ignore, announce] = out.trim().split('\n').slice(-2)
    if (ignore !== '1' || announce !== '2') throw new Error(`arp_ignore=${ignore} arp_announce=${announce}`)
    return `${vips.join(', ')} on lo, arp_ignore=1, arp_announce=2`
  })
}

function tableListsEveryServer(c: Cluster): Promise<CheckResult> {
  const { master, vip, service, members, vs, nodeOf } = c
  return check(`ipvsadm on ${master.name} lists ${vip} with every real server`, async () => {
    c.needBalancing()
    const { value: table } = await c.waitTable(master, c.everyMember, `${service} with every real server`)
    for (const m of members) {
      const e = table.find((t) => t.address === `${m.ip}:${m.port}`)!
      if (e.weight !== m.weight) throw new Error(`${e.address} has weight ${e.weight}, the inventory says ${m.weight}`)
      if (vs!.lb_kind === 'DR' && e.forward !== 'Route')
        throw new Error(`${e.address} is forwarded by ${e.forward}, not Route (DR)`)
    }
    const entries = table.map((e) => `${nodeOf.get(e.address) ?? e.address} ${e.forward} weight ${e.weight}`)
    return `${service} ${vs!.lb_algo}: ${entries.join(', ')}`
  })
}

function spreadByWeightCheck(c: Cluster): Promise<CheckResult> {
  const { members } = c
  return check('requests through the VIP are spread by weight', async () => {
    c.needBalancing()
    const total = members.reduce((n, m) => n + m.weight, 0)
    if (!total) throw new Error('every real server has weight 0')
    // Whole rounds of the weighted round robin: each server's exact share is expected.
    const rounds = Math.max(2, Math.ceil(12 / total))
    const counts = new Map<string, number>()
    for (let i = 0; i < rounds * total; i++) {
      const node = (await c.throughVip()) ?? 'no identity page'
      counts.set(node, (counts.get(node) ?? 0) + 1)
    }
    const want = new Map(members.map((m) => [m.host ?? m.ip, m.weight * rounds]))
    const problem = spreadByWeight(counts, want)
    if (problem) throw new Error(problem)
    const seen = [...want.keys()].map((n) => `${n} ${counts.get(n) ?? 0}`)
    return `${rounds * total} requests: ${seen.join(', ')} (weights ${members.map((m) => m.weight).join(':')})`
  })
}

function stoppedServerOutAndBack(c: Cluster): Promise<CheckResult> {
  const { master, members, service, everyMember } = c
  return check('a stopped real server is taken out, then restored', async () => {
    c.needBalancing()
    const victim = members.find((m) => m.host && c.rsByName.has(m.host))
    if (!victim || members.length < 2) throw new NotRun('needs two real servers that are inventory hosts')
    const others = everyMember.filter((a) => a !== `${victim.ip}:${victim.port}`)
    const t0 = performance.now()
    await c.stopWeb([victim.host!])
    try {
      await c.waitTable(master, others, `${victim.host} out of ${service}`)
      const out = secondsSince(t0)
      for (let i = 0; i < 4; i++) {
        const node = await c.throughVip()
        if (node === victim.host || !node)
          throw new Error(`with apache2 stopped on ${victim.host} the VIP answered as ${node ?? 'no identity page'}`)
      }
      const t1 = performance.now()
      await c.startWeb([victim.host!])
      await c.waitTable(master, everyMember, `${victim.host} back in ${service}`)
      return (
        `apache2 stopped on ${victim.host}: out of the table after ${out} s, the VIP kept answering; ` +
        `started again: back after ${secondsSince(t1)} s`
      )
    } finally {
      await c.startWeb([victim.host!]).catch(() => {})
    }
  })
}

function sorryServerAnswers(c: Cluster): Promise<CheckResult> {
  const { master, members, service, sorry, vip, vs } = c
  return check('all real servers down → the sorry server answers', async () => {
    c.needBalancing()
    const names = members.flatMap((m) => (m.host && c.rsByName.has(m.host) ? [m.host] : []))
    if (names.length !== members.length)
      throw new NotRun('some real servers are not inventory hosts: halab cannot stop them')
    const t0 = performance.now()
    await c.stopWeb(names)
    try {
      await c.waitTable(master, [sorry!], `only the sorry server ${sorry} in ${service}`)
      const after = secondsSince(t0)
      const page = await httpGet(`http://${vip}:${vs!.port}/`)
      const node = servingNode(page.body)
      if (page.status !== 200) throw new Error(`the VIP answered HTTP ${page.status}`)
      if (node && names.includes(node)) throw new Error(`the VIP answered as real server ${node}`)
      await c.startWeb(names)
      await c.waitTable(master, c.everyMember, `every real server back in ${service}`)
      return (
        `${sorry} alone in the table ${after} s after apache2 stopped everywhere; ` +
        `the VIP answered as ${node ?? 'a page without identity'}; all back after the restart`
      )
    } finally {
      await c.startWeb(names).catch(() => {})
    }
  })
}
