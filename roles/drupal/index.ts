// drupal: a Drupal 10 or Drupal 7 site from a release archive checked by sha256, unpacked
// into drupal_root owned by www-data (drupal.org's classic layout, or a composer project
// whose document root is web/, read from the archive), with settings.php written from the
// inventory (the same on every web node), and installed by Drupal's own installer driven
// from the command line (drupal-site.php), once, on `drupal_install_node`; a rerun finds
// the site installed and leaves it. A code base already in place (index.php) is never
// unpacked over: upgrades are Drupal's own procedure.
import {
  AccountName,
  cleanupOnExit,
  command,
  defineRole,
  directory,
  packages,
  type RoleContext,
  secret,
  sh,
  template,
  z,
} from '../../src/sdk.ts'
import { reloadApacheWhereItRuns } from '../apache-php/index.ts'
import { databaseServer } from '../postgresql/server.ts'
import { archiveOnHost, localArchive } from './archive.ts'
import { assumedCodeBase, type CodeBase, inspectArchive, type Layout } from './code-base.ts'
import { installTask } from './install.ts'
import { settingsTask } from './settings.ts'

const Vars = z.object({
  drupal_archive_url: z
    .string()
    .url()
    .optional()
    .describe('Where to download the Drupal release archive (or drupal_archive_path).'),
  drupal_archive_path: z
    .string()
    .optional()
    .describe('A release archive on the controller (relative to the inventory directory).'),
  drupal_archive_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "the archive's sha256, 64 lower-case hex digits")
    .optional()
    .describe(
      "The archive's sha256, checked before it is unpacked; needed with either. Without an archive at all " +
        'the role is skipped, with a note on the recap.',
    ),
  drupal_archive_cache: z
    .string()
    .startsWith('/')
    .default('/var/cache/halab')
    .describe('Where each node keeps the downloaded archive.'),
  drupal_root: z
    .string()
    .startsWith('/')
    .default('/var/www/drupal')
    .describe(
      "Where the code base is unpacked. Apache's DocumentRoot for the site must be this directory " +
        '(classic layout: index.php at the top) or its web/ (composer project layout).',
    ),
  drupal_major: z
    .union([z.literal(7), z.literal(10)], { error: 'expected 7 or 10: the Drupal majors this role installs' })
    .optional()
    .describe(
      'Drupal 10 or 7. Read from an archive given by drupal_archive_path (and checked against this); ' +
        'with drupal_archive_url it says what the URL holds (default 10).',
    ),
  drupal_layout: z
    .enum(['classic', 'composer'])
    .optional()
    .describe(
      "classic (drupal.org's release: core/ and index.php at the top) or composer (web/ beside vendor/). " +
        'Read from an archive given by drupal_archive_path; with drupal_archive_url the default is the one ' +
        "Apache's site for drupal_server_name is set up for (DocumentRoot drupal_root/web: composer).",
    ),
  drupal_packages: z
    .array(z.string())
    .default(['php-cli', 'php-gd', 'php-pgsql', 'php-xml', 'php-mbstring'])
    .describe(
      "PHP for Drupal: the command line (the installer driver runs in it) and the extensions Drupal's " +
        'composer.json requires beyond PHP itself (gd, pdo_pgsql, dom/SimpleXML/xml), plus mbstring.',
    ),
  drupal_server_name: z.string().default('drupal.ha').describe("The site's host name (the seed: drupal.ha)."),
  drupal_owner: AccountName.default('www-data').describe(
    "The web server's account: owner and group of the site's files (a chown operand, so checked).",
  ),
  drupal_config_sync_directory: z
    .string()
    .startsWith('/')
    .optional()
    .describe('Outside the document root (Drupal 10 only); default DRUPAL_ROOT-config/sync.'),
  drupal_db: z
    .object({
      host: z.string().optional().describe("Default: postgresql_server_node's address in postgresql_network."),
      port: z.number().int().optional().describe('PostgreSQL port (default: postgresql_port).'),
      name: z.string().describe("The database's name."),
      user: z.string().describe('The login role Drupal connects as.'),
      password: secret('alnum', 24, z.string().describe('Its password (from .env).')),
      prefix: z
        .string()
        .regex(/^[a-z0-9_]*$/)
        .default('')
        .describe('Table prefix (empty: none).'),
    })
    .describe("Drupal's database (created by the postgresql role)."),
  drupal_hash_salt: secret(
    'hex',
    32,
    z
      .string()
      .min(32, 'at least 32 characters (openssl rand -hex 32)')
      .describe("Drupal's hash_salt, from .env (openssl rand -hex 32)."),
  ),
  drupal_install_node: z
    .string()
    .optional()
    .describe('The one node that runs the installer (default: postgresql_server_node).'),
  drupal_profile: z
    .string()
    .regex(/^[a-z0-9_]+$/)
    .default('standard')
    .describe('The installation profile (standard, minimal).'),
  drupal_langcode: z.string().default('en').describe("The site's language (en, es)."),
  drupal_site_name: z.string().default('Drupal').describe("The site's name."),
  drupal_site_mail: z.string().default('admin@example.org').describe("The site's e-mail address."),
  drupal_admin: z
    .object({
      name: z.string().default('admin').describe("The administrator's user name."),
      mail: z.string().default('admin@example.org').describe("The administrator's e-mail address."),
      password: secret('alnum', 24, z.string().min(1).describe("The administrator's password (from .env).")),
    })
    .describe('The first administrator account, made by the command-line installer.'),
  drupal_driver: z
    .string()
    .startsWith('/')
    .default('/usr/local/lib/halab/drupal-site.php')
    .describe('Where halab keeps its installer driver.'),
})

