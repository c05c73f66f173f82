// The stand-in Drupal archive (test/fixtures/drupal-fake), packed as a release is: one
// top directory, gzip. Returns the path and the extra vars that point the drupal role at it.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO } from './cli.ts'

export function buildDrupalArchive(): { path: string; sha256: string; extraVars: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'halab-drupal-'))
  const path = join(dir, 'drupal-fake.tar.gz')
  execFileSync('tar', [
    '-czf',
    path,
    '--owner=0',
    '--group=0',
    '-C',
    join(REPO, 'test', 'fixtures'),
    '--transform',
    's,^drupal-fake,drupal-fake-1.0,',
    'drupal-fake',
  ])
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex')
  return { path, sha256, extraVars: ['-e', `drupal_archive_path=${path}`, '-e', `drupal_archive_sha256=${sha256}`] }
}
