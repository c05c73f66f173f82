// The probes roles keep in their own facts.ts, read from answers given as data.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { leaseOf, networkdLink } from '../../roles/dhcp-client/facts.ts'
import { siteState } from '../../roles/drupal/facts.ts'
import { deviceFilesystem } from '../../roles/ocfs2/facts.ts'
import { parseCibComparison } from '../../roles/pacemaker/facts.ts'
import { databaseState } from '../../roles/postgresql/facts.ts'
import { sharedCopyState } from '../../roles/shared-state/facts.ts'

const answer = (code: number, stdout = '', stderr = '') => ({ code, stdout, stderr })

test('dhcp-client: the .network file networkd applies, and the leased addresses', () => {
  const link = networkdLink('enp0s3')
  assert.deepEqual(link.parse(answer(0, '  Network File: /etc/systemd/network/10-enp0s3.network\n')), {
    networkFile: '/etc/systemd/network/10-enp0s3.network',
  })
  assert.deepEqual(link.parse(answer(0, '')), { networkFile: undefined })
  const leases = leaseOf('enp0s3', 20)
  assert.equal(leases.key, 'dhcp-lease:enp0s3')
  assert.match(leases.command, /^n=40; /)
  assert.deepEqual(
    leases.parse(answer(0, '2: enp0s3    inet 10.0.2.3/24 brd 10.0.2.255 scope global dynamic enp0s3\\ valid_lft 5s')),
    [{ address: '10.0.2.3', prefix: 24 }],
  )
  assert.throws(() => leases.parse(answer(1, '', 'Device "enp0s3" does not exist.')), /cannot read the addresses/)
})

test('drupal: the install driver says installed, not installed or incomplete; a failing driver is an error', () => {
  const fact = siteState({
    documentRoot: '/var/www/drupal',
    driver: '/usr/local/lib/halab/drupal-site.php',
    owner: 'www-data',
    phpMin: '8.1.0',
  })
  assert.equal(fact.key, 'drupal-site:/var/www/drupal')
  assert.match(fact.command, /drupal-site\.php \/var\/www\/drupal status 8\.1\.0$/)
  assert.equal(fact.parse(answer(0, 'not-installed\n')), 'not-installed')
  assert.equal(fact.parse(answer(0, 'PHP Warning: x\nincomplete\n')), 'incomplete')
  assert.throws(
    () => fact.parse(answer(255, '', 'PDOException')),
    /cannot tell whether the site is installed: PDOException/,
  )
})

test('ocfs2: readable, blkid status and type from the probe lines', () => {
  const fact = deviceFilesystem('/dev/drbd0', 30)
  assert.equal(fact.key, 'ocfs2-device-fs:/dev/drbd0:30')
  assert.deepEqual(fact.parse(answer(0, 'readable=yes\nblkid=0\ntype=ocfs2\n')), {
    readable: true,
    blkid: 0,
    fstype: 'ocfs2',
  })
  assert.deepEqual(fact.parse(answer(0, 'blkid=2\ntype=\n')), { readable: false, blkid: 2, fstype: undefined })
})

test('pacemaker: a cluster without a DC is not ready; properties unset read as empty', () => {
  assert.equal(parseCibComparison('@@halab-cib@@notready\n').ready, false)
  assert.deepEqual(parseCibComparison('@@halab-cib@@live\n@@halab-cib@@wanted\nX\n@@halab-cib@@property p\n'), {
    ready: true,
    live: '',
    wanted: 'X',
    properties: { p: '' },
  })
})

test('postgresql: a database with its owner and encoding, none, or no server yet; psql failing is an error', () => {
  const fact = databaseState('drupal', 5432)
  assert.equal(fact.key, 'pg-database:5432:drupal')
  assert.deepEqual(fact.parse(answer(0, 'drupal|UTF8\n')), { exists: true, owner: 'drupal', encoding: 'UTF8' })
  assert.deepEqual(fact.parse(answer(0, '\n')), { exists: false })
  assert.equal(fact.parse(answer(0, 'no-server\n')), 'no-server')
  assert.throws(() => fact.parse(answer(2, '', 'connection refused')), /cannot read database drupal \(psql exit 2\)/)
})

test('shared-state: the shared copy, the local directory and a mount on it, each said by a word', () => {
  const fact = sharedCopyState({ path: '/etc/apache2', shared: '/opt/etc/apache2' }, 0)
  assert.equal(fact.key, 'shared-copy:/opt/etc/apache2:0')
  assert.deepEqual(fact.parse(answer(0, 'shared=yes\nlocal=yes\nmounted=yes\n')), {
    shared: true,
    local: true,
    mounted: true,
  })
  assert.deepEqual(fact.parse(answer(0, 'local=yes\n')), { shared: false, local: true, mounted: false })
})
