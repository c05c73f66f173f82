import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planPackages, packages } from '../../src/ops/package.ts'
import type { PackageStates } from '../../src/facts/apt.ts'

const states = (over: Partial<PackageStates> = {}): PackageStates => ({
  installed: new Set(['openssh-server']),
  available: new Set(['openssh-server', 'apache2', 'keepalived']),
  listsAge: 600,
  ...over,
})
const host = { host: 'web1' }
const INSTALL =
  'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install'

test('noop when every package is installed', () => {
  assert.deepEqual(planPackages(states(), { names: ['openssh-server'] }, host), [])
})

test('fresh lists: only the missing packages are installed, noninteractively, without recommends', () => {
  const changes = planPackages(states(), { names: ['openssh-server', 'apache2', 'keepalived'] }, host)
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['install apache2 keepalived'],
  )
  assert.equal(changes[0].command, `${INSTALL} --no-install-recommends apache2 keepalived`)
  assert.equal(changes[0].starts, undefined)
})

test('recommends are configurable', () => {
  const changes = planPackages(states(), { names: 'apache2', installRecommends: true }, host)
  assert.equal(changes[0].command, `${INSTALL} --install-recommends apache2`)
})

test('old lists are refreshed first, and the install checks every name after the refresh', () => {
  const changes = planPackages(states({ listsAge: 7200, available: new Set() }), { names: ['apache2'] }, host)
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['refresh apt lists (2 h old)', 'install apache2 (apache2 not in the current lists yet)'],
  )
  assert.equal(
    changes[0].command,
    'apt-get update -q && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/update-success-stamp',
  )
  assert.match(
    changes[1].command ?? '',
    /^for p in apache2; do .*package \$p is unknown to apt on "web1" .*exit 100; }; done && DEBIAN_FRONTEND=noninteractive/,
  )
  assert.equal(changes[1].display, `${INSTALL} --no-install-recommends apache2`)
})

test('old lists are not refreshed when nothing must be installed', () => {
  assert.deepEqual(planPackages(states({ listsAge: Infinity }), { names: ['openssh-server'] }, host), [])
})

test('cacheValidTime decides what "old" means', () => {
  assert.equal(
    planPackages(states({ listsAge: 600 }), { names: ['apache2'], cacheValidTime: 60 }, host)[0].summary,
    'refresh apt lists (10 min old)',
  )
})

test('a name unknown to fresh lists is an error naming the package and the host', () => {
  assert.throws(() => planPackages(states(), { names: ['apache3'] }, host), /package apache3 unknown to apt on web1/)
})

test('absent removes (or purges) only what is installed', () => {
  assert.deepEqual(planPackages(states(), { names: ['apache2'], state: 'absent' }, host), [])
  const changes = planPackages(states(), { names: ['openssh-server', 'apache2'], state: 'absent', purge: true }, host)
  assert.deepEqual(changes, [
    { summary: 'purge openssh-server', command: 'DEBIAN_FRONTEND=noninteractive apt-get -y -q purge openssh-server' },
  ])
})

test('names with versions, architectures or options are refused up front', () => {
  assert.throws(() => packages({ names: ['apache2=2.4', '-oFoo'] }), /invalid package names "apache2=2.4", "-oFoo"/)
})
