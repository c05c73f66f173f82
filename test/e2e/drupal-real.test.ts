// The drupal role installs real Drupal, on loopback: Drupal 10.5.4 (composer project, web/)
// and Drupal 7.105 (classic) from ../shared/fixtures/drupal, each with its own database on
// a PostgreSQL cluster of the test's own, through the runner and an sshd on loopback. Then
// `php -S` serves each site (two servers on one document root for Drupal 10, as two real
// servers share theirs): the front page carries the site name, the admin logs in through
// the login form, an article with an image made through one server is served by the other.
// A second run changes nothing, never reinstalls, and the article is still there. The
// controller's cache of what it read from the archives starts empty, so the first run reads them.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  adminLogin,
  type Article,
  createArticle,
  frontPage,
  servesArticle,
  servesImage,
} from '../../roles/drupal/live-checks.ts'
import { DrupalClient } from '../../roles/drupal/web-client.ts'
import { REPO, runCli, type CliResult } from '../helpers/cli.ts'
import { DRUPAL10, DRUPAL7, realDrupalArchive, realDrupalMissing } from '../helpers/drupal-archive.ts'
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts'
import { freePort, sshdAvailable, sshdVarsYaml, startSshd, type TestSshd } from '../helpers/sshd.ts'

const SECRETS = {
  DRUPAL_DB_PASSWORD: "db-real-'pw",
  DRUPAL_HASH_SALT: 'salt-real-0123456789abcdef0123456789abcdef',
  DRUPAL_ADMIN_PASSWORD: 'admin-real-pw',
}
const HOST = 'drupal.test'

function phpMissing(): string | undefined {
  const r = spawnSync('php', ['-r', 'echo extension_loaded("pdo_pgsql") && extension_loaded("gd") ? "ok" : "no";'], {
    encoding: 'utf8',
  })
  return r.stdout === 'ok' ? undefined : 'php-cli with pdo_pgsql and gd is missing (scripts/ensure-test-deps.sh)'
}
const skip = realDrupalMissing() ?? sshdAvailable() ?? postgresMissing() ?? phpMissing() ?? false
if (skip) console.log(`# drupal-real: skipped: ${skip}`)

let sshd: TestSshd
let pg: TestPostgres
let work: string
const servers: ChildProcess[] = []

/** A project holding only the drupal play, the repository's roles, and one inventory with a D10 and a D7 host. */
function project(): string {
  const root = join(work, 'project')
  mkdirSync(join(root, 'playbooks'), { recursive: true })
  symlinkSync(join(REPO, 'roles'), join(root, 'roles'))
  writeFileSync(
    join(root, 'playbooks', 'site.ts'),
    `import { definePlaybook } from '${join(REPO, 'src', 'sdk.ts')}'\n` +
      `export default definePlaybook({ plays: [{ name: 'drupal', hosts: 'drupal', roles: ['drupal'] }] })\n`,
  )
  const inv = join(root, 'inventory')
  mkdirSync(inv)
  copyFileSync(sshd.knownHostsPath, join(inv, 'known_hosts'))
  const host = (name: string, archive: string, site: string) => {
    const a = realDrupalArchive(archive)
    return [
      `        ${name}:`,
      `          drupal_install_node: ${name}`,
      `          drupal_root: ${join(work, name)}`,
      `          drupal_archive_path: ${a.path}`,
      `          drupal_archive_sha256: ${a.sha256}`,
      `          drupal_archive_cache: ${join(work, 'cache', name)}`,
      `          drupal_driver: ${join(work, 'lib', name, 'drupal-site.php')}`,
      `          drupal_site_name: ${site}`,
      `          drupal_db: { host: 127.0.0.1, port: ${pg.port}, name: ${name}, user: drupal, ` +
        `password: "\${DRUPAL_DB_PASSWORD}" }`,
    ].join('\n')
  }
  writeFileSync(
    join(inv, 'hosts.yml'),
    `all:\n  vars:\n${sshdVarsYaml(sshd)}` +
      `    drupal_server_name: ${HOST}\n` +
      `    drupal_hash_salt: "\${DRUPAL_HASH_SALT}"\n` +
      `    drupal_admin: { name: admin, mail: admin@example.org, password: "\${DRUPAL_ADMIN_PASSWORD}" }\n` +
      `  children:\n    drupal:\n      hosts:\n` +
      `${host('d10', DRUPAL10, 'Halab Diez')}\n${host('d7', DRUPAL7, 'Halab Siete')}\n`,
  )
  return root
}

