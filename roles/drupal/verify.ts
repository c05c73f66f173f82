// The Drupal site, live, through each real server's own address and through the VIP (the
// first of lvs_vips, when the topology has one): the front page with the site name, the
// admin's login through the form, and an article with an image made through one real
// server and served by another (one database, one shared files directory).
import { addressOf, check, type CheckResult, type HostContext, kernelModule } from '../../src/sdk.ts'
import drupalRole from './index.ts'
import { adminLogin, createArticle, frontPage, servesArticle } from './live-checks.ts'
import { DrupalClient } from './web-client.ts'
import { localArchive } from './archive.ts'
import { inspectArchive } from './code-base.ts'

type DrupalVars = ReturnType<typeof drupalRole.vars.parse>

/** `directors`: the hosts balancing the VIP; the VIP is asked only where their kernel has ip_vs. */
export async function verifyDrupal(
  drupalHosts: HostContext[],
  inventoryDir: string,
  directors: HostContext[] = [],
): Promise<CheckResult[]> {
  const installed = drupalHosts.filter((h) => {
    const d = drupalRole.vars.parse(h.vars)
    return d.drupal_archive_url || d.drupal_archive_path // a skipped role has no site to ask
  })
  if (!installed.length) return []
  const d = drupalRole.vars.parse(installed[0].vars)
  const major = majorOf(d, inventoryDir)
  const client = (base: string) => new DrupalClient(base, d.drupal_server_name, major)
  const servers = installed.map((h) => ({ name: h.name, base: `http://${addressOf(h.inventoryHost)}` }))
  const vip = await balancedVip(installed[0], directors)
  if (vip) servers.push({ name: `the VIP ${vip}`, base: `http://${vip}` })
  const results: CheckResult[] = []
  for (const s of servers) {
    // The name the lab tests look for: "drupal.ha answers on NODE".
    results.push(
      await check(`${d.drupal_server_name} answers on ${s.name}`, () => frontPage(client(s.base), d.drupal_site_name)),
    )
    results.push(
      await check(`${d.drupal_server_name}: the admin logs in on ${s.name}`, () =>
        adminLogin(client(s.base), d.drupal_admin.name, d.drupal_admin.password),
      ),
    )
  }
  if (servers.length > 1) {
    const [a, b] = servers
    results.push(
      await check(
        `${d.drupal_server_name}: an article with an image made on ${a.name} is served by ${b.name}`,
        async () => {
          const editor = client(a.base)
          await adminLogin(editor, d.drupal_admin.name, d.drupal_admin.password)
          return servesArticle(client(b.base), await createArticle(editor, `halab verify ${new Date().toISOString()}`))
        },
      ),
    )
  }
  return results
}

function majorOf(d: DrupalVars, inventoryDir: string): 7 | 10 {
  if (d.drupal_archive_path && d.drupal_archive_sha256)
    return inspectArchive(localArchive(d.drupal_archive_path, inventoryDir), d.drupal_archive_sha256).major
  return d.drupal_major ?? 10
}

/** The first of lvs_vips, when directors balance it (a kernel with ip_vs on each: not the container lab). */
async function balancedVip(h: HostContext, directors: HostContext[]): Promise<string | undefined> {
  const vips = h.vars.lvs_vips
  if (!Array.isArray(vips) || typeof vips[0] !== 'string' || !directors.length) return undefined
  for (const d of directors) if (!(await d.fact(kernelModule('ip_vs'))).available) return undefined
  return vips[0]
}
