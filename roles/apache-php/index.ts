// apache-php: Apache with PHP (gd, pgsql), sites from a list, the stock default site
// disabled, and an identity page that names the node serving it — what the seeds do
// by hand to see which node answers through the VIP. With `apache_identity_db` the page is
// PHP and also shows a value it reads from PostgreSQL (by default the server's address), so
// one request proves Apache, PHP, pgsql and the cluster's database server together; its
// credentials live outside the document root. Every site file is checked by Apache itself
// (`apache2ctl -t` with the candidate included) before it goes live.
import { command, defineRole, directory, packages, secret, service, sh, type Task, template, z } from '../../src/sdk.ts'
import { databaseServer, type DatabaseServer } from '../postgresql/server.ts'

const Site = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9_.-]+$/)
    .describe("The site's name: its file is /etc/apache2/sites-available/NAME.conf."),
  server_name: z.string().optional().describe('ServerName (drupal.ha); unset for the default site.'),
  document_root: z.string().startsWith('/').describe('DocumentRoot (created if missing).'),
  options: z.string().default('Indexes FollowSymLinks').describe("The Options of the document root's <Directory>."),
  allow_override: z
    .string()
    .default('None')
    .describe("AllowOverride of the document root (All for Drupal's .htaccess)."),
  default: z
    .boolean()
    .default(false)
    .describe('The default site is enabled as 000-NAME so it answers requests for any name.'),
})

const Vars = z.object({
  apache_packages: z
    .array(z.string())
    .default(['apache2', 'libapache2-mod-php', 'php-gd', 'php-pgsql'])
    .describe('Apache, mod_php and the PHP extensions the seeds install (gd, pgsql).'),
  apache_sites: z
    .array(Site)
    .default([
      {
        name: 'ha',
        document_root: '/var/www/html',
        options: 'Indexes FollowSymLinks',
        allow_override: 'None',
        default: true,
      },
    ])
    .describe('The virtual hosts; the one with default: true is enabled as 000-NAME.'),
  apache_disable_default_site: z.boolean().default(true).describe("Disable Debian's 000-default site."),
  apache_identity_text: z
    .string()
    .optional()
    .describe('Heading of the identity page; the page also names the serving node.'),
  apache_identity_time_and_address: z
    .boolean()
    .default(false)
    .describe("The PHP page also says the date, the time and the server's address (seed 002's page)."),
  apache_identity_page: z
    .string()
    .optional()
    .describe('Where the identity page goes (default: index.html of the default site).'),
  apache_identity_db: z
    .object({
      host: z
        .string()
        .optional()
        .describe("PostgreSQL host (default: postgresql_server_node's address in postgresql_network)."),
      port: z.number().int().optional().describe('PostgreSQL port (default: postgresql_port).'),
      dbname: z.string().describe('The database the page reads.'),
      user: z.string().describe('The login role it connects as.'),
      password: secret('alnum', 24, z.string().describe('Its password (from .env).')),
      query: z
        .string()
        .default(
          "SELECT 'PostgreSQL ' || split_part(current_setting('server_version'), " +
            "' ', 1) || ' at ' || host(inet_server_addr())",
        )
        .describe('The SQL whose one value the page shows.'),
    })
    .optional()
    .describe(
      "Connection for the identity page's database value; host defaults to " + "postgresql_server_node's address.",
    ),
  apache_identity_db_file: z
    .string()
    .startsWith('/')
    .default('/etc/halab/identity-db.php')
    .describe("Where the page's database credentials are written (readable by root and www-data only)."),
  apache_managed_by: z
    .enum(['system', 'heartbeat'])
    .default('system')
    .describe('`heartbeat` (or another cluster manager) starts Apache on the active node only.'),
})

