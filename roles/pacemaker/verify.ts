// The four tests of seed 002, live, through the external VIP of an LVS-NAT pair under
// Pacemaker: requests alternate over the real servers; with the active director powered
// off the other serves the VIP (the lab's power switch; elsewhere "not run"); with every
// real server but one down only that one answers; ldirectord killed on the active director
// as often as its migration threshold says makes Pacemaker move the group (fail counts
// read with crm_mon). With `--load`, ab through the VIP with one and two real servers in
// service, beside the seed's figures. Every check puts back what it took away.
import ldirectordRole from '../ldirectord/index.ts'
import pacemakerRole from './index.ts'
import {
  addressOf,
  check,
  type CheckResult,
  defineVerify,
  type HostContext,
  httpGet,
  ipvsDestinations,
  LOAD_CONCURRENCY,
  LoadReference,
  loadTable,
  NotRun,
  runAb,
  servingNode,
  sh,
  type VerifyEnv,
  waitFor,
} from '../../src/sdk.ts'
import { groupNode, parseCrmMon, type ClusterStatus } from './crm-mon.ts'

export default defineVerify({
  title: 'LVS-NAT under Pacemaker (ldirectord)',
  run: (env) => verifyLvsNat(env.pick('pacemaker'), env.pick('lvs-nat', 'pacemaker'), env),
})

const FORWARD = { masq: 'Masq', gate: 'Route', ipip: 'Tunnel' } as const

