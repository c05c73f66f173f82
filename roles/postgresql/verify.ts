// The data tier, live: exactly one node runs PostgreSQL (never two postmasters on one data
// directory), every web server's identity page shows a value it read from that server,
// and the Drupal site answers, logs its admin in and shares its content (roles/drupal/site-checks.ts).
import apacheRole from '../apache-php/index.ts'
import { verifyDrupal } from '../drupal/site-checks.ts'
import postgresqlRole from './index.ts'
import { databaseServer } from './server.ts'
import {
  addressOf,
  check,
  type CheckResult,
  defineVerify,
  type HostContext,
  httpGet,
  servingNode,
  sh,
  type VerifyEnv,
} from '../../src/sdk.ts'

export default defineVerify({
  title: 'data tier (PostgreSQL, Drupal)',
  run: (env) =>
    verifyData(env.pick('postgresql'), env.pick('apache-php'), env.pick('drupal'), env, env.pick('keepalived')),
})

export async function verifyData(
  databaseHosts: HostContext[],
  webServers: HostContext[],
  drupalHosts: HostContext[],
  env: Pick<VerifyEnv, 'inventory'>,
  directors: HostContext[] = [],
): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  const first = databaseHosts[0]
  const vars = postgresqlRole.vars.parse(first.vars)
  const server = databaseServer(env.inventory, first.vars, first.inventoryHost)
  if (!server) throw new Error('postgresql_server_node is not set')
  const instance = `postgresql@${vars.postgresql_version}-${vars.postgresql_cluster}`

  results.push(
    await check(`PostgreSQL runs on ${server.node} alone`, async () => {
      const running = (
        await Promise.all(
          databaseHosts.map(async (h) =>
            (await h.run(sh`systemctl is-active --quiet ${instance}`, { allowFailure: true })).code === 0 ? h.name : '',
          ),
        )
      ).filter(Boolean)
      if (running.join() !== server.node)
        throw new Error(`${instance} is active on: ${running.join(', ') || 'no node'}`)
      return `${instance} active on ${server.node}, inactive on ${databaseHosts.length - 1} other node(s)`
    }),
  )
  for (const web of webServers) {
    if (!apacheRole.vars.parse(web.vars).apache_identity_db) continue
    results.push(
      await check(`${web.name}'s identity page reads from PostgreSQL`, async () => {
        const { body } = await httpGet(`http://${addressOf(web.inventoryHost)}/`, 15_000)
        const node = servingNode(body)
        if (node !== web.name) throw new Error(`answered as ${node ?? 'no identity page'}`)
        const error = /id="db-error">([^<]*)</.exec(body)?.[1]
        if (error) throw new Error(`the page could not read the database: ${error}`)
        const value = /id="db">([^<]*)</.exec(body)?.[1]
        if (!value?.endsWith(` at ${server.address}`))
          throw new Error(`database value ${JSON.stringify(value ?? null)} does not come from ${server.address}`)
        return value
      }),
    )
  }
  results.push(...(await verifyDrupal(drupalHosts, env.inventory.dir, directors)))
  return results
}