/** The recap's note on each Drupal host when no release archive is configured. */
export const SKIPPED =
  'drupal: skipped, no release archive configured — to install Drupal set drupal_archive_url ' +
  '(or drupal_archive_path, a file beside the inventory) and drupal_archive_sha256, in group_vars or with -e'

type DrupalVars = z.infer<typeof Vars>

export default defineRole({
  name: 'drupal',
  vars: Vars,
  tasks: ({ vars, host, inventory, render, note }) => {
    if (!archiveGiven(vars)) {
      note(SKIPPED)
      return []
    }
    const { server, dbHost, installNode } = databaseOf(vars, { inventory, host })
    const archive = archiveOnHost(
      {
        url: vars.drupal_archive_url,
        path: vars.drupal_archive_path,
        sha256: vars.drupal_archive_sha256!,
        cacheDir: vars.drupal_archive_cache,
      },
      inventory.dir,
    )
    const { root, siteRoot, code, webRoot } = siteCodeBase(vars, host.vars, inventory.dir)
    checkDocumentRoot(siteRoot, vars.drupal_server_name, webRoot, code)
    const sync = vars.drupal_config_sync_directory ?? `${root}-config/sync`
    const owner = vars.drupal_owner
    const db = vars.drupal_db
    return [
      // mod_php loads extensions when Apache starts: one that Apache runs without (php-xml's DOM) waits for a reload.
      packages({ names: vars.drupal_packages, notify: ['reload apache2'] }),
      directory({ path: vars.drupal_archive_cache, mode: '0755' }),
      ...archive.tasks,
      directory({ path: root, owner, group: owner, mode: '0755' }),
      unpackTask(root, code.webDir, archive.path, owner),
      directory({ path: `${webRoot}/sites/default/files`, owner, group: owner, mode: '0755' }),
      ...(code.major === 7
        ? []
        : [
            directory({ path: sync.replace(/\/[^/]*$/, ''), owner, group: owner, mode: '0750' }),
            directory({ path: sync, owner, group: owner, mode: '0750' }),
          ]),
      settingsTask(
        {
          major: code.major,
          webRoot,
          owner,
          db: { ...db, host: dbHost, port: db.port ?? server?.port ?? 5432 },
          hashSalt: vars.drupal_hash_salt,
          configSync: sync,
          serverName: vars.drupal_server_name,
        },
        render,
      ),
      directory({ path: vars.drupal_driver.replace(/\/[^/]*$/, ''), mode: '0755' }),
      template({
        path: vars.drupal_driver,
        rendered: render('drupal-site.php.ejs'),
        mode: '0644',
        validate: 'php -l %s >/dev/null',
      }),
      installTask({
        documentRoot: webRoot,
        driver: vars.drupal_driver,
        owner,
        phpMin: code.phpMin,
        installNode,
        form: installForm(vars),
      }),
    ]
  },
  handlers: () => ({ 'reload apache2': reloadApacheWhereItRuns() }),
})

