// The four tests of seed 002, live, through the external VIP of an LVS-NAT pair under
// Pacemaker: requests alternate over the real servers; with the active director powered
// off the other serves the VIP (the lab's power switch; elsewhere "not run"); with every
// real server but one down only that one answers; ldirectord killed on the active director
// as often as its migration threshold says makes Pacemaker move the group (fail counts
// read with crm_mon). With `--load`, ab through the VIP with one and two real servers in
// service, beside the seed's figures. Every check puts back what it took away.
import {
  check,
  type CheckResult,
  defineVerify,
  type HostContext,
  LOAD_CONCURRENCY,
  loadTable,
  NotRun,
  runAb,
  sh,
  type VerifyEnv,
  waitFor,
} from '../../src/sdk.ts'
import { groupNode } from './crm-mon.ts'
import { FORWARD, LvsNatPair } from './lvs-nat-pair.ts'

export default defineVerify({
  title: 'LVS-NAT under Pacemaker (ldirectord)',
  run: (env) => verifyLvsNat(env.pick('pacemaker'), env.pick('lvs-nat', 'pacemaker'), env),
})

/** The checks, in the order they run; each puts back what it took away. */
const CHECKS = [
  groupOnOneDirector,
  tableListsEveryServer,
  requestsAlternate,
  directorPoweredOff,
  allButOneDown,
  ldirectordKilled,
]

export async function verifyLvsNat(
  directors: HostContext[],
  realServers: HostContext[],
  env: VerifyEnv,
): Promise<CheckResult[]> {
  const pair = new LvsNatPair(directors, realServers)
  const results: CheckResult[] = []
  for (const run of CHECKS) results.push(await run(pair, env))
  if (env.loadSeconds) results.push(...(await measureLoad(pair, env)))
  return results
}

function groupOnOneDirector(c: LvsNatPair): Promise<CheckResult> {
  const { group, ips } = c
  return check(
    `Pacemaker runs group ${group.id} (${group.members.join(', ')}) on one director, with ${ips.join(' and ')}`,
    async () => {
      const { value: active, ms } = await c.waitGroupOn(() => true, `group ${group.id} started on one director`)
      const addrs = (await c.byName(active).run('ip -o -4 addr show')).stdout
      for (const ip of ips)
        if (!addrs.includes(`inet ${ip}/`)) throw new Error(`${ip} is not on ${active}, where the group runs`)
      for (const other of c.directors.filter((d) => d.name !== active)) {
        const theirs = (await other.run('ip -o -4 addr show')).stdout
        for (const ip of ips) if (theirs.includes(`inet ${ip}/`)) throw new Error(`${ip} is on ${other.name} too`)
      }
      return (
        `on ${active}${ms > 1000 ? ` (after ${(ms / 1000).toFixed(1)} s)` : ''}; ` +
        `the other director holds neither VIP`
      )
    },
  )
}

function tableListsEveryServer(c: LvsNatPair): Promise<CheckResult> {
  const { service, virtual, members } = c
  const forward = FORWARD[virtual.forwarding]
  return check(`ipvsadm lists ${service} (${virtual.scheduler}) with every real server, ${forward}`, async () => {
    const active = await c.activeNow()
    const { value: table } = await c.waitInService(active, c.everyHost, 'every real server in service')
    const head = (await c.byName(active).run(sh`ipvsadm -Ln -t ${service}`)).stdout
    if (!new RegExp(`${service.replace(/\./g, '\\.')}\\s+${virtual.scheduler}\\b`).test(head))
      throw new Error(`${service} is not scheduled ${virtual.scheduler}:\n${head}`)
    for (const m of members) {
      const e = table.find((t) => t.address === m.address)!
      if (e.forward !== forward) throw new Error(`${m.address} is forwarded by ${e.forward}, not ${forward}`)
    }
    const hostOf = (address: string) => members.find((m) => m.address === address)?.host ?? address
    return `${active}: ${table.map((e) => `${hostOf(e.address)} ${e.forward} ${e.weight}`).join(', ')}`
  })
}

function requestsAlternate(c: LvsNatPair): Promise<CheckResult> {
  return check(
    `requests through ${c.url} alternate over ${c.everyHost.join(', ')}`,
    async () => `${(await c.alternation()).join(', ')}, each page with its server's address`,
  )
}

