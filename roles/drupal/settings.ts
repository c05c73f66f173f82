// settings.php: rendered from the inventory, identical on every web node (one database, one
// hash salt), in Drupal 10's or Drupal 7's form. It holds the database password and the hash
// salt, so it is written sensitive (no diff, no content in output), root-owned and readable
// by the web server's group only, with that final mode from its creation.
import { type HostContext, type Plan, sh, template, type Task } from '../../src/sdk.ts'
import { phpString } from '../apache-php/index.ts'
import type { Major } from './code-base.ts'

export interface SettingsSpec {
  major: Major
  /** The document root: settings.php goes in its sites/default. */
  webRoot: string
  owner: string
  db: { name: string; user: string; password: string; host: string; port: number; prefix: string }
  hashSalt: string
  configSync: string
  serverName: string
}

/** The values the templates print, each a PHP literal. */
export function settingsValues(spec: SettingsSpec) {
  const { db } = spec
  return {
    db: {
      name: phpString(db.name),
      user: phpString(db.user),
      password: phpString(db.password),
      host: phpString(db.host),
      port: String(db.port),
      prefix: phpString(db.prefix),
    },
    hashSalt: phpString(spec.hashSalt),
    configSync: phpString(spec.configSync),
    trustedHosts: `[${phpString(`^${spec.serverName.replace(/[.\\]/g, '\\$&')}$`)}]`,
  }
}

type Render = (name: string, extra?: Record<string, unknown>) => string

/**
 * settings.php, written only once the database accepts its login: a password in .env that
 * PostgreSQL refuses never replaces a working settings.php. The login is tried only when
 * the file is about to change, so a no-op rerun pays no extra round trip.
 */
export function settingsTask(spec: SettingsSpec, render: Render): Task {
  const file = settingsFile(spec, render)
  return {
    ...file,
    async plan(host): Promise<Plan> {
      const plan = await file.plan(host)
      if (plan.changes.length && !host.mode.check) await databaseAcceptsLogin(host, spec)
      return plan
    },
  }
}

/** A PDO login as settings.php will make it, the password on stdin (libpq reads PGPASSWORD). */
async function databaseAcceptsLogin(host: HostContext, spec: SettingsSpec): Promise<void> {
  const { db } = spec
  const dsn = `pgsql:host=${db.host};port=${db.port};dbname=${db.name};connect_timeout=5`
  const php =
    `try { new PDO(${phpString(dsn)}, ${phpString(db.user)}); } ` +
    'catch (Throwable $e) { fwrite(STDERR, $e->getMessage()); exit(1); }'
  // Before apache-php installed PHP there is nothing to ask with: the installer asks later.
  const r = await host.run(
    'command -v php >/dev/null || exit 0; IFS= read -r pw; PGPASSWORD=$pw php -r ' + sh`${php}`,
    {
      stdin: db.password + '\n',
      allowFailure: true,
      display: `php: a login to ${db.host}:${db.port} database ${db.name} as ${db.user} (password on stdin)`,
    },
  )
  if (r.code === 0) return
  const said = r.stderr.trim().split('\n').pop() ?? ''
  throw new Error(
    `the database ${db.name} at ${db.host}:${db.port} refused ${db.user}'s login (${said}): ` +
      (/password authentication failed/.test(said)
        ? 'drupal_db.password must be the password the postgresql role gave it (the same .env value)'
        : 'check drupal_db (host, port, name, user) and that PostgreSQL accepts this node (postgresql_network)') +
      '; settings.php was left as it was',
  )
}

function settingsFile(spec: SettingsSpec, render: Render): Task {
  return template({
    path: `${spec.webRoot}/sites/default/settings.php`,
    rendered: render(spec.major === 7 ? 'settings7.php.ejs' : 'settings.php.ejs', settingsValues(spec)),
    owner: 'root',
    group: spec.owner,
    mode: '0440',
    sensitive: true,
    validate: 'php -l %s >/dev/null',
  })
}