/** Whether an archive is configured (one of url and path, with its sha256); throws on a half-configured one. */
function archiveGiven(vars: DrupalVars): boolean {
  if (vars.drupal_archive_url && vars.drupal_archive_path)
    throw new Error('set drupal_archive_url or drupal_archive_path, not both')
  if (!vars.drupal_archive_url && !vars.drupal_archive_path) return false
  if (!vars.drupal_archive_sha256)
    throw new Error(
      `drupal_archive_sha256 is not set: give the sha256 of ${vars.drupal_archive_url ?? vars.drupal_archive_path} ` +
        '(sha256sum ARCHIVE), so that only that archive is ever unpacked',
    )
  return true
}

/** The PostgreSQL server the site uses, and the one node that runs Drupal's installer. */
function databaseOf(vars: DrupalVars, { inventory, host }: Pick<RoleContext<DrupalVars>, 'inventory' | 'host'>) {
  const server = databaseServer(inventory, host.vars, host)
  const dbHost = vars.drupal_db.host ?? server?.address
  if (!dbHost) throw new Error('drupal_db.host is not set and there is no postgresql_server_node to default to')
  const installNode = vars.drupal_install_node ?? server?.node
  if (!installNode || !inventory.hosts.has(installNode))
    throw new Error(
      installNode
        ? `drupal_install_node "${installNode}" is no host of the inventory`
        : 'drupal_install_node is not set (nor postgresql_server_node)',
    )
  return { server, dbHost, installNode }
}

/**
 * On the host whose vars are `hostVars`: drupal_root, the DocumentRoot of Apache's site for
 * the Drupal site (if it has one), the code base, and its web root (where index.php is).
 * The role installs from these and verify asks the site where the role put it.
 */
export function siteCodeBase(vars: DrupalVars, hostVars: Record<string, unknown>, inventoryDir: string) {
  const root = vars.drupal_root.replace(/\/+$/, '')
  const siteRoot = apacheDocumentRoot(hostVars, vars.drupal_server_name)
  const code = codeBaseOf(vars, inventoryDir, siteRoot === `${root}/web` ? 'composer' : 'classic')
  return { root, siteRoot, code, webRoot: code.webDir ? `${root}/${code.webDir}` : root }
}

/**
 * The code base: read from an archive on the controller (checked by its sha256); for a URL,
 * what the vars say, the layout defaulting to the one Apache's site is set up for (`siteLayout`).
 */
function codeBaseOf(vars: DrupalVars, inventoryDir: string, siteLayout: Layout): CodeBase {
  if (!vars.drupal_archive_path || !vars.drupal_archive_sha256)
    return assumedCodeBase(vars.drupal_major, vars.drupal_layout ?? siteLayout)
  const local = localArchive(vars.drupal_archive_path, inventoryDir)
  let code: CodeBase
  try {
    code = inspectArchive(local, vars.drupal_archive_sha256)
  } catch (e) {
    throw new Error(`drupal_archive_path: ${local} ${(e as Error).message}`)
  }
  if (vars.drupal_major !== undefined && vars.drupal_major !== code.major)
    throw new Error(
      `drupal_major is ${vars.drupal_major} but drupal_archive_path ${local} holds Drupal ${code.version}: ` +
        'remove drupal_major (it is read from the archive) or use the archive you meant',
    )
  if (vars.drupal_layout !== undefined && vars.drupal_layout !== code.layout)
    throw new Error(
      `drupal_layout is ${vars.drupal_layout} but drupal_archive_path ${local} has the ${code.layout} layout: ` +
        'remove drupal_layout (it is read from the archive)',
    )
  return code
}

