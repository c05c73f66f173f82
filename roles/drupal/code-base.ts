// What a Drupal archive holds, read from its contents before anything is unpacked: the
// layout (drupal.org's classic release with core/ and index.php at the top, or a composer
// project with its document root in web/ and vendor/ beside it), the major version (the
// VERSION constant of core/lib/Drupal.php for 10, of includes/bootstrap.inc for 7) and the
// PHP it needs (core/composer.json for 10; Drupal 7 runs on any PHP Debian ships).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export type Layout = 'classic' | 'composer'
export type Major = 7 | 10

export interface CodeBase {
  layout: Layout
  major: Major
  /** e.g. 10.5.4, 7.105; empty when not read from an archive. */
  version: string
  /** The document root inside the code base: '' (classic) or 'web' (composer). */
  webDir: string
  /** The oldest PHP the archive runs on (composer.json's require.php, without the >=). */
  phpMin: string
}

export const KNOWN_MAJORS: readonly Major[] = [7, 10]

/** Without the archive on the controller (a URL): drupal.org's Drupal 10 release layout, or what the vars say. */
export function assumedCodeBase(major: Major = 10, layout: Layout = 'classic'): CodeBase {
  return { layout, major, version: '', webDir: layout === 'composer' ? 'web' : '', phpMin: major === 7 ? '5.3' : '8.1' }
}

/**
 * The code base from an archive's member list (one top directory, as releases are packed)
 * and a reader for a member's text. Throws what is wrong, for the field drupal_archive_*.
 */
export function detectCodeBase(members: string[], read: (member: string) => string): CodeBase {
  const top = members[0]?.split('/')[0]
  const present = new Set(members)
  const has = (p: string) => present.has(`${top}/${p}`)
  if (!top || members.some((m) => m.split('/')[0] !== top))
    throw new Error('is not packed as a Drupal release (one top directory holding the code base)')
  for (const webDir of ['', 'web', 'docroot']) {
    const at = (p: string) => (webDir ? `${webDir}/${p}` : p)
    if (has(at('core/lib/Drupal.php')) && has(at('index.php'))) {
      const version = constant(read(`${top}/${at('core/lib/Drupal.php')}`), /const VERSION = '([^']+)'/)
      const composer = JSON.parse(read(`${top}/${at('core/composer.json')}`)) as { require?: { php?: string } }
      const phpMin = /(\d+\.\d+(\.\d+)?)/.exec(composer.require?.php ?? '')?.[1] ?? '8.1'
      if (webDir && !has('vendor/autoload.php'))
        throw new Error(`has ${webDir}/core but no vendor/ beside it: run composer install before packing it`)
      return { layout: webDir ? 'composer' : 'classic', major: majorOf(version), version, webDir, phpMin }
    }
  }
  if (has('includes/bootstrap.inc') && has('index.php')) {
    const version = constant(read(`${top}/includes/bootstrap.inc`), /define\('VERSION', '([^']+)'\)/)
    return { layout: 'classic', major: majorOf(version), version, webDir: '', phpMin: '5.3' }
  }
  throw new Error(
    'is not a Drupal code base: no index.php with core/lib/Drupal.php (Drupal 10, at the top or in web/) ' +
      'nor with includes/bootstrap.inc (Drupal 7)',
  )
}

function constant(text: string, re: RegExp): string {
  const v = re.exec(text)?.[1]
  if (!v) throw new Error(`names no Drupal version (${re.source} not found)`)
  return v
}

function majorOf(version: string): Major {
  const major = Number(version.split('.')[0])
  if (!(KNOWN_MAJORS as number[]).includes(major))
    throw new Error(
      `holds Drupal ${version}: the drupal role installs Drupal ${KNOWN_MAJORS.join(' and ')} only ` +
        '(use an archive of one of those)',
    )
  return major as Major
}

const cache = new Map<string, CodeBase>()

/**
 * The code base of an archive on the controller, once per archive and run: tar lists it,
 * then extracts only the few files detectCodeBase reads (two passes over the archive).
 */
export function inspectArchive(path: string, sha256: string): CodeBase {
  const known = cache.get(sha256) ?? readCached(sha256)
  if (known) {
    cache.set(sha256, known)
    return known
  }
  const tar = (args: string[]) => {
    const r = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    if (r.status !== 0) throw new Error(`is not a readable tar archive (${r.stderr.trim().split('\n')[0]})`)
    return r.stdout
  }
  const members = tar(['-tf', path])
    .split('\n')
    .filter(Boolean)
    .map((m) => m.replace(/^\.\//, '').replace(/\/$/, ''))
  const dir = mkdtempSync(join(tmpdir(), 'halab-drupal-'))
  try {
    const wanted = members.filter((m) => READ.some((r) => m.endsWith(`/${r}`) && m.split('/').length <= 5))
    if (wanted.length) tar(['-xf', path, '-C', dir, '--no-same-owner', '--no-same-permissions', ...wanted])
    const codeBase = detectCodeBase(members, (member) => readFileSync(join(dir, member), 'utf8'))
    cache.set(sha256, codeBase)
    writeCached(sha256, codeBase)
    return codeBase
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// On disk too, by checksum (the caller has checked the archive's sha256 first): reading a
// 24 MB archive took ~2 s of every no-op rerun on the controller.
const cacheFile = (sha256: string) =>
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'halab', `drupal-code-base-${sha256}.json`)

function readCached(sha256: string): CodeBase | undefined {
  try {
    const c = JSON.parse(readFileSync(cacheFile(sha256), 'utf8')) as CodeBase
    return KNOWN_MAJORS.includes(c.major) && typeof c.webDir === 'string' ? c : undefined
  } catch {
    return undefined
  }
}

function writeCached(sha256: string, codeBase: CodeBase): void {
  try {
    mkdirSync(dirname(cacheFile(sha256)), { recursive: true })
    writeFileSync(cacheFile(sha256), JSON.stringify(codeBase))
  } catch {
    // A cache that cannot be written only costs the next run the reading again.
  }
}

/** The files detectCodeBase may read. */
const READ = ['core/lib/Drupal.php', 'core/composer.json', 'includes/bootstrap.inc']
