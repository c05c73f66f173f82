// drupal: a Drupal 8+ site (seed 001 installs Drupal 7 through the browser) from a release
// archive checked by sha256, unpacked into the document root owned by www-data, with
// settings.php written from the inventory (the same on every web node), and installed by
// Drupal's own installer driven from the command line (drupal-site.php), once, on
// `drupal_install_node`; a rerun finds the site installed and leaves it.
// A document root that already holds Drupal (index.php) is never unpacked over: upgrades
// are Drupal's own procedure.
import { AccountName, command, defineRole, directory, secret, sh, template, z } from '../../src/sdk.ts'
import { phpString } from '../apache-php/index.ts'
import { databaseServer } from '../postgresql/server.ts'
import { archiveOnHost } from './archive.ts'
import { installTask } from './install.ts'

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
  drupal_document_root: z
    .string()
    .startsWith('/')
    .default('/var/www/drupal')
    .describe("Where Drupal is unpacked (the apache-php site's DocumentRoot)."),
  drupal_server_name: z.string().default('drupal.ha').describe("The site's host name (the seed: drupal.ha)."),
  drupal_owner: AccountName.default('www-data').describe(
    "The web server's account: owner and group of the site's files (a chown operand, so checked).",
  ),
  drupal_config_sync_directory: z
    .string()
    .startsWith('/')
    .optional()
    .describe('Outside the document root; default DOCUMENT_ROOT-config/sync.'),
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

export default defineRole({
  name: 'drupal',
  vars: Vars,
  tasks: ({ vars, host, inventory, render, note }) => {
    if (vars.drupal_archive_url && vars.drupal_archive_path)
      throw new Error('set drupal_archive_url or drupal_archive_path, not both')
    if (!vars.drupal_archive_url && !vars.drupal_archive_path) {
      note(SKIPPED)
      return []
    }
    if (!vars.drupal_archive_sha256)
      throw new Error(
        `drupal_archive_sha256 is not set: give the sha256 of ${vars.drupal_archive_url ?? vars.drupal_archive_path} ` +
          '(sha256sum ARCHIVE), so that only that archive is ever unpacked',
      )
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
    const root = vars.drupal_document_root.replace(/\/+$/, '')
    const sync = vars.drupal_config_sync_directory ?? `${root}-config/sync`
    const owner = vars.drupal_owner
    const archive = archiveOnHost(
      {
        url: vars.drupal_archive_url,
        path: vars.drupal_archive_path,
        sha256: vars.drupal_archive_sha256,
        cacheDir: vars.drupal_archive_cache,
      },
      inventory.dir,
    )
    const settings = render('settings.php.ejs', settingsValues(vars, dbHost, server?.port, sync))
    return [
      directory({ path: vars.drupal_archive_cache, mode: '0755' }),
      ...archive.tasks,
      directory({ path: root, owner, group: owner, mode: '0755' }),
      unpackTask(root, archive.path, owner),
      directory({ path: `${root}/sites/default/files`, owner, group: owner, mode: '0755' }),
      directory({ path: sync.replace(/\/[^/]*$/, ''), owner, group: owner, mode: '0750' }),
      directory({ path: sync, owner, group: owner, mode: '0750' }),
      template({
        path: `${root}/sites/default/settings.php`,
        rendered: settings,
        owner: 'root',
        group: owner,
        mode: '0440',
        sensitive: true,
        validate: 'php -l %s >/dev/null',
      }),
      directory({ path: vars.drupal_driver.replace(/\/[^/]*$/, ''), mode: '0755' }),
      template({
        path: vars.drupal_driver,
        rendered: render('drupal-site.php.ejs'),
        mode: '0644',
        validate: 'php -l %s >/dev/null',
      }),
      installTask({
        documentRoot: root,
        driver: vars.drupal_driver,
        owner,
        installNode,
        form: {
          host: vars.drupal_server_name,
          profile: vars.drupal_profile,
          langcode: vars.drupal_langcode,
          site_name: vars.drupal_site_name,
          site_mail: vars.drupal_site_mail,
          account: { name: vars.drupal_admin.name, mail: vars.drupal_admin.mail, pass: vars.drupal_admin.password },
        },
      }),
    ]
  },
})

/** The release archive unpacked into the document root, unless it holds index.php. */
function unpackTask(root: string, archivePath: string, owner: string) {
  return command({
    name: `unpack the archive into ${root}`,
    // Unpacked beside, then swapped for the empty document root by one rename: with a
    // shared document root (OCFS2), the other node either finds nothing or the whole
    // tree, never half of it, and never unpacks over it.
    command:
      sh`p=${root}; t=$(mktemp -d -p "$(dirname "$p")" .drupal-unpack.XXXXXX) && trap 'rm -rf "$t"' EXIT && ` +
      sh`tar -xf ${archivePath} -C "$t" --strip-components=1 --no-same-owner ` +
      sh`&& chown -R ${`${owner}:${owner}`} "$t" && chmod 755 "$t" && ` +
      // rmdir fails when another node sharing the document root won the swap a moment
      // ago (its rename may still be on its way): wait for its index.php, never race it.
      `if rmdir "$p" 2>/dev/null; then mv "$t" "$p"; else i=0; ` +
      `while [ ! -e "$p/index.php" ] && [ "$i" -lt 60 ]; do sleep 1; i=$((i+1)); done; ` +
      `test -e "$p/index.php" || { echo "$p is not empty and ` +
      `holds no index.php (waited 60 s for another node's copy): ` +
      `not unpacking over it" >&2; exit 1; }; fi`,
    creates: `${root}/index.php`,
  })
}

/** settings.php's values, each a PHP literal: the database, the hash salt, the config sync directory, trusted hosts. */
function settingsValues(vars: z.infer<typeof Vars>, dbHost: string, serverPort: number | undefined, sync: string) {
  const db = vars.drupal_db
  return {
    db: {
      name: phpString(db.name),
      user: phpString(db.user),
      password: phpString(db.password),
      host: phpString(dbHost),
      port: String(db.port ?? serverPort ?? 5432),
      prefix: phpString(db.prefix),
    },
    hashSalt: phpString(vars.drupal_hash_salt),
    configSync: phpString(sync),
    trustedHosts: `[${phpString(`^${vars.drupal_server_name.replace(/[.\\]/g, '\\$&')}$`)}]`,
  }
}
