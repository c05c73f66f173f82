// What real inventories written for Ansible hold beyond the lab's: host ranges and vault values.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, test } from 'node:test'
import { InventoryError } from '../../src/errors.ts'
import { expandHostRange } from '../../src/inventory/host-ranges.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { clearSecrets, redact } from '../../src/secrets.ts'

const made: string[] = []
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'halab-inv-real-'))
  made.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text, { mode: 0o600 })
  }
  return dir
}

async function problemsOf(dir: string): Promise<string> {
  const e = await loadInventory(dir).then(
    () => assert.fail('expected an InventoryError'),
    (err: unknown) => err,
  )
  assert.ok(e instanceof InventoryError, String(e))
  return e.message
}

test('host ranges expand as Ansible does: zero padding kept, letters, steps, several ranges', () => {
  assert.deepEqual(expandHostRange('web[01:03]'), ['web01', 'web02', 'web03'])
  assert.deepEqual(expandHostRange('web[1:3]'), ['web1', 'web2', 'web3'])
  assert.deepEqual(expandHostRange('web[8:10]'), ['web8', 'web9', 'web10'])
  assert.deepEqual(expandHostRange('db-[a:c]'), ['db-a', 'db-b', 'db-c'])
  assert.deepEqual(expandHostRange('n[1:7:3].lan'), ['n1.lan', 'n4.lan', 'n7.lan'])
  assert.deepEqual(expandHostRange('r[1:2]-[a:b]'), ['r1-a', 'r1-b', 'r2-a', 'r2-b'])
  assert.deepEqual(expandHostRange('10.0.0.[1:2]'), ['10.0.0.1', '10.0.0.2'])
  assert.deepEqual(expandHostRange('plain'), ['plain'])
})

test('a malformed host range is an error that says how ranges are written', () => {
  assert.throws(() => expandHostRange('web[3:1]'), /must go upwards/)
  assert.throws(() => expandHostRange('web[01:100]'), /as wide/)
  assert.throws(() => expandHostRange('web[a:3]'), /number to number/)
  assert.throws(() => expandHostRange('web[1:3:0]'), /step/)
  assert.throws(() => expandHostRange('web[1-3]'), /\[start:end\]/)
})

test("INI and YAML inventories expand host ranges, each host getting the line's variables", async () => {
  const ini = await loadInventory(tree({ hosts: '[web]\nweb[01:03] ansible_user=deploy\n[db]\ndb-[a:b]\n' }))
  assert.deepEqual([...ini.hosts.keys()], ['db-a', 'db-b', 'web01', 'web02', 'web03'])
  assert.equal(ini.hosts.get('web02')!.vars.ansible_user, 'deploy')
  assert.deepEqual(ini.groups.get('web')!.hosts, ['web01', 'web02', 'web03'])
  const yml = await loadInventory(tree({ 'hosts.yml': 'all:\n  hosts:\n    app[8:10]:\n      ansible_port: 2222\n' }))
  assert.deepEqual([...yml.hosts.keys()], ['app10', 'app8', 'app9'])
  assert.equal(yml.hosts.get('app10')!.vars.ansible_port, 2222)
})

test('a bad host range in an inventory names the file and line', async () => {
  const dir = tree({ hosts: '[web]\nok1\nweb[05:01]\n' })
  const msg = await problemsOf(dir)
  assert.match(msg, new RegExp(`${join(dir, 'hosts')}:3.*web\\[05:01\\].*must go upwards`))
})