export async function verifyLvsNat(
  directorsIn: HostContext[],
  realServers: HostContext[],
  env: VerifyEnv,
): Promise<CheckResult[]> {
  let directors = directorsIn
  const names = directors.map((d) => d.name)
  const byName = (n: string) => directors.find((d) => d.name === n)!
  const ld = ldirectordRole.vars.parse(directors[0].vars)
  const pm = pacemakerRole.vars.parse(directors[0].vars)
  const virtual = ld.ldirectord_virtuals[0]
  const [vip, port] = virtual.virtual.split(':')
  const url = `http://${vip}:${port}/`
  const agent = pm.pacemaker_primitives.find((p) => p.agent.endsWith(':ldirectord'))
  const group = pm.pacemaker_groups.find((g) => agent && g.members.includes(agent.id))
  if (!agent || !group)
    throw new Error(
      `pacemaker_primitives has no ocf:heartbeat:ldirectord primitive in a group (pacemaker_groups) on ${names.join(', ')}`,
    )
  const reference = loadReference(directors[0])
  const ips = pm.pacemaker_primitives
    .filter((p) => group.members.includes(p.id) && p.agent.endsWith(':IPaddr2'))
    .map((p) => p.params.ip)
  // The real servers, as ldirectord.cf lists them: the group's hosts at their real_network address.
  const members = realServers
    .filter((h) => h.inventoryHost.groups.includes(virtual.real_group))
    .map((h) => ({
      host: h.name,
      address: `${addressOf(h.inventoryHost, { network: virtual.real_network })}:${virtual.real_port}`,
    }))
  const server = (n: string) => realServers.find((h) => h.name === n)!
  const service = `${vip}:${port}`
  // ldirectord notices a server within checkinterval + checktimeout; margin for a slow guest.
  const healthLimit = (ld.ldirectord_checkinterval + ld.ldirectord_checktimeout) * 1000 + 20_000
  const failoverLimit = 120_000

  /** crm_mon from the first director that answers. */
  const status = async (): Promise<ClusterStatus> => {
    let last: unknown
    for (const d of directors) {
      try {
        return parseCrmMon((await d.run('crm_mon -1 --output-as=xml')).stdout)
      } catch (e) {
        last = e
      }
    }
    throw last
  }
  const waitGroupOn = (want: (node: string) => boolean, what: string, limit = failoverLimit) =>
    waitFor(
      what,
      limit,
      async () => {
        const node = groupNode(await status(), group.id)
        return node && want(node) ? node : undefined
      },
      1000,
    )
  /** The real servers with weight > 0 in the active director's table, once they are exactly `want`. */
  const waitInService = (active: string, want: string[], what: string) =>
    waitFor(
      `${what} (ipvsadm on ${active})`,
      healthLimit,
      async () => {
        const table = ipvsDestinations((await byName(active).run(sh`ipvsadm -Ln -t ${service}`)).stdout)
        const up = members.filter((m) => table.some((e) => e.address === m.address && e.weight > 0)).map((m) => m.host)
        return up.sort().join() === [...want].sort().join() ? table : undefined
      },
      500,
    )
  const stopWeb = (hosts: string[]) => Promise.all(hosts.map((h) => server(h).run('systemctl stop apache2')))
  const startWeb = (hosts: string[]) => Promise.all(hosts.map((h) => server(h).run('systemctl start apache2')))
  const everyHost = members.map((m) => m.host)
  /** `n` requests through the VIP: who answered each, and the address the seed's page printed. */
  const through = async (n: number) => {
    const seen: string[] = []
    for (let i = 0; i < n; i++) {
      const page = await httpGet(url, 5000)
      if (page.status !== 200) throw new Error(`request ${i + 1} through ${url}: HTTP ${page.status}`)
      const node = servingNode(page.body) ?? 'no identity page'
      const address = /id="address">([^<]*)</.exec(page.body)?.[1]
      const m = members.find((x) => x.host === node)
      if (address !== undefined && m && `${address}:${virtual.real_port}` !== m.address)
        throw new Error(`${node}'s page says it is ${address}, ldirectord.cf says ${m.address}`)
      seen.push(node)
    }
    return seen
  }
  const activeNow = async () => (await waitGroupOn(() => true, `group ${group.id} started on one director`)).value

  const results: CheckResult[] = []
  results.push(
    await check(
      `Pacemaker runs group ${group.id} (${group.members.join(', ')}) on one director, with ${ips.join(' and ')}`,
      async () => {
        const { value: active, ms } = await waitGroupOn(() => true, `group ${group.id} started on one director`)
        const addrs = (await byName(active).run('ip -o -4 addr show')).stdout
        for (const ip of ips)
          if (!addrs.includes(`inet ${ip}/`)) throw new Error(`${ip} is not on ${active}, where the group runs`)
        for (const other of directors.filter((d) => d.name !== active)) {
          const theirs = (await other.run('ip -o -4 addr show')).stdout
          for (const ip of ips) if (theirs.includes(`inet ${ip}/`)) throw new Error(`${ip} is on ${other.name} too`)
        }
        return `on ${active}${ms > 1000 ? ` (after ${(ms / 1000).toFixed(1)} s)` : ''}; the other director holds neither VIP`
      },
    ),
  )
  results.push(
    await check(
      `ipvsadm lists ${service} (${virtual.scheduler}) with every real server, ${FORWARD[virtual.forwarding]}`,
      async () => {
        const active = await activeNow()
        const { value: table } = await waitInService(active, everyHost, 'every real server in service')
        const head = (await byName(active).run(sh`ipvsadm -Ln -t ${service}`)).stdout
        if (!new RegExp(`${service.replace(/\./g, '\\.')}\\s+${virtual.scheduler}\\b`).test(head))
          throw new Error(`${service} is not scheduled ${virtual.scheduler}:\n${head}`)
        for (const m of members) {
          const e = table.find((t) => t.address === m.address)!
          if (e.forward !== FORWARD[virtual.forwarding])
            throw new Error(`${m.address} is forwarded by ${e.forward}, not ${FORWARD[virtual.forwarding]}`)
        }
        return `${active}: ${table.map((e) => `${members.find((m) => m.address === e.address)?.host ?? e.address} ${e.forward} ${e.weight}`).join(', ')}`
      },
    ),
  )
  const alternation = async () => {
    const seen = await through(members.length * 2)
    const rounds = [seen.slice(0, members.length), seen.slice(members.length)]
    if (virtual.scheduler === 'rr' && rounds.some((r) => new Set(r).size !== members.length))
      throw new Error(
        `round robin over ${members.length} servers should answer from each once per ${members.length} requests: ${seen.join(', ')}`,
      )
    const strangers = seen.filter((s) => !everyHost.includes(s))
    if (strangers.length) throw new Error(`answers from ${[...new Set(strangers)].join(', ')}: ${seen.join(', ')}`)
    return seen
  }
  results.push(
    await check(
      `requests through ${url} alternate over ${everyHost.join(', ')}`,
      async () => `${(await alternation()).join(', ')}, each page with its server's address`,
    ),
  )

  results.push(
    await check('the active director powered off → the other serves the VIP', async () => {
      if (!env.power)
        throw new NotRun(
          'powering a director off needs the lab (run-playbook lab up for this inventory); elsewhere switch it off by hand and rerun verify',
        )
      const active = await activeNow()
      const t0 = performance.now()
      await env.power.off(active)
      const remaining = directors.filter((d) => d.name !== active)
      directors = remaining
      let back: HostContext | undefined
      try {
        const { value: now } = await waitGroupOn(
          (n) => n !== active,
          `group ${group.id} on another director than ${active}`,
        )
        const moved = ((performance.now() - t0) / 1000).toFixed(1)
        const seen = await waitFor(`answers through ${url} from every real server`, healthLimit, async () => {
          try {
            return await alternation()
          } catch {
            return undefined
          }
        })
        const answered = ((performance.now() - t0) / 1000).toFixed(1)
        back = await env.power.on(active)
        directors = [...remaining, back]
        await waitFor(
          `${active} back online in the cluster`,
          failoverLimit,
          async () => ((await status()).online.includes(active) ? true : undefined),
          1000,
        )
        return `${active} off: group on ${now} after ${moved} s, the VIP answered from ${seen.value.join(', ')} after ${answered} s; ${active} on again and back in the cluster`
      } finally {
        if (!back) directors = [...remaining, await env.power.on(active)]
      }
    }),
  )

  results.push(
    await check(`every real server down but one → only that one answers`, async () => {
      if (members.length < 2) throw new NotRun('needs two real servers')
      // The seed keeps the middle one of three (server2).
      const keep = everyHost[Math.min(1, everyHost.length - 1)]
      const down = everyHost.filter((h) => h !== keep)
      const active = await activeNow()
      const t0 = performance.now()
      await stopWeb(down)
      try {
        await waitInService(active, [keep], `only ${keep} in service`)
        const out = ((performance.now() - t0) / 1000).toFixed(1)
        const seen = await through(members.length * 2)
        if (seen.some((s) => s !== keep))
          throw new Error(`with apache2 stopped on ${down.join(', ')} the VIP answered from ${seen.join(', ')}`)
        await startWeb(down)
        await waitInService(active, everyHost, 'every real server back in service')
        return `apache2 stopped on ${down.join(', ')}: weight 0 (quiescent) after ${out} s, ${seen.length} requests all answered by ${keep}; all back after the restart`
      } finally {
        await startWeb(down).catch(() => {})
      }
    }),
  )

  results.push(
    await check(
      `ldirectord killed on the active director until its migration threshold → the group moves`,
      async () => {
        const active = await activeNow()
        const key = `${active}/${agent.id}`
        const before = (await status()).failures.get(key)
        const threshold = before?.migrationThreshold ?? Number(agent.meta['migration-threshold'] ?? 1000000)
        if (threshold > 50)
          throw new NotRun(
            `migration-threshold of ${agent.id} is ${threshold}: set meta migration-threshold (the seed moves the group after a few failures)`,
          )
        const t0 = performance.now()
        const d = byName(active)
        try {
          let killed = ''
          for (let count = before?.failCount ?? 0; count < threshold;) {
            // A new ldirectord (not the one killed) whose start Pacemaker has finished: a kill
            // during the start would be a failed start, which moves the group at once. The pid
            // is read before crm_mon, so a start still running shows as not settled.
            const { value: found } = await waitFor(
              `ldirectord started again by Pacemaker on ${active} (fail count ${count})`,
              failoverLimit,
              async () => {
                const r = await d.run(
                  sh`p=$(cat /var/run/ldirectord.${basename(ld.ldirectord_config)}.pid 2>/dev/null) && kill -0 "$p" && echo "$p"`,
                  { allowFailure: true },
                )
                const pid = r.code === 0 ? r.stdout.trim() : ''
                const st = await status()
                const node = groupNode(st, group.id)
                if (node && node !== active) return { moved: node, failures: st.failures.get(key) }
                return node === active && pid && pid !== killed ? { pid } : undefined
              },
              500,
            )
            if ('moved' in found)
              throw new Error(
                `after ${count - (before?.failCount ?? 0)} kills the group moved to ${found.moved}, before the threshold (crm_mon: fail count ${found.failures?.failCount ?? '?'} of ${threshold} on ${active}; a start that failed or timed out counts as all of them)`,
              )
            killed = found.pid
            await d.run(sh`kill -9 ${killed}`)
            const next = count + 1
            // Pacemaker notices at its next monitor, counts the failure and restarts it (or moves the group).
            await waitFor(
              `fail count ${next} of ${agent.id} on ${active}`,
              failoverLimit,
              async () => (((await status()).failures.get(key)?.failCount ?? 0) >= next ? true : undefined),
              1000,
            )
            count = next
          }
          const { value: now } = await waitGroupOn((n) => n !== active, `group ${group.id} moved away from ${active}`)
          const moved = ((performance.now() - t0) / 1000).toFixed(1)
          await waitInService(now, everyHost, `every real server in service on ${now}`)
          const seen = await through(members.length)
          return `${threshold - (before?.failCount ?? 0)} kills; crm_mon: fail count ${threshold} of ${threshold} (migration-threshold) on ${active}; group on ${now} after ${moved} s, the VIP answered from ${seen.join(', ')}`
        } finally {
          // Forget the failures: the node may run the group again.
          await d.run(sh`crm_resource --cleanup --resource ${agent.id} --node ${active}`, { allowFailure: true })
        }
      },
    ),
  )

  if (env.loadSeconds) results.push(...(await measureLoad()))
  return results

  /** ab through the VIP with one, then two real servers in service; the others' apache2 stopped meanwhile. */
  async function measureLoad(): Promise<CheckResult[]> {
    const measured = new Map<number, number>()
    const out: CheckResult[] = []
    for (const n of [1, 2].filter((k) => k <= members.length)) {
      out.push(
        await check(
          `load through ${url} with ${n} real server${n > 1 ? 's' : ''}: ab -c ${LOAD_CONCURRENCY} for ${env.loadSeconds} s`,
          async () => {
            const keep = everyHost.slice(0, n)
            const down = everyHost.slice(n)
            const active = await activeNow()
            await stopWeb(down)
            try {
              await waitInService(active, keep, `${keep.join(', ')} alone in service`)
              const r = await runAb(url, env.loadSeconds!)
              if (r.errors)
                throw new Error(
                  `${r.errors} of ${r.complete} requests failed (connect, receive, exceptions or non-2xx)`,
                )
              measured.set(n, r.requestsPerSecond)
              const ref = reference?.figures
                .map((f) => (f.servers[n] === undefined ? '' : `${f.tool} ${f.servers[n]} ${f.unit}`))
                .filter(Boolean)
              return `${r.requestsPerSecond.toFixed(0)} req/s, ${r.complete} requests, none failed${ref?.length ? ` (seed, other hardware: ${ref.join('; ')})` : ''}`
            } finally {
              await startWeb(down).catch(() => {})
            }
          },
        ),
      )
    }
    await activeNow()
      .then((active) => waitInService(active, everyHost, 'every real server back in service'))
      .catch(() => {})
    if (measured.size)
      env.report(loadTable(`ab -c ${LOAD_CONCURRENCY} -t ${env.loadSeconds} ${url}`, measured, reference))
    return out
  }
}

const basename = (path: string): string => path.replace(/^.*\//, '')

/** The figures `--load` prints beside its own; a malformed variable fails the suite before any check. */
function loadReference(director: HostContext): LoadReference | undefined {
  const value = director.vars.verify_load_reference
  if (value === undefined) return undefined
  const parsed = LoadReference.safeParse(value)
  if (!parsed.success)
    throw new Error(
      `verify_load_reference on ${director.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
    )
  return parsed.data
}
