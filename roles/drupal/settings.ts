// settings.php: rendered from the inventory, identical on every web node (one database, one
// hash salt), in Drupal 10's or Drupal 7's form. It holds the database password and the hash
// salt, so it is written sensitive (no diff, no content in output), root-owned and readable
// by the web server's group only, with that final mode from its creation.
import { template, type Task } from '../../src/sdk.ts'
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

export function settingsTask(
  spec: SettingsSpec,
  render: (name: string, extra?: Record<string, unknown>) => string,
): Task {
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