test('an Ansible !vault value is refused naming file, line and variable, and saying to move it to .env', async () => {
  const dir = tree({
    'hosts.yml': 'all:\n  hosts:\n    h1:\n',
    'group_vars/all.yml':
      'db_user: app\ndb_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231383533386439\n' +
      'nested:\n  token: !vault |\n    $ANSIBLE_VAULT;1.1;AES256\n    3132\n',
  })
  const msg = await problemsOf(dir)
  const file = join(dir, 'group_vars', 'all.yml')
  assert.match(msg, new RegExp(`${file}:2.*field db_password.*"db_password" is an Ansible vault value`))
  assert.match(msg, /DB_PASSWORD=\.\.\..*db_password: "\$\{DB_PASSWORD\}"/)
  assert.match(msg, /field nested\.token.*"token" is an Ansible vault value/)
  assert.doesNotMatch(msg, /6231383533386439/, 'the ciphertext is not echoed')
})

test('a vars file encrypted whole with ansible-vault is refused with the way out', async () => {
  const dir = tree({
    'hosts.yml': 'all:\n  hosts:\n    h1:\n',
    'host_vars/h1.yml': '$ANSIBLE_VAULT;1.1;AES256\n62313835333864393\n',
  })
  assert.match(await problemsOf(dir), /host_vars\/h1\.yml.*encrypted with ansible-vault.*\.env/)
})

test('a password written in clear in the inventory is refused: it belongs in .env', async () => {
  const dir = tree({
    'hosts.yml':
      'all:\n  hosts:\n    h1:\n      ansible_password: hunter2\n      ansible_become_password: "${SUDO_PW}"\n',
    '.env': 'SUDO_PW=from-env\n',
  })
  const msg = await problemsOf(dir)
  assert.match(msg, /hosts\.yml:4.*host h1.*field ansible_password.*a password is not written in the inventory/)
  assert.doesNotMatch(msg, /ansible_become_password/, 'one from .env is fine')
})

test('a password with clear text around a ${NAME} reference is refused too, without showing the text', async () => {
  const dir = tree({
    'hosts.yml':
      'all:\n  hosts:\n    h1:\n      ansible_password: "hunter2${PW}"\n' +
      '      ansible_become_password: "${SUDO_PW} tail"\n    h2:\n      ansible_password: "${PW}${PW2}"\n',
    '.env': 'PW=a\nPW2=b\nSUDO_PW=from-env\n',
  })
  const msg = await problemsOf(dir)
  assert.match(msg, /host h1.*field ansible_password.*a password is not written in the inventory/)
  assert.match(msg, /host h1.*field ansible_become_password.*a password is not written in the inventory/)
  assert.doesNotMatch(msg, /\bh2\b/, 'references alone are fine')
  assert.doesNotMatch(msg, /hunter2|tail/, 'the clear text is not shown')
})

test('passwords are secrets once the inventory is loaded, before any connection, whatever names them', async () => {
  clearSecrets()
  // LC_* (as XDG_*, USER...) is a session variable, no secret by its name; ssh's SendEnv passes LC_*.
  const dir = tree({
    'hosts.yml':
      'all:\n  hosts:\n    h1:\n      ansible_password: "${LC_SSH_PW}"\n' +
      '      ansible_become_password: "${LC_SUDO_PW}"\n',
    '.env': 'LC_SSH_PW=ssh-pw-4711\nLC_SUDO_PW=sudo-pw-4712\n',
  })
  await loadInventory(dir)
  assert.equal(redact('ssh-pw-4711 sudo-pw-4712'), '******** ********')
  // Also when the inventory is refused: its problems are printed, and so may be the values.
  clearSecrets()
  writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    h1:\n      ansible_become_password: "${LC_SUDO_PW}"\n')
  mkdirSync(join(dir, 'host_vars'))
  writeFileSync(join(dir, 'host_vars', 'h9.yml'), 'x: 1\n')
  writeFileSync(join(dir, 'host_vars', 'h1.yml'), 'ansible_password: "${LC_UNSET_PW}"\n')
  const msg = await problemsOf(dir)
  assert.match(msg, /host_vars for "h9"/)
  assert.match(redact(msg), /\$\{LC_UNSET_PW\} is not set/, 'a reference left unset is named, not masked')
  assert.equal(redact('sudo-pw-4712'), '********')
  clearSecrets()
})