export default defineRole({
  name: 'apache-php',
  vars: Vars,
  tasks: ({ vars, host, inventory, render }) => {
    const sites = vars.apache_sites
    const defaultSite = sites.find((s) => s.default) ?? sites[0]
    const tasks: Task[] = [packages({ names: vars.apache_packages })]
    for (const site of sites) {
      tasks.push(directory({ path: site.document_root, mode: '0755' }))
      tasks.push(
        template({
          path: `/etc/apache2/sites-available/${site.name}.conf`,
          rendered: render('site.conf.ejs', { site }),
          mode: '0644',
          // The candidate is read with the whole live configuration: a syntax error in it
          // fails here and the live file stays.
          validate: 'apache2ctl -t -C "Include "%s',
          notify: ['reload apache2'],
        }),
      )
      const link = `/etc/apache2/sites-enabled/${site === defaultSite ? '000-' : ''}${site.name}.conf`
      tasks.push(
        command({
          name: `enable site ${site.name}`,
          command: sh`ln -s ${`../sites-available/${site.name}.conf`} ${link}`,
          creates: link,
          notify: ['reload apache2'],
        }),
      )
    }
    if (vars.apache_disable_default_site)
      tasks.push(
        command({
          name: 'disable the stock default site',
          command: 'a2dissite -q 000-default',
          removes: '/etc/apache2/sites-enabled/000-default.conf',
          notify: ['reload apache2'],
        }),
      )
    if (defaultSite) {
      const db = vars.apache_identity_db
      const page = vars.apache_identity_page ?? `${defaultSite.document_root}/${db ? 'index.php' : 'index.html'}`
      // A .php page names the node as it serves (gethostname): the same file on every node,
      // as a shared document root (seed 001's /var/www on OCFS2) needs; a static page names
      // the node it was written on.
      const php = page.endsWith('.php')
      const needsPhp = db
        ? 'apache_identity_db'
        : vars.apache_identity_time_and_address
          ? 'apache_identity_time_and_address'
          : undefined
      if (needsPhp && !php)
        throw new Error(`${needsPhp} needs a PHP identity page, and apache_identity_page is ${page}`)
      if (db)
        tasks.push(
          ...identityDbTasks(db, vars.apache_identity_db_file, databaseServer(inventory, host.vars, host), render),
        )
      tasks.push(
        template({
          path: page,
          rendered: php
            ? render('identity.php.ejs', {
                heading: vars.apache_identity_text === undefined ? null : phpString(vars.apache_identity_text),
                dbFile: db ? phpString(vars.apache_identity_db_file) : null,
                query: db ? phpString(db.query) : null,
                timeAndAddress: vars.apache_identity_time_and_address,
              })
            : render('identity.html.ejs', {
                heading: vars.apache_identity_text ?? `${host.name} FUNCIONA`,
                node: host.name,
              }),
          mode: '0644',
          validate: php ? 'php -l %s >/dev/null' : undefined,
        }),
      )
    }
    if (vars.apache_managed_by === 'system')
      tasks.push(service({ service: 'apache2', state: 'started', enabled: true }))
    return tasks
  },
  handlers: ({ vars }) => ({
    'reload apache2':
      vars.apache_managed_by === 'system'
        ? service({ service: 'apache2', state: 'reloaded' })
        : // Under a cluster manager the passive node keeps Apache stopped: reload only where it runs.
          reloadApacheWhereItRuns(),
  }),
})

/**
 * A reload wherever Apache runs, even one this run started: also for what Apache loads only at start,
 * such as the PHP extensions the drupal role installs after apache-php started it.
 */
export function reloadApacheWhereItRuns(): Task {
  return command({
    name: 'reload apache2 where it runs',
    command: 'if service apache2 status >/dev/null 2>&1; then service apache2 reload; fi',
  })
}

type IdentityDb = NonNullable<z.output<typeof Vars>['apache_identity_db']>

/** The page's database credentials, outside the document root, readable by root and www-data. */
function identityDbTasks(
  db: IdentityDb,
  file: string,
  server: DatabaseServer | undefined,
  render: (name: string, extra?: Record<string, unknown>) => string,
): Task[] {
  const host = db.host ?? server?.address
  if (!host) throw new Error('apache_identity_db has no host: set apache_identity_db.host, or postgresql_server_node')
  const connection = {
    host,
    port: db.port ?? server?.port ?? 5432,
    dbname: db.dbname,
    user: db.user,
    password: db.password,
  }
  return [
    directory({ path: file.replace(/\/[^/]*$/, '') || '/', mode: '0755' }),
    template({
      path: file,
      rendered: render('identity-db.php.ejs', { connection: phpArray(connection) }),
      owner: 'root',
      group: 'www-data',
      mode: '0640',
      sensitive: true,
      validate: 'php -l %s >/dev/null',
    }),
  ]
}

/** A PHP single-quoted string literal: only \\ and ' are special there. */
export function phpString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => '\\' + c)}'`
}

function phpArray(values: Record<string, string | number>): string {
  return `[${Object.entries(values)
    .map(([k, v]) => `${phpString(k)} => ${typeof v === 'number' ? v : phpString(v)}`)
    .join(', ')}]`
}
