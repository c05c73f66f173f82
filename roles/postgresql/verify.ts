// The data tier, live: exactly one node runs PostgreSQL (never two postmasters on one data
// directory), every web server's identity page shows a value it read from that server,
// and every Drupal node answers for the site's name with the installed site.
import apacheRole from '../apache-php/index.ts'
import drupalRole from '../drupal/index.ts'
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
  run: (env) => verifyData(env.pick('postgresql'), env.pick('apache-php'), env.pick('drupal'), env),
})

export async function verifyData(
  databaseHosts: HostContext[],
  webServers: HostContext[],
  drupalHosts: HostContext[],
  env: Pick<VerifyEnv, 'inventory'>,
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
  for (const h of drupalHosts) {
    const d = drupalRole.vars.parse(h.vars)
    if (!d.drupal_archive_url && !d.drupal_archive_path) continue // the role was skipped: no site to ask
    results.push(
      await check(`${d.drupal_server_name} answers on ${h.name}`, async () => {
        const { status, body } = await httpGet(`http://${addressOf(h.inventoryHost)}/`, 10000, {
          host: d.drupal_server_name,
        })
        const title = /<title>([^<]*)<\/title>/.exec(body)?.[1]
        if (status !== 200 || !title?.includes(d.drupal_site_name))
          throw new Error(
            `HTTP ${status}, title ${JSON.stringify(title ?? null)} (expected ` +
              `the site name ${JSON.stringify(d.drupal_site_name)})`,
          )
        return `HTTP 200, "${title}"`
      }),
    )
  }
  return results
}
