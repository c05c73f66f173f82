// The data tier (postgresql, drupal, apache-php's database-backed identity page) as data:
// the LVS inventories through the real site playbook, without any host, and the decisions
// that keep data safe (create vs. alter, password set only when refused, install once).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { after, test } from 'node:test'
import { loadPlaybook, prepareRun, type PreparedRun } from '../../src/engine/prepare.ts'
import type { HostContext } from '../../src/engine/host-context.ts'
import type { Fact, Task } from '../../src/engine/types.ts'
import { InventoryError } from '../../src/errors.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { planDatabase, planRole } from '../../roles/postgresql/accounts.ts'
import { scramVerifier } from '../../roles/postgresql/scram.ts'
import { SKIPPED } from '../../roles/drupal/index.ts'
import { parseSiteState } from '../../roles/drupal/facts.ts'
import { inspectArchive } from '../../roles/drupal/code-base.ts'
import { tinyDrupalArchive } from '../helpers/drupal-archive.ts'
import { REPO } from '../helpers/cli.ts'
import { join } from 'node:path'

// The drupal role caches what it read from an archive: a fresh cache, so that every run reads them.
// Its archives and that cache live in one folder, removed at the end.
const WORK = mkdtempSync(join(tmpdir(), 'halab-roles-data-'))
process.env.XDG_CACHE_HOME = join(WORK, 'cache')
after(() => rmSync(WORK, { recursive: true, force: true }))
Object.assign(process.env, {
  KEEPALIVED_AUTH_PASS: 'vrrp8chr',
  DRBD_SECRET: 'unit-drbd-secret',
  DRUPAL_DB_PASSWORD: "db-unit-'pw",
  DRUPAL_HASH_SALT: 'salt-unit-0123456789abcdef0123456789',
  DRUPAL_ADMIN_PASSWORD: 'admin-unit',
})
// A composer project (web/ beside vendor/), as the inventories' drupal.ha site expects.
const ARCHIVE = {
  drupal_archive_url: 'https://drupal.invalid/drupal.tar.gz',
  drupal_archive_sha256: 'a'.repeat(64),
  drupal_layout: 'composer',
}

async function prepare(topology: string, extraVars: Record<string, unknown> = ARCHIVE): Promise<PreparedRun> {
  const inv = await loadInventory(join(REPO, 'inventory', topology), {
    extraVars,
    overlayFile: join(REPO, 'inventory', topology, 'lab.yml'),
  })
  const { playbook, file } = await loadPlaybook(REPO, 'site')
  return prepareRun(inv, playbook, file, { projectRoot: REPO })
}
const tasksOf = (run: PreparedRun, host: string, role: string): Task[] =>
  run.plays
    .flatMap((p) => p.hosts.get(host) ?? [])
    .filter((r) => r.role === role)
    .flatMap((r) => r.tasks)
const rendered = (run: PreparedRun, host: string, path: string): string => {
  const t = run.plays
    .flatMap((p) => p.hosts.get(host) ?? [])
    .flatMap((r) => r.tasks)
    .find((t) => t.name === `template ${path}`)
  assert.ok(t && 'rendered' in t, `no template ${path} on ${host}`)
  return String(t.rendered)
}
/** A host whose commands answer from a table (first matching pattern). */
/** A host whose commands and facts answer from `answers` (the first pattern matching the command); `sent` records what ran. */
function hostAnswering(
  name: string,
  answers: [RegExp, string][],
  check = false,
  sent: { command: string; stdin?: string | Buffer }[] = [],
): HostContext {
  const answer = (command: string) => {
    const a = answers.find(([re]) => re.test(command))
    if (!a) throw new Error(`unexpected command ${command}`)
    return { code: 0, stdout: a[1], stderr: '' }
  }
  return {
    name,
    mode: { check, diff: false },
    async run(command: string, opts: { stdin?: string | Buffer } = {}) {
      sent.push({ command, stdin: opts.stdin })
      return answer(command)
    },
    async fact(f: Fact) {
      return f.parse(answer(f.command))
    },
  } as unknown as HostContext
}