/** `php -S` as www-data on a free port; Drupal 10 through its router (.ht.router.php). */
async function phpServer(docroot: string, router?: string): Promise<string> {
  const port = await freePort()
  const uid = Number(spawnSync('id', ['-u', 'www-data'], { encoding: 'utf8' }).stdout)
  const args = ['-S', `127.0.0.1:${port}`, '-t', docroot, ...(router ? [router] : [])]
  const proc = spawn('php', args, { cwd: docroot, uid, gid: uid, stdio: 'ignore' })
  servers.push(proc)
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/robots.txt`).catch(() => undefined)
    if (r) return `http://127.0.0.1:${port}`
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error(`php -S on ${port} did not start`)
}

const recap = (r: CliResult, host: string) =>
  r.stdout
    .split('\n')
    .find((l) => l.startsWith(host) && l.includes(' : ok='))
    ?.replace(/\s+/g, ' ') ?? ''

/** The figures docs/bench.md quotes: the whole command, and the run after prepare (its recap's time). */
const timing = (r: CliResult, ms: number) =>
  `${(ms / 1000).toFixed(1)} s, of which the run ${/RECAP \(([\d.]+) s\)/.exec(r.stdout)?.[1] ?? '?'} s`

describe('drupal role, real Drupal 10 (composer) and Drupal 7 on loopback', { skip }, () => {
  let root: string
  let first: CliResult
  let firstMs = 0
  const article: Record<string, Article> = {}
  const base: Record<string, string[]> = {}

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'halab-drupal-real-'))
    chmodSync(work, 0o755) // www-data walks through it to the sites
    sshd = await startSshd()
    pg = await startPostgres()
    pg.sql(`CREATE ROLE drupal LOGIN PASSWORD '${SECRETS.DRUPAL_DB_PASSWORD.replace(/'/g, "''")}'`)
    for (const db of ['d10', 'd7']) pg.sql(`CREATE DATABASE ${db} OWNER drupal ENCODING 'UTF8' TEMPLATE template0`)
    root = project()
    // As apache-php leaves it before the drupal role runs: the site's DocumentRoot, empty.
    mkdirSync(join(work, 'd10', 'web'), { recursive: true })
    const t0 = performance.now()
    first = await runCli(['site', '-i', join(root, 'inventory')], {
      cwd: root,
      env: { ...SECRETS, XDG_CACHE_HOME: join(work, 'cache-controller') },
    })
    firstMs = performance.now() - t0
    base.d10 = [await phpServer(join(work, 'd10', 'web'), '.ht.router.php')]
    base.d10.push(await phpServer(join(work, 'd10', 'web'), '.ht.router.php'))
    base.d7 = [await phpServer(join(work, 'd7')), await phpServer(join(work, 'd7'))]
  })
  after(async () => {
    for (const p of servers) if (p.exitCode === null) p.kill('SIGTERM')
    await pg?.stop()
    await sshd?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('installs both sites in one run, each on its own host, without the secrets in the output', () => {
    assert.equal(first.code, 0, first.stdout + first.stderr)
    console.log(`# drupal-real: first run (both installs in parallel) ${timing(first, firstMs)}`)
    for (const h of ['d10', 'd7']) assert.match(recap(first, h), /failed=0/)
    for (const s of Object.values(SECRETS))
      assert.ok(!(first.stdout + first.stderr).includes(s), 'a secret in the output')
    const installed = (db: string, table: string) => pg.sql(`SELECT count(*) FROM ${table}`, db)
    assert.equal(installed('d10', 'users_field_data WHERE uid = 1'), '1')
    assert.equal(installed('d7', 'users WHERE uid = 1'), '1')
  })

  for (const [name, major, site] of [
    ['d10', 10, 'Halab Diez'],
    ['d7', 7, 'Halab Siete'],
  ] as const) {
    const client = (i: number) => new DrupalClient(base[name][i], HOST, major)

    it(`${name}: both servers show the front page with the site name; the admin logs in through the form`, async () => {
      for (const i of [0, 1]) assert.match(await frontPage(client(i), site), new RegExp(site))
      assert.match(await adminLogin(client(0), 'admin', SECRETS.DRUPAL_ADMIN_PASSWORD), /admin\/config HTTP 200/)
      await assert.rejects(adminLogin(client(1), 'admin', 'not-the-password'), /did not accept admin/)
    })

    it(`${name}: an article with an image made through one server is served by the other`, async () => {
      const editor = client(0)
      await adminLogin(editor, 'admin', SECRETS.DRUPAL_ADMIN_PASSWORD)
      article[name] = await createArticle(editor, `Artículo ${name} ${process.pid}`)
      assert.match(await servesArticle(client(1), article[name]), /\(HTTP 200\)$/)
      assert.match(await servesImage(client(1), article[name]), /\.png \(HTTP 200, \d+ bytes\)$/)
    })
  }

  it('a second run changes nothing, never reinstalls, and the articles are still there', async () => {
    const t0 = performance.now()
    const again = await runCli(['site', '-i', join(root, 'inventory')], {
      cwd: root,
      env: { ...SECRETS, XDG_CACHE_HOME: join(work, 'cache-controller') },
    })
    console.log(`# drupal-real: no-op rerun ${timing(again, performance.now() - t0)}`)
    assert.equal(again.code, 0, again.stdout + again.stderr)
    for (const h of ['d10', 'd7']) assert.match(recap(again, h), /changed=0 .*failed=0/)
    assert.doesNotMatch(again.stdout, /install the site/)
    for (const [name, major] of [
      ['d10', 10],
      ['d7', 7],
    ] as const) {
      const other = new DrupalClient(base[name][1], HOST, major)
      await servesArticle(other, article[name])
      await servesImage(other, article[name])
    }
  })

  it('a database refusing the password stops the run naming host and field; settings.php stays', async () => {
    const settings = join(work, 'd10', 'web', 'sites', 'default', 'settings.php')
    const before = readFileSync(settings)
    const env = { ...SECRETS, DRUPAL_DB_PASSWORD: 'not-the-password', XDG_CACHE_HOME: join(work, 'cache-controller') }
    const r = await runCli(['site', '-i', join(root, 'inventory'), '--limit', 'd10'], { cwd: root, env })
    assert.notEqual(r.code, 0)
    assert.match(
      r.stdout + r.stderr,
      /^\s*d10 \| drupal \| .*: command failed on d10|\[d10\] drupal \| .*FAILED/m,
      'the host and the task',
    )
    assert.match(
      r.stdout + r.stderr,
      /refused drupal's login .*password authentication failed.*drupal_db\.password must be the password/s,
    )
    assert.ok(!(r.stdout + r.stderr).includes('not-the-password'), 'the wrong password in the output')
    assert.deepEqual(readFileSync(settings), before)
    await frontPage(new DrupalClient(base.d10[0], HOST, 10), 'Halab Diez')
  })

  it('a PHP older than the archive asks for is refused by the driver, saying which PHP it needs', () => {
    const r = spawnSync(
      'php',
      [join(work, 'lib', 'd10', 'drupal-site.php'), join(work, 'd10', 'web'), 'status', '99.0'],
      {
        encoding: 'utf8',
      },
    )
    assert.equal(r.status, 3)
    assert.match(r.stderr, /^PHP 8\.\S+ is too old for this Drupal \(it needs PHP 99\.0 or later\)/)
  })
})
