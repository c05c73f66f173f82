// Drupal archives for the tests. The real ones (Drupal 10.5.4 composer project, Drupal
// 7.105) live in ../shared/fixtures/drupal, checked against its SHA256SUMS; a test that
// needs one and does not find it skips saying so. tinyDrupalArchive packs the few files
// the role reads to tell layout and version (for plan-level tests, never installed).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { REPO } from './cli.ts'

export const DRUPAL_FIXTURES = join(REPO, '..', 'shared', 'fixtures', 'drupal')
export const DRUPAL10 = 'drupal-10.5.4-web.tar.gz'
export const DRUPAL7 = 'drupal-7.105.tar.gz'

export interface DrupalArchive {
  path: string
  sha256: string
  /** `-e` flags pointing the drupal role at it. */
  extraVars: string[]
}

const withVars = (path: string, sha256: string): DrupalArchive => ({
  path,
  sha256,
  extraVars: ['-e', `drupal_archive_path=${path}`, '-e', `drupal_archive_sha256=${sha256}`],
})

/** Why the real archives cannot be used here, or undefined when they can. */
export function realDrupalMissing(): string | undefined {
  const sums = join(DRUPAL_FIXTURES, 'SHA256SUMS')
  if (!existsSync(sums))
    return `the real Drupal archives are not here (${DRUPAL_FIXTURES}/SHA256SUMS missing): these tests need them`
  return undefined
}

/** A real archive from the fixtures folder, its sha256 taken from SHA256SUMS and checked. */
export function realDrupalArchive(name: string): DrupalArchive {
  const sums = readFileSync(join(DRUPAL_FIXTURES, 'SHA256SUMS'), 'utf8')
  const sha256 = new RegExp(`^([0-9a-f]{64})  ${name.replace(/\./g, '\\.')}$`, 'm').exec(sums)?.[1]
  if (!sha256) throw new Error(`${name} is not in ${DRUPAL_FIXTURES}/SHA256SUMS`)
  const path = join(DRUPAL_FIXTURES, name)
  const actual = createHash('sha256').update(readFileSync(path)).digest('hex')
  if (actual !== sha256) throw new Error(`${path} has sha256 ${actual}, not ${sha256} (SHA256SUMS)`)
  return withVars(path, sha256)
}

/** The few files that tell a code base apart, packed as a release (one top directory), under `under`. */
export function tinyDrupalArchive(
  opts: { version: string; layout?: 'classic' | 'composer'; php?: string },
  under = tmpdir(),
): DrupalArchive {
  const dir = mkdtempSync(join(under, 'halab-drupal-'))
  const top = `drupal-${opts.version}`
  const web = opts.layout === 'composer' ? 'web/' : ''
  const files: Record<string, string> = opts.version.startsWith('7.')
    ? { 'index.php': '<?php\n', 'includes/bootstrap.inc': `<?php\ndefine('VERSION', '${opts.version}');\n` }
    : {
        [`${web}index.php`]: '<?php\n',
        [`${web}core/lib/Drupal.php`]: `<?php\nclass Drupal {\n  const VERSION = '${opts.version}';\n}\n`,
        [`${web}core/composer.json`]: JSON.stringify({ require: { php: `>=${opts.php ?? '8.1.0'}` } }),
        ...(web ? { 'vendor/autoload.php': '<?php\n' } : {}),
      }
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, top, p)), { recursive: true })
    writeFileSync(join(dir, top, p), text)
  }
  // Uncompressed, with fixed times and order: the same files give the same sha256 (the role
  // caches what it read from an archive by its checksum).
  const path = join(dir, `${top}.tar`)
  execFileSync('tar', ['-cf', path, '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '-C', dir, top])
  return withVars(path, createHash('sha256').update(readFileSync(path)).digest('hex'))
}
