// The Drupal site, live, through each real server's own address and through the VIP (the
// first of lvs_vips, when the topology has one): the front page with the site name, the
// admin's login through the form, and an article made through one real server and served
// by another (one database), its image too where the files directory is shared (OCFS2, NFS).
import { addressOf, check, type CheckResult, type HostContext, kernelModule, NotRun, sh } from '../../src/sdk.ts'
import drupalRole, { siteCodeBase } from './index.ts'
import { adminLogin, type Article, createArticle, frontPage, servesArticle, servesImage } from './live-checks.ts'
import { DrupalClient } from './web-client.ts'

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
  const { major } = siteCodeBase(d, installed[0].vars, inventoryDir).code
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
  if (installed.length > 1) results.push(...(await acrossServers(d, client, installed[0], installed[1], inventoryDir)))
  return results
}

/** An article made through one real server is served by another; its image too, where the files are shared. */
async function acrossServers(
  d: DrupalVars,
  client: (base: string) => DrupalClient,
  a: HostContext,
  b: HostContext,
  inventoryDir: string,
): Promise<CheckResult[]> {
  const base = (h: HostContext) => `http://${addressOf(h.inventoryHost)}`
  let article: Article | undefined
  const made = await check(`${d.drupal_server_name}: an article made on ${a.name} is served by ${b.name}`, async () => {
    const editor = client(base(a))
    await adminLogin(editor, d.drupal_admin.name, d.drupal_admin.password)
    article = await createArticle(editor, `halab verify ${new Date().toISOString()}`)
    return servesArticle(client(base(b)), article)
  })
  // Files on storage of each node's own (lvs-3rs, containers): an upload stays where it was made, so there
  // is nothing to check across servers, rather than a check "not run".
  const files = `${siteCodeBase(d, a.vars, inventoryDir).webRoot}/sites/default/files`
  const kinds = await Promise.all(
    [a, b].map(async (h) => (await h.run(sh`stat -f -c %T ${files}`, { allowFailure: true })).stdout.trim()),
  )
  if (kinds.some((k) => !SHARED.includes(k))) return [made]
  const image = await check(`${d.drupal_server_name}: an image uploaded on ${a.name} is served by ${b.name}`, () => {
    if (!article) throw new NotRun('no article was made')
    return servesImage(client(base(b)), article)
  })
  return [made, image]
}

/** What `stat -f` calls the filesystems two nodes can share. */
const SHARED = ['ocfs2', 'nfs', 'nfs4', 'gfs2', 'glusterfs', 'fuseblk', 'fuse.glusterfs']

/** The first of lvs_vips, when directors balance it (a kernel with ip_vs on each: not the container lab). */
async function balancedVip(h: HostContext, directors: HostContext[]): Promise<string | undefined> {
  const vips = h.vars.lvs_vips
  if (!Array.isArray(vips) || typeof vips[0] !== 'string' || !directors.length) return undefined
  for (const d of directors) if (!(await d.fact(kernelModule('ip_vs'))).available) return undefined
  return vips[0]
}