/** The DocumentRoot of this host's apache_sites entry for the Drupal site, if it has one. */
function apacheDocumentRoot(hostVars: Record<string, unknown>, serverName: string): string | undefined {
  const sites = Array.isArray(hostVars.apache_sites) ? (hostVars.apache_sites as Record<string, unknown>[]) : []
  const root = sites.find((s) => s.server_name === serverName)?.document_root
  return typeof root === 'string' ? root.replace(/\/+$/, '') : undefined
}

/** Apache's site for drupal_server_name (when the host has one) must serve the code base's web root. */
function checkDocumentRoot(siteRoot: string | undefined, serverName: string, webRoot: string, code: CodeBase) {
  if (siteRoot === undefined || siteRoot === webRoot) return
  throw new Error(
    `apache_sites: the site ${serverName} has document_root ${siteRoot}, but this Drupal ` +
      `(${code.layout} layout${code.webDir ? `, document root ${code.webDir}/` : ''}) is served from ${webRoot}: ` +
      `set its document_root to ${webRoot} (or drupal_root to match)`,
  )
}

/** Form values for Drupal's installer (site and admin account), sent on stdin. */
function installForm(vars: DrupalVars): Record<string, unknown> {
  return {
    host: vars.drupal_server_name,
    profile: vars.drupal_profile,
    langcode: vars.drupal_langcode,
    site_name: vars.drupal_site_name,
    site_mail: vars.drupal_site_mail,
    account: { name: vars.drupal_admin.name, mail: vars.drupal_admin.mail, pass: vars.drupal_admin.password },
  }
}

/** The release archive unpacked into drupal_root, unless its web root holds index.php. */
function unpackTask(root: string, webDir: string, archivePath: string, owner: string) {
  const web = webDir ? `${webDir}/` : '' // '', web/ or docroot/: no quoting needed
  const index = `${root}/${web}index.php`
  return command({
    name: `unpack the archive into ${root}`,
    // Unpacked beside, then swapped for the empty code root by one rename: with a shared
    // root (OCFS2), the other node either finds nothing or the whole tree, never half of
    // it, and never unpacks over it. Apache may have made an empty web/ in it already.
    command:
      sh`p=${root}; i=${index}; t=$(mktemp -d -p "$(dirname "$p")" .drupal-unpack.XXXXXX) && ` +
      `{ ${cleanupOnExit('rm -rf "$t"')}; } && ` +
      sh`tar -xf ${archivePath} -C "$t" --strip-components=1 --no-same-owner ` +
      // The code root and its web/ 0755, as apache-php keeps a document root (the archive has 0775).
      sh`&& chown -R ${`${owner}:${owner}`} "$t" && ` +
      `chmod 755 "$t"${webDir ? ` "$t/${webDir}"` : ''} && ` +
      // A URL's archive is seen here first: its layout must be the one planned for.
      `{ test -e "$t/${web}index.php" || { echo ` +
      sh`${`the archive has no ${web}index.php: its layout is not the one drupal_layout (or the site's `} ` +
      sh`${'document_root) says; nothing was unpacked'} >&2; exit 1; }; } && ` +
      (webDir ? sh`{ rmdir ${`${root}/${webDir}`} 2>/dev/null || true; } && ` : '') +
      // rmdir fails when another node sharing the root won the swap a moment ago (its
      // rename may still be on its way): wait for its index.php, never race it.
      `if rmdir "$p" 2>/dev/null; then mv "$t" "$p"; else n=0; ` +
      `while [ ! -e "$i" ] && [ "$n" -lt 60 ]; do sleep 1; n=$((n+1)); done; ` +
      `test -e "$i" || { echo "$p is not empty and ` +
      `holds no $i (waited 60 s for another node's copy): ` +
      `not unpacking over it" >&2; exit 1; }; fi`,
    creates: index,
  })
}
