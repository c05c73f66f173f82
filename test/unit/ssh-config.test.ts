// How a host's route is found: inventory variables over ~/.ssh/config, jump hosts from
// ansible_ssh_common_args over the config's ProxyJump, and bad settings named.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import SSHConfig from 'ssh-config'
import type { InputProblem } from '../../src/errors.ts'
import { ConnectionVars } from '../../src/inventory/connection-vars.ts'
import { sshRoute, type SshRoute } from '../../src/transport/ssh-config.ts'

const dir = mkdtempSync(join(tmpdir(), 'halab-sshcfg-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const key = join(dir, 'id_web')
writeFileSync(key, 'not a real key\n', { mode: 0o600 })

const CONFIG = `
Host bastion
  HostName 203.0.113.10
  User jumper
  Port 2200

Host web*
  HostName %h.dc1.example.org
  User deploy
  Port 2222
  IdentityFile ${join(dir, 'missing_key')}
  IdentityFile ${key}
  ProxyJump bastion

Host db1
  HostName 10.0.0.5
  ProxyJump none

Host legacy
  ProxyCommand ssh -W %h:%p gw

Host badport
  Port 22x

Host inner
  HostName 10.9.9.9
  ProxyJump outer

Host outer
  HostName 198.51.100.7

Host loop1
  ProxyJump loop2

Host loop2
  ProxyJump loop1

Host *
  User fallback
`

/** Without the keys whose value is undefined. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v))

function route(name: string, vars: Record<string, unknown> = {}, problems: InputProblem[] = []): SshRoute {
  const file = join(dir, 'config')
  return sshRoute(
    {
      name,
      vars: ConnectionVars.parse(vars),
      origins: Object.fromEntries(Object.keys(vars).map((k) => [k, 'hosts.yml:7'])),
      inventoryDir: '/inv',
      localUser: 'me',
      sshConfig: { file, config: SSHConfig.parse(CONFIG) },
    },
    problems,
  )
}

test('a Host pattern gives HostName (with %h), User, Port, the first IdentityFile that exists and ProxyJump', () => {
  const r = route('web01')
  assert.equal(r.address, 'web01.dc1.example.org')
  assert.equal(r.user, 'deploy')
  assert.equal(r.port, 2222)
  assert.equal(r.identityFile, key)
  assert.deepEqual(plain(r.jumps), [{ name: 'bastion', address: '203.0.113.10', port: 2200, user: 'jumper' }])
})

test('inventory variables win over the ssh config, as in Ansible; the config is asked about ansible_host', () => {
  const r = route('app', {
    ansible_host: 'web07',
    ansible_user: 'admin',
    ansible_port: 22,
    ansible_ssh_private_key_file: 'keys/app',
  })
  assert.equal(r.address, 'web07.dc1.example.org', 'Host web* matched ansible_host, not the inventory name')
  assert.equal(r.user, 'admin')
  assert.equal(r.port, 22)
  assert.equal(r.identityFile, '/inv/keys/app', 'a relative key path is read from the inventory directory')
})

test('with no ssh config entry: the name itself, port 22, a catch-all User or the local user', () => {
  const r = route('plain')
  assert.deepEqual(plain(r), { name: 'plain', address: 'plain', port: 22, user: 'fallback', jumps: [] })
  const none = sshRoute(
    { name: 'h', vars: ConnectionVars.parse({}), origins: {}, inventoryDir: '/inv', localUser: 'me' },
    [],
  )
  assert.equal(none.user, 'me')
  assert.equal(none.port, 22)
})

test('ansible_ssh_common_args -J (a chain) or -o ProxyJump wins over the config; ProxyJump none means direct', () => {
  const chain = route('web01', { ansible_ssh_common_args: '-o StrictHostKeyChecking=no -J ops@bastion:2300,10.1.1.1' })
  assert.deepEqual(
    chain.jumps.map((j) => `${j.user}@${j.address}:${j.port}`),
    ['ops@203.0.113.10:2300', 'fallback@10.1.1.1:22'],
  )
  const o = route('db1', { ansible_ssh_common_args: "-o 'ProxyJump=bastion'" })
  assert.deepEqual(
    o.jumps.map((j) => j.address),
    ['203.0.113.10'],
  )
  assert.deepEqual(route('db1').jumps, [], 'ProxyJump none')
  assert.deepEqual(route('web01', { ansible_ssh_common_args: '-o ProxyJump=none' }).jumps, [])
  assert.deepEqual(route('web01', { ansible_ssh_common_args: '-J none' }).jumps, [], '-J none wins over the config')
  assert.equal(route('x', { ansible_ssh_common_args: '-J[2001:db8::1]:2022' }).jumps[0].address, '2001:db8::1')
})

test('ProxyCommand, a bad Port and a malformed -J are errors naming the file, host and setting', () => {
  const problems: InputProblem[] = []
  route('legacy', {}, problems)
  route('badport', {}, problems)
  route('h', { ansible_ssh_common_args: '-J' }, problems)
  route('h2', { ansible_ssh_common_args: '-o ProxyCommand="nc %h %p"' }, problems)
  const text = problems.map((p) => `${p.file ?? ''}|${p.host}|${p.field}|${p.message}`)
  assert.match(text[0], new RegExp(`^${join(dir, 'config')}\\|legacy\\|ProxyCommand\\|.*write ProxyJump`))
  assert.match(text[1], /\|badport\|Port\|expected a port number for Host badport, got "22x"/)
  assert.match(text[2], /^hosts\.yml:7\|h\|ansible_ssh_common_args\|expected -J/)
  assert.match(text[3], /^hosts\.yml:7\|h2\|ansible_ssh_common_args\|halab does not run a ProxyCommand/)
  assert.equal(problems.length, 4)
})

test('~ in an IdentityFile is the home directory', () => {
  const r = sshRoute(
    {
      name: 'h',
      vars: ConnectionVars.parse({ ansible_ssh_private_key_file: '~/.ssh/lab' }),
      origins: {},
      inventoryDir: '/inv',
      localUser: 'me',
    },
    [],
  )
  assert.equal(r.identityFile, join(homedir(), '.ssh/lab'))
})

test("the first jump host's own ProxyJump is followed, as ssh -J does; a loop of jump hosts is an error", () => {
  const r = route('app', { ansible_ssh_common_args: '-J inner,bastion' })
  assert.deepEqual(
    r.jumps.map((j) => `${j.name}=${j.address}`),
    ['outer=198.51.100.7', 'inner=10.9.9.9', 'bastion=203.0.113.10'],
  )
  assert.deepEqual(plain(r.jumps[0]), { name: 'outer', address: '198.51.100.7', port: 22, user: 'fallback' })
  const problems: InputProblem[] = []
  route('app', { ansible_ssh_common_args: '-J loop1' }, problems)
  assert.equal(problems.length, 1)
  assert.match(problems[0].message, /the jump hosts loop: loop1 → loop2 → loop1/)
  assert.equal(problems[0].field, 'ProxyJump')
})

test('common_args options that change the login are errors naming the variable to use instead; others ignored', () => {
  const problems: InputProblem[] = []
  const args = '-i /k -p 2222 -lroot -o User=admin -oPort=23 -o "IdentityFile /k2" -o HostName=10.0.0.9'
  const r = route('web01', { ansible_ssh_common_args: `${args} -o StrictHostKeyChecking=no -C -J bastion` }, problems)
  assert.deepEqual(
    problems.map((p) => `${p.file}|${p.host}|${p.field}|${/not read (.*) here.*use (\w+)$/.exec(p.message)?.slice(1)}`),
    [
      'hosts.yml:7|web01|ansible_ssh_common_args|-i,ansible_ssh_private_key_file',
      'hosts.yml:7|web01|ansible_ssh_common_args|-p,ansible_port',
      'hosts.yml:7|web01|ansible_ssh_common_args|-l,ansible_user',
      'hosts.yml:7|web01|ansible_ssh_common_args|-o User,ansible_user',
      'hosts.yml:7|web01|ansible_ssh_common_args|-o Port,ansible_port',
      'hosts.yml:7|web01|ansible_ssh_common_args|-o IdentityFile,ansible_ssh_private_key_file',
      'hosts.yml:7|web01|ansible_ssh_common_args|-o HostName,ansible_host',
    ],
  )
  assert.deepEqual(
    r.jumps.map((j) => j.address),
    ['203.0.113.10'],
    '-J is still read',
  )
  const quiet: InputProblem[] = []
  route('web01', { ansible_ssh_common_args: '-o StrictHostKeyChecking=no -C -o ServerAliveInterval=5' }, quiet)
  assert.deepEqual(quiet, [], 'other options are ignored')
})