function directorPoweredOff(c: LvsNatPair, env: VerifyEnv): Promise<CheckResult> {
  return check('the active director powered off → the other serves the VIP', async () => {
    if (!env.power)
      throw new NotRun(
        'powering a director off needs the lab (run-playbook lab up for this inventory); ' +
          'elsewhere switch it off by hand and rerun verify',
      )
    const active = await c.activeNow()
    const t0 = performance.now()
    await env.power.off(active)
    const remaining = c.directors.filter((d) => d.name !== active)
    c.directors = remaining
    let back: HostContext | undefined
    try {
      const { value: now } = await c.waitGroupOn(
        (n) => n !== active,
        `group ${c.group.id} on another director than ${active}`,
      )
      const moved = ((performance.now() - t0) / 1000).toFixed(1)
      const seen = await waitFor(`answers through ${c.url} from every real server`, c.healthLimit, async () => {
        try {
          return await c.alternation()
        } catch {
          return undefined
        }
      })
      const answered = ((performance.now() - t0) / 1000).toFixed(1)
      back = await env.power.on(active)
      c.directors = [...remaining, back]
      await waitFor(
        `${active} back online in the cluster`,
        c.failoverLimit,
        async () => ((await c.status()).online.includes(active) ? true : undefined),
        1000,
      )
      return (
        `${active} off: group on ${now} after ${moved} s, the VIP answered from ${seen.value.join(', ')} ` +
        `after ${answered} s; ${active} on again and back in the cluster`
      )
    } finally {
      if (!back) c.directors = [...remaining, await env.power.on(active)]
    }
  })
}

function allButOneDown(c: LvsNatPair): Promise<CheckResult> {
  return check(`every real server down but one → only that one answers`, async () => {
    const { everyHost } = c
    if (c.members.length < 2) throw new NotRun('needs two real servers')
    // The seed keeps the middle one of three (server2).
    const keep = everyHost[Math.min(1, everyHost.length - 1)]
    const down = everyHost.filter((h) => h !== keep)
    const active = await c.activeNow()
    const t0 = performance.now()
    await c.stopWeb(down)
    try {
      await c.waitInService(active, [keep], `only ${keep} in service`)
      const out = ((performance.now() - t0) / 1000).toFixed(1)
      const seen = await c.through(c.members.length * 2)
      if (seen.some((s) => s !== keep))
        throw new Error(`with apache2 stopped on ${down.join(', ')} the VIP answered from ${seen.join(', ')}`)
      await c.startWeb(down)
      await c.waitInService(active, everyHost, 'every real server back in service')
      return (
        `apache2 stopped on ${down.join(', ')}: weight 0 (quiescent) after ${out} s, ` +
        `${seen.length} requests all answered by ${keep}; all back after the restart`
      )
    } finally {
      await c.startWeb(down).catch(() => {})
    }
  })
}

function ldirectordKilled(c: LvsNatPair): Promise<CheckResult> {
  const { agent, group } = c
  const title = 'ldirectord killed on the active director until its migration threshold → the group moves'
  return check(title, async () => {
    const active = await c.activeNow()
    const key = `${active}/${agent.id}`
    const before = (await c.status()).failures.get(key)
    const threshold = before?.migrationThreshold ?? Number(agent.meta['migration-threshold'] ?? 1000000)
    if (threshold > 50)
      throw new NotRun(
        `migration-threshold of ${agent.id} is ${threshold}: ` +
          'set meta migration-threshold (the seed moves the group after a few failures)',
      )
    const t0 = performance.now()
    try {
      for (let count = before?.failCount ?? 0, killed = ''; count < threshold; count++)
        killed = await killLdirectordOnce(c, active, { count, killed, before: before?.failCount ?? 0, threshold })
      const { value: now } = await c.waitGroupOn((n) => n !== active, `group ${group.id} moved away from ${active}`)
      const moved = ((performance.now() - t0) / 1000).toFixed(1)
      await c.waitInService(now, c.everyHost, `every real server in service on ${now}`)
      const seen = await c.through(c.members.length)
      return (
        `${threshold - (before?.failCount ?? 0)} kills; crm_mon: fail count ${threshold} of ${threshold} ` +
        `(migration-threshold) on ${active}; group on ${now} after ${moved} s, the VIP answered from ${seen.join(', ')}`
      )
    } finally {
      // Forget the failures: the node may run the group again.
      await c.byName(active).run(sh`crm_resource --cleanup --resource ${agent.id} --node ${active}`, {
        allowFailure: true,
      })
    }
  })
}