test('4-node: PostgreSQL runs on protoss only; terran stops and masks the instance, so two servers never share the data', async () => {
  const run = await prepare('4-node')
  const server = tasksOf(run, 'protoss', 'postgresql').map((t) => t.name)
  assert.deepEqual(server.slice(0, 3), [
    'unmask postgresql@15-main',
    'package present: postgresql',
    'cluster 15/main exists',
  ])
  assert.ok(server.includes('postgresql role drupal') && server.includes('postgresql database drupal'))
  assert.deepEqual(
    tasksOf(run, 'terran', 'postgresql').map((t) => t.name),
    ['postgresql@15-main stopped here (protoss runs PostgreSQL)', 'postgresql@15-main masked here'],
  )
  assert.equal(
    rendered(run, 'protoss', '/etc/postgresql/15/main/conf.d/halab.conf').match(/^listen_addresses = .*$/m)?.[0],
    "listen_addresses = 'localhost,192.168.10.2'",
  )
})

test('pg_hba.conf gets one entry per web server address on the cluster network, for each database owner', async () => {
  for (const [topology, server, addresses] of [
    ['4-node', 'protoss', ['192.168.10.2', '192.168.10.3']],
    ['5-node', 'empresa2', ['10.0.2.5', '10.0.2.6']],
    ['lvs-3rs', 'web1', ['10.78.0.21', '10.78.0.22', '10.78.0.23']],
  ] as const) {
    const run = await prepare(topology)
    const hba = tasksOf(run, server, 'postgresql').find((t) => t.name.startsWith('block web servers'))!
    const plan = await hba.plan({
      mode: { check: false, diff: false },
      prefetch: async () => {},
      fact: async (f: { key: string }) =>
        f.key.startsWith('file:') ? { exists: true, type: 'file', sha256: 'x' } : 'local all postgres peer\n',
    } as unknown as HostContext)
    const after = plan.changes[0].diff!.after
    assert.deepEqual(
      after.split('\n').filter((l) => l.startsWith('host')),
      addresses.map((a) => `host\tdrupal\tdrupal\t${a}/32\tscram-sha-256`),
      topology,
    )
    assert.deepEqual(hba.notify, ['reload postgresql'])
  }
})

test('a role is created with a SCRAM verifier on stdin: the password is on no command line and never sent to the server', () => {
  const [create] = planRole({ exists: false }, { name: 'drupal', password: "s3cr'et", createdb: true }, 5432)
  assert.match(
    create.stdin!.toString(),
    /^CREATE ROLE "drupal" LOGIN CREATEDB PASSWORD 'SCRAM-SHA-256\$4096:[^']+';\n$/,
  )
  assert.ok(!create.command!.includes("s3cr'et") && !create.stdin!.toString().includes('s3cr'))
  assert.doesNotMatch(create.summary + create.display, /s3cr/)
})

