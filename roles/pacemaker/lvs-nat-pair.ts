// What the LVS-NAT checks know of the cluster under test: the directors running the Pacemaker group
// with ldirectord and the VIPs, the real servers ldirectord.cf lists, and the probes the checks share
// (crm_mon, the active director's IPVS table, requests through the VIP).
import ldirectordRole from '../ldirectord/index.ts'
import pacemakerRole from './index.ts'
import {
  addressOf,
  type HostContext,
  httpGet,
  ipvsDestinations,
  LoadReference,
  servingNode,
  sh,
  waitFor,
} from '../../src/sdk.ts'
import { groupNode, parseCrmMon, type ClusterStatus } from './crm-mon.ts'

export const FORWARD = { masq: 'Masq', gate: 'Route', ipip: 'Tunnel' } as const

type LdirectordVars = ReturnType<typeof ldirectordRole.vars.parse>
type PacemakerVars = ReturnType<typeof pacemakerRole.vars.parse>

export class LvsNatPair {
  readonly ld: LdirectordVars
  readonly virtual: LdirectordVars['ldirectord_virtuals'][number]
  readonly url: string
  /** `vip:port`, as ipvsadm names the service. */
  readonly service: string
  readonly agent: PacemakerVars['pacemaker_primitives'][number]
  readonly group: PacemakerVars['pacemaker_groups'][number]
  /** The group's IPaddr2 addresses. */
  readonly ips: string[]
  readonly reference: LoadReference | undefined
  /** The real servers, as ldirectord.cf lists them: the group's hosts at their real_network address. */
  readonly members: { host: string; address: string }[]
  readonly everyHost: string[]
  /** ldirectord notices a server within checkinterval + checktimeout; margin for a slow guest. */
  readonly healthLimit: number
  readonly failoverLimit = 120_000

  /** Throws when the directors' variables have no ldirectord primitive in a group. */
  constructor(
    /** The directors that are up: a check that powers one off takes it out, and puts it back. */
    public directors: HostContext[],
    readonly realServers: HostContext[],
  ) {
    const names = directors.map((d) => d.name)
    this.ld = ldirectordRole.vars.parse(directors[0].vars)
    const pm = pacemakerRole.vars.parse(directors[0].vars)
    this.virtual = this.ld.ldirectord_virtuals[0]
    const [vip, port] = this.virtual.virtual.split(':')
    this.url = `http://${vip}:${port}/`
    const agent = pm.pacemaker_primitives.find((p) => p.agent.endsWith(':ldirectord'))
    const group = pm.pacemaker_groups.find((g) => agent && g.members.includes(agent.id))
    if (!agent || !group)
      throw new Error(
        'pacemaker_primitives has no ocf:heartbeat:ldirectord primitive in a group (pacemaker_groups) ' +
          `on ${names.join(', ')}`,
      )
    this.agent = agent
    this.group = group
    this.reference = loadReference(directors[0])
    this.ips = pm.pacemaker_primitives
      .filter((p) => group.members.includes(p.id) && p.agent.endsWith(':IPaddr2'))
      .map((p) => p.params.ip)
    const virtual = this.virtual
    this.members = realServers
      .filter((h) => h.inventoryHost.groups.includes(virtual.real_group))
      .map((h) => ({
        host: h.name,
        address: `${addressOf(h.inventoryHost, { network: virtual.real_network })}:${virtual.real_port}`,
      }))
    this.everyHost = this.members.map((m) => m.host)
    this.service = `${vip}:${port}`
    this.healthLimit = (this.ld.ldirectord_checkinterval + this.ld.ldirectord_checktimeout) * 1000 + 20_000
  }

  byName(n: string): HostContext {
    return this.directors.find((d) => d.name === n)!
  }

  server(n: string): HostContext {
    return this.realServers.find((h) => h.name === n)!
  }

  /** crm_mon from the first director that answers. */
  async status(): Promise<ClusterStatus> {
    let last: unknown
    for (const d of this.directors) {
      try {
        return parseCrmMon((await d.run('crm_mon -1 --output-as=xml')).stdout)
      } catch (e) {
        last = e
      }
    }
    throw last
  }

  waitGroupOn(want: (node: string) => boolean, what: string, limit = this.failoverLimit) {
    return waitFor(
      what,
      limit,
      async () => {
        const node = groupNode(await this.status(), this.group.id)
        return node && want(node) ? node : undefined
      },
      1000,
    )
  }

  /** The real servers with weight > 0 in the active director's table, once they are exactly `want`. */
  waitInService(active: string, want: string[], what: string) {
    return waitFor(
      `${what} (ipvsadm on ${active})`,
      this.healthLimit,
      async () => {
        const table = ipvsDestinations((await this.byName(active).run(sh`ipvsadm -Ln -t ${this.service}`)).stdout)
        const up = this.members
          .filter((m) => table.some((e) => e.address === m.address && e.weight > 0))
          .map((m) => m.host)
        return up.sort().join() === [...want].sort().join() ? table : undefined
      },
      500,
    )
  }

  stopWeb(hosts: string[]) {
    return Promise.all(hosts.map((h) => this.server(h).run('systemctl stop apache2')))
  }

  startWeb(hosts: string[]) {
    return Promise.all(hosts.map((h) => this.server(h).run('systemctl start apache2')))
  }

  /** `n` requests through the VIP: who answered each, and the address the seed's page printed. */
  async through(n: number): Promise<string[]> {
    const seen: string[] = []
    for (let i = 0; i < n; i++) {
      const page = await httpGet(this.url, 5000)
      if (page.status !== 200) throw new Error(`request ${i + 1} through ${this.url}: HTTP ${page.status}`)
      const node = servingNode(page.body) ?? 'no identity page'
      const address = /id="address">([^<]*)</.exec(page.body)?.[1]
      const m = this.members.find((x) => x.host === node)
      if (address !== undefined && m && `${address}:${this.virtual.real_port}` !== m.address)
        throw new Error(`${node}'s page says it is ${address}, ldirectord.cf says ${m.address}`)
      seen.push(node)
    }
    return seen
  }

  /** Two rounds through the VIP; round robin answers from every real server once per round. */
  async alternation(): Promise<string[]> {
    const { members, everyHost } = this
    const seen = await this.through(members.length * 2)
    const rounds = [seen.slice(0, members.length), seen.slice(members.length)]
    if (this.virtual.scheduler === 'rr' && rounds.some((r) => new Set(r).size !== members.length))
      throw new Error(
        `round robin over ${members.length} servers should answer from each once per ${members.length} requests: ` +
          seen.join(', '),
      )
    const strangers = seen.filter((s) => !everyHost.includes(s))
    if (strangers.length) throw new Error(`answers from ${[...new Set(strangers)].join(', ')}: ${seen.join(', ')}`)
    return seen
  }

  async activeNow(): Promise<string> {
    return (await this.waitGroupOn(() => true, `group ${this.group.id} started on one director`)).value
  }
}

/** The figures `--load` prints beside its own; a malformed variable fails the suite before any check. */
function loadReference(director: HostContext): LoadReference | undefined {
  const value = director.vars.verify_load_reference
  if (value === undefined) return undefined
  const parsed = LoadReference.safeParse(value)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
    throw new Error(`verify_load_reference on ${director.name}: ${issues.join('; ')}`)
  }
  return parsed.data
}