/**
 * Kills the ldirectord Pacemaker runs on `active` (once it started a new one, not `killed`) and waits until
 * Pacemaker counted the failure; returns the pid it killed. Fails if the group moved before the threshold.
 */
async function killLdirectordOnce(
  c: LvsNatPair,
  active: string,
  at: { count: number; killed: string; before: number; threshold: number },
): Promise<string> {
  const { agent, group, ld } = c
  const key = `${active}/${agent.id}`
  const d = c.byName(active)
  // A new ldirectord (not the one killed) whose start Pacemaker has finished: a kill
  // during the start would be a failed start, which moves the group at once. The pid
  // is read before crm_mon, so a start still running shows as not settled.
  const { value: found } = await waitFor(
    `ldirectord started again by Pacemaker on ${active} (fail count ${at.count})`,
    c.failoverLimit,
    async () => {
      const r = await d.run(
        sh`p=$(cat /var/run/ldirectord.${basename(ld.ldirectord_config)}.pid 2>/dev/null) && kill -0 "$p" && ` +
          sh`echo "$p"`,
        { allowFailure: true },
      )
      const pid = r.code === 0 ? r.stdout.trim() : ''
      const st = await c.status()
      const node = groupNode(st, group.id)
      if (node && node !== active) return { moved: node, failures: st.failures.get(key) }
      return node === active && pid && pid !== at.killed ? { pid } : undefined
    },
    500,
  )
  if ('moved' in found)
    throw new Error(
      `after ${at.count - at.before} kills the group moved to ${found.moved}, before the threshold ` +
        `(crm_mon: fail count ${found.failures?.failCount ?? '?'} of ${at.threshold} on ${active}; ` +
        'a start that failed or timed out counts as all of them)',
    )
  await d.run(sh`kill -9 ${found.pid}`)
  const next = at.count + 1
  // Pacemaker notices at its next monitor, counts the failure and restarts it (or moves the group).
  await waitFor(
    `fail count ${next} of ${agent.id} on ${active}`,
    c.failoverLimit,
    async () => (((await c.status()).failures.get(key)?.failCount ?? 0) >= next ? true : undefined),
    1000,
  )
  return found.pid
}

/** ab through the VIP with one, then two real servers in service; the others' apache2 stopped meanwhile. */
async function measureLoad(c: LvsNatPair, env: VerifyEnv): Promise<CheckResult[]> {
  const measured = new Map<number, number>()
  const out: CheckResult[] = []
  for (const n of [1, 2].filter((k) => k <= c.members.length)) out.push(await loadWith(c, env, n, measured))
  await c
    .activeNow()
    .then((active) => c.waitInService(active, c.everyHost, 'every real server back in service'))
    .catch(() => {})
  if (measured.size)
    env.report(loadTable(`ab -c ${LOAD_CONCURRENCY} -t ${env.loadSeconds} ${c.url}`, measured, c.reference))
  return out
}

/** One row of `--load`: ab through the VIP with the first `n` real servers in service. */
function loadWith(c: LvsNatPair, env: VerifyEnv, n: number, measured: Map<number, number>): Promise<CheckResult> {
  const title =
    `load through ${c.url} with ${n} real server${n > 1 ? 's' : ''}: ` +
    `ab -c ${LOAD_CONCURRENCY} for ${env.loadSeconds} s`
  return check(title, async () => {
    const keep = c.everyHost.slice(0, n)
    const down = c.everyHost.slice(n)
    const active = await c.activeNow()
    await c.stopWeb(down)
    try {
      await c.waitInService(active, keep, `${keep.join(', ')} alone in service`)
      const r = await runAb(c.url, env.loadSeconds!)
      if (r.errors)
        throw new Error(`${r.errors} of ${r.complete} requests failed (connect, receive, exceptions or non-2xx)`)
      measured.set(n, r.requestsPerSecond)
      const ref = c.reference?.figures
        .map((f) => (f.servers[n] === undefined ? '' : `${f.tool} ${f.servers[n]} ${f.unit}`))
        .filter(Boolean)
      const seed = ref?.length ? ` (seed, other hardware: ${ref.join('; ')})` : ''
      return `${r.requestsPerSecond.toFixed(0)} req/s, ${r.complete} requests, none failed${seed}`
    } finally {
      await c.startWeb(down).catch(() => {})
    }
  })
}

const basename = (path: string): string => path.replace(/^.*\//, '')