test('a right password and attributes change nothing; a refused password is set again; attributes are altered alone', () => {
  const spec = { name: 'drupal', password: 'pw', createdb: true }
  assert.deepEqual(planRole({ exists: true, login: true, createdb: true, password: 'right' }, spec, 5432), [])
  const wrong = planRole({ exists: true, login: true, createdb: true, password: 'wrong' }, spec, 5432)
  assert.deepEqual(
    wrong.map((c) => c.summary),
    ['role drupal: password refused at login, set again'],
  )
  assert.match(wrong[0].stdin!.toString(), /^ALTER ROLE "drupal" PASSWORD 'SCRAM-SHA-256\$/)
  const attrs = planRole({ exists: true, login: true, createdb: false, password: 'right' }, spec, 5432)
  assert.deepEqual(
    attrs.map((c) => c.stdin!.toString()),
    ['ALTER ROLE "drupal" LOGIN CREATEDB;\n'],
  )
})

test("the SCRAM verifier has PostgreSQL's form and depends on password and salt only", () => {
  const salt = Buffer.alloc(16, 7)
  const v = scramVerifier('pencil', salt)
  assert.match(v, /^SCRAM-SHA-256\$4096:BwcHBwcHBwcHBwcHBwcHBw==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/)
  assert.equal(scramVerifier('pencil', salt), v)
  assert.notEqual(scramVerifier('pencil2', salt), v)
})

test('a database is created from template0 with its owner; another owner is altered; another encoding only warned about', () => {
  const spec = { name: 'drupal', owner: 'drupal', encoding: 'UTF8' }
  assert.deepEqual(
    planDatabase({ exists: false }, spec, 5432).changes.map((c) => c.stdin),
    ['CREATE DATABASE "drupal" OWNER "drupal" ENCODING \'UTF8\' TEMPLATE template0;\n'],
  )
  assert.deepEqual(planDatabase({ exists: true, owner: 'drupal', encoding: 'UTF8' }, spec, 5432), {
    changes: [],
    warnings: [],
  })
  assert.deepEqual(
    planDatabase({ exists: true, owner: 'postgres', encoding: 'UTF8' }, spec, 5432).changes.map((c) => c.stdin),
    ['ALTER DATABASE "drupal" OWNER TO "drupal";\n'],
  )
  const sqlAscii = planDatabase({ exists: true, owner: 'drupal', encoding: 'SQL_ASCII' }, spec, 5432)
  assert.deepEqual(sqlAscii.changes, [])
  assert.match(sqlAscii.warnings[0], /SQL_ASCII, not UTF8: left as it is/)
})

test('the role task reads the role and logs in to check the password (on stdin) in one round trip, and fails on any refusal other than a wrong password', async () => {
  const run = await prepare('4-node')
  const role = tasksOf(run, 'protoss', 'postgresql').find((t) => t.name === 'postgresql role drupal')!
  const sent: { command: string; stdin?: string | Buffer }[] = []
  const right = await role.plan(
    hostAnswering(
      'protoss',
      [[/pg_roles.*PGPASSWORD=\$pw psql .* -U drupal /s, 't|t\n1\nlogin-exit=0\n']],
      false,
      sent,
    ),
  )
  assert.deepEqual(right.changes, [])
  assert.equal(sent.length, 1, 'one command: the attributes, then the login')
  assert.equal(String(sent[0].stdin), "db-unit-'pw\n")
  assert.ok(!sent[0].command.includes("db-unit-'pw"), 'the password on no command line')
  const wrong = await role.plan(
    hostAnswering('protoss', [
      [/pg_roles/, 't|t\npsql: error: FATAL:  password authentication failed for user "drupal"\nlogin-exit=2\n'],
    ]),
  )
  assert.deepEqual(
    wrong.changes.map((c) => c.summary),
    ['role drupal: password refused at login, set again'],
  )
  await assert.rejects(
    role.plan(hostAnswering('protoss', [[/pg_roles/, 't|t\nFATAL:  no pg_hba.conf entry for host\nlogin-exit=2\n']])),
    /for another reason: FATAL:  no pg_hba/,
  )
  const fresh = await role.plan(hostAnswering('protoss', [[/pg_roles/, 'no-server\n']], true))
  assert.match(fresh.changes[0].summary, /^create role drupal/)
  assert.match(
    (await role.plan(hostAnswering('protoss', [[/pg_roles/, '\n']]))).changes[0].summary,
    /^create role drupal/,
  )
  // A role that cannot log in is altered, and its password set: no login is tried.
  assert.deepEqual(
    (await role.plan(hostAnswering('protoss', [[/pg_roles/, 'f|t\n']]))).changes.map((c) => c.summary),
    ['role drupal: LOGIN CREATEDB', 'role drupal: password refused at login, set again'],
  )
  // The database's state is a fact, read ahead with the role's other probes.
  const db = tasksOf(run, 'protoss', 'postgresql').find((t) => t.name === 'postgresql database drupal')!
  assert.match(db.facts!(hostAnswering('protoss', []))[0].command, /pg_database WHERE datname = .*drupal/)
  assert.deepEqual((await db.plan(hostAnswering('protoss', [[/pg_database/, 'drupal|UTF8\n']]))).changes, [])
})

test('identity page: one PHP page reading the database server on every real server, credentials outside the document root', async () => {
  const run = await prepare('4-node')
  // The same page on every node (a shared document root): it names the node as it serves.
  const page = rendered(run, 'protoss', '/var/www/ha/index.php')
  assert.equal(rendered(run, 'terran', '/var/www/ha/index.php'), page)
  assert.match(page, /\$node = gethostname\(\);/)
  assert.match(page, /\$c = require '\/etc\/halab\/identity-db\.php';/)
  for (const rs of ['protoss', 'terran']) {
    const db = rendered(run, rs, '/etc/halab/identity-db.php')
    assert.match(
      db,
      /'host' => '192\.168\.10\.2', 'port' => 5432, 'dbname' => 'drupal', 'user' => 'drupal', 'password' => 'db-unit-\\'pw'/,
    )
    const t = tasksOf(run, rs, 'apache-php').find((t) => t.name === 'template /etc/halab/identity-db.php')!
    const plan = await t.plan({
      mode: { check: false, diff: true },
      fact: async () => ({ exists: false }),
    } as unknown as HostContext)
    assert.match(
      plan.changes[0].command!,
      /chgrp -- www-data "\$t" && chmod -- 640 "\$t" && cat > "\$t" && \( php -l "\$t"/,
    )
    assert.doesNotMatch(plan.changes[0].diff!.after, /db-unit/, 'sensitive: no password in diffs')
  }
  // Only the real servers carry the data tier: a director serving its own page gets none of it.
  const inv = await loadInventory(join(REPO, 'inventory', '4-node'), { extraVars: ARCHIVE })
  assert.equal(inv.hosts.get('zerg')!.vars.apache_identity_db, undefined)
  assert.equal(
    inv.hosts.get('protoss')!.origins.apache_identity_db?.replace(/:\d+$/, ''),
    join(REPO, 'inventory', '4-node', 'group_vars', 'realservers.yml'),
  )
  const sites = rendered(run, 'terran', '/etc/apache2/sites-available/drupal.conf')
  assert.match(sites, /ServerName drupal\.ha\n\tDocumentRoot \/var\/www\/drupal\/web\n/)
})

test('drupal: same settings.php on every node, pointing at the PostgreSQL server; the installer runs only on the install node', async () => {
  const run = await prepare('5-node')
  const settings = rendered(run, 'empresa2', '/var/www/drupal/web/sites/default/settings.php')
  assert.equal(rendered(run, 'empresa3', '/var/www/drupal/web/sites/default/settings.php'), settings)
  assert.match(settings, /'host' => '10\.0\.2\.5',/)
  assert.match(settings, /'password' => 'db-unit-\\'pw',/)
  assert.match(settings, /\$settings\['trusted_host_patterns'\] = \['\^drupal\\\\\.ha\$'\];/)
  const install = (h: string) =>
    tasksOf(run, h, 'drupal').find((t) => t.name === 'drupal site installed (by empresa2)')!
  const notInstalled: [RegExp, string][] = [[/status/, 'not-installed\n']]
  const plan = await install('empresa2').plan(hostAnswering('empresa2', notInstalled))
  assert.match(
    plan.changes[0].command!,
    /php \/usr\/local\/lib\/halab\/drupal-site\.php \/var\/www\/drupal\/web install 8\.1 && .* status 8\.1 \| grep -qx installed/,
  )
  assert.deepEqual(JSON.parse(String(plan.changes[0].stdin)).account, {
    name: 'admin',
    mail: 'admin@example.org',
    pass: 'admin-unit',
  })
  assert.ok(!plan.changes[0].command!.includes('admin-unit'), 'the admin password only on stdin')
  assert.deepEqual((await install('empresa3').plan(hostAnswering('empresa3', notInstalled))).changes, [])
  assert.deepEqual((await install('empresa2').plan(hostAnswering('empresa2', [[/status/, 'installed\n']]))).changes, [])
  await assert.rejects(
    install('empresa2').plan(hostAnswering('empresa2', [[/status/, 'incomplete\n']])),
    /half-installed site/,
  )
  // The other node may be looking while empresa2 installs: it waits for nothing and fails on nothing.
  assert.match(
    (await install('empresa3').plan(hostAnswering('empresa3', [[/status/, 'incomplete\n']]))).noop!,
    /being installed, or cut short: empresa2 runs the installer/,
  )
  // Unpacked beside and swapped in by one rename; an existing code base is never unpacked over.
  const unpack = tasksOf(run, 'empresa3', 'drupal').find((t) => t.name === 'unpack the archive into /var/www/drupal')!
  const fresh = await unpack.plan({
    mode: { check: false, diff: false },
    fact: async () => false,
  } as unknown as HostContext)
  assert.match(
    fresh.changes[0].command!,
    /^p=\/var\/www\/drupal; i=\/var\/www\/drupal\/web\/index\.php; .*tar -xf \/var\/cache\/halab\/drupal-a{16}\.tar -C "\$t" --strip-components=1 .*\{ rmdir \/var\/www\/drupal\/web 2>\/dev\/null \|\| true; \} && if rmdir "\$p" 2>\/dev\/null; then mv "\$t" "\$p"; else .*while \[ ! -e "\$i" \].*test -e "\$i"/,
  )
  assert.deepEqual(
    (await unpack.plan({ mode: { check: false, diff: false }, fact: async () => true } as unknown as HostContext))
      .changes,
    [],
  )
  assert.equal(parseSiteState('warning\ninstalled\n'), 'installed')
  assert.throws(() => parseSiteState('PHP Fatal error'), /unexpected answer/)
})

test('drupal: a local archive whose sha256 differs is refused before any connection, naming the field', async () => {
  const tiny = tinyDrupalArchive({ version: '10.5.4', layout: 'composer' }, WORK)
  await assert.rejects(
    prepare('4-node', { drupal_archive_path: tiny.path, drupal_archive_sha256: 'b'.repeat(64) }),
    (e: unknown) =>
      e instanceof InventoryError &&
      /drupal_archive_path: .* has sha256 [0-9a-f]{64}, not drupal_archive_sha256 b{64}/.test(e.message),
  )
  const run = await prepare('4-node', { drupal_archive_path: tiny.path, drupal_archive_sha256: tiny.sha256 })
  const copy = tasksOf(run, 'terran', 'drupal').find((t) => t.name.startsWith('drupal archive '))!
  const plan = await copy.plan({
    mode: { check: false, diff: false },
    fact: async () => ({ exists: false }),
  } as unknown as HostContext)
  assert.match(plan.changes[0].command!, new RegExp(`echo '${tiny.sha256}  '"\\$t" \\| sha256sum -c --quiet -`))
  await assert.rejects(
    prepare('4-node', { drupal_archive_url: 'https://drupal.invalid/drupal.tar.gz' }),
    (e: unknown) => e instanceof InventoryError && /drupal_archive_sha256 is not set/.test(e.message),
  )
})

test('drupal: layout, version and PHP come from the archive; the install runs with that PHP floor', async () => {
  const composer = tinyDrupalArchive({ version: '10.5.4', layout: 'composer', php: '8.1.0' }, WORK)
  assert.deepEqual(inspectArchive(composer.path, composer.sha256), {
    layout: 'composer',
    major: 10,
    version: '10.5.4',
    webDir: 'web',
    phpMin: '8.1.0',
  })
  const classic = tinyDrupalArchive({ version: '10.3.1', php: '8.3.0' }, WORK)
  assert.deepEqual(inspectArchive(classic.path, classic.sha256), {
    layout: 'classic',
    major: 10,
    version: '10.3.1',
    webDir: '',
    phpMin: '8.3.0',
  })
  const seven = tinyDrupalArchive({ version: '7.105' }, WORK)
  assert.equal(inspectArchive(seven.path, seven.sha256).major, 7)
  // A classic archive in an inventory whose drupal.ha serves web/: what to change, before anything runs.
  await assert.rejects(
    prepare('4-node', { drupal_archive_path: classic.path, drupal_archive_sha256: classic.sha256 }),
    (e: unknown) =>
      e instanceof InventoryError &&
      /hosts protoss, terran: .*apache_sites: the site drupal\.ha has document_root \/var\/www\/drupal\/web, but this Drupal \(classic layout\) is served from \/var\/www\/drupal: set its document_root to \/var\/www\/drupal/.test(
        e.message,
      ),
  )
  const run = await prepare('4-node', {
    drupal_archive_path: classic.path,
    drupal_archive_sha256: classic.sha256,
    apache_sites: [{ name: 'drupal', server_name: 'drupal.ha', document_root: '/var/www/drupal' }],
  })
  const install = tasksOf(run, 'protoss', 'drupal').find((t) => t.name.startsWith('drupal site installed'))!
  const plan = await install.plan(hostAnswering('protoss', [[/status/, 'not-installed\n']]))
  assert.match(plan.changes[0].command!, /drupal-site\.php \/var\/www\/drupal install 8\.3\.0 &&/)
})

test('drupal: Drupal 7 gets its own settings.php ($drupal_hash_salt, no Drupal 10 settings) and no config sync', async () => {
  const seven = tinyDrupalArchive({ version: '7.105' }, WORK)
  const run = await prepare('lvs-3rs', {
    drupal_archive_path: seven.path,
    drupal_archive_sha256: seven.sha256,
    apache_sites: [{ name: 'drupal', server_name: 'drupal.ha', document_root: '/var/www/drupal' }],
  })
  const settings = rendered(run, 'web1', '/var/www/drupal/sites/default/settings.php')
  assert.match(settings, /^\$drupal_hash_salt = 'salt-unit-0123456789abcdef0123456789';$/m)
  assert.match(settings, /'driver' => 'pgsql',\n {2}'database' => 'drupal',/)
  assert.doesNotMatch(settings, /\$settings\[|namespace/)
  assert.ok(!tasksOf(run, 'web1', 'drupal').some((t) => t.name.includes('-config')))
})

test('drupal: an archive that is not Drupal, or a Drupal major the role does not know, names the file and what to do', async () => {
  const bad = async (archive: { path: string; sha256: string }, re: RegExp) =>
    assert.rejects(
      prepare('4-node', { drupal_archive_path: archive.path, drupal_archive_sha256: archive.sha256 }),
      (e: unknown) => e instanceof InventoryError && re.test(e.message),
    )
  await bad(
    tinyDrupalArchive({ version: '11.1.0', layout: 'composer' }, WORK),
    /hosts protoss, terran: drupal: drupal_archive_path: \S+ holds Drupal 11\.1\.0: the drupal role installs Drupal 7 and 10 only/,
  )
  const notDrupal = join(WORK, 'not-drupal.tar')
  execFileSync('tar', ['-cf', notDrupal, '-C', join(REPO, 'docs'), '.'])
  const sha = createHash('sha256').update(readFileSync(notDrupal)).digest('hex')
  await bad(
    { path: notDrupal, sha256: sha },
    /drupal_archive_path: \S+ is not packed as a Drupal release|is not a Drupal code base/,
  )
  const text = join(REPO, 'README.md')
  await bad(
    { path: text, sha256: createHash('sha256').update(readFileSync(text)).digest('hex') },
    /drupal_archive_path: \S+README\.md is not a readable tar archive/,
  )
})

test('drupal: without an archive the plan skips the role, with one note on each Drupal host saying how', async () => {
  const run = await prepare('4-node', {})
  for (const host of ['protoss', 'terran']) {
    const drupal = run.plays.flatMap((p) => p.hosts.get(host) ?? []).find((r) => r.role === 'drupal')!
    assert.deepEqual(drupal.tasks, [])
    assert.deepEqual(drupal.notes, [SKIPPED])
  }
  assert.match(SKIPPED, /set drupal_archive_url .* and drupal_archive_sha256/)
  // The rest of the data tier still runs.
  assert.ok(tasksOf(run, 'protoss', 'postgresql').length > 0)
})

test('drupal: an owner that could become a chown option is invalid input naming host and field', async () => {
  await assert.rejects(prepare('4-node', { ...ARCHIVE, drupal_owner: '--reference=/etc/shadow' }), (e: unknown) => {
    assert.ok(e instanceof InventoryError)
    assert.match(
      e.message,
      /hosts protoss, terran, field drupal_owner: drupal: expected a user or group name .*not starting with "-"/,
    )
    return true
  })
})
