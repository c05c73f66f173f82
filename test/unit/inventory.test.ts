import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { InventoryError } from '../../src/errors.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { clearSecrets, redact } from '../../src/secrets.ts'

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'halab-inv-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    // .env holds secrets: halab refuses one that group or others may read.
    writeFileSync(join(dir, path), text, { mode: path.endsWith('.env') ? 0o600 : 0o644 })
  }
  return dir
}

test('YAML inventory: groups, children and variables merge in Ansible precedence order', async () => {
  const dir = tree({
    'hosts.yml': `all:
  vars: { level: all-inline, only_all: 1 }
  children:
    cluster:
      vars: { level: cluster-inline }
      children:
        web:
          hosts:
            h1: { level: host-inline, ansible_host: 10.1.1.1 }
            h2:
    db:
      hosts:
        h2: { port: 0644, enabled: yes }
`,
    'group_vars/all.yml': 'level: all-file\nfrom_all: true\n',
    'group_vars/cluster/main.yml': 'level: cluster-file\n',
    'group_vars/web.yml': 'level: web-file\n',
    'host_vars/h2.yml': 'level: h2-file\n',
  })
  const inv = await loadInventory(dir, { extraVars: { extra: 'x' } })
  assert.deepEqual([...inv.hosts.keys()], ['h1', 'h2'])
  const h1 = inv.hosts.get('h1')!
  assert.equal(h1.vars.level, 'host-inline')
  assert.equal(h1.vars.only_all, 1)
  assert.equal(h1.vars.from_all, true)
  assert.equal(h1.vars.extra, 'x')
  assert.deepEqual(h1.groups, ['all', 'cluster', 'web'])
  assert.match(h1.origins.level, /hosts\.yml:9$/)
  const h2 = inv.hosts.get('h2')!
  assert.equal(h2.vars.level, 'h2-file', 'host_vars beat the child group web')
  assert.equal(h2.vars.port, 420, 'YAML 1.1: 0644 is octal')
  assert.equal(h2.vars.enabled, true, 'YAML 1.1: yes is true')
  const h2web = await loadInventory(dir, { extraVars: { level: 'cli' } })
  assert.equal(h2web.hosts.get('h2')!.vars.level, 'cli', '-e wins over everything')
})

test('child groups outrank parents whatever the file order', async () => {
  const dir = tree({
    'hosts.yml':
      'all:\n  children:\n    parent:\n      vars: { v: parent }\n      children:\n        child:\n          vars: { v: child }\n          hosts: { a: }\n',
  })
  const inv = await loadInventory(dir)
  assert.equal(inv.hosts.get('a')!.vars.v, 'child')
})

test('INI inventory with :vars and :children, values read like Ansible', async () => {
  const dir = tree({
    hosts: `[web]
w1 ansible_host=10.0.0.2 ansible_port=2222 weight=2
w2 ansible_host=10.0.0.3 label="two words"

[lb]
l1

[cluster:children]
web
lb

[cluster:vars]
vip=10.0.0.4
flag=yes
`,
  })
  const inv = await loadInventory(dir)
  const w1 = inv.hosts.get('w1')!
  assert.equal(w1.vars.ansible_port, 2222)
  assert.equal(w1.vars.vip, '10.0.0.4')
  assert.equal(w1.vars.flag, true)
  assert.equal(inv.hosts.get('w2')!.vars.label, 'two words')
  assert.deepEqual(w1.groups, ['all', 'cluster', 'web'])
  assert.deepEqual(inv.hosts.get('l1')!.groups, ['all', 'cluster', 'lb'])
})

test('${NAME} comes from .env beside the inventory and becomes a secret', async () => {
  clearSecrets()
  const dir = tree({
    'hosts.yml': 'all:\n  hosts:\n    a: { pass: "${HALAB_TEST_PASS}", url: "db://u:${HALAB_TEST_PASS}@h" }\n',
    '.env': 'HALAB_TEST_PASS=s3cr3t-value\n',
  })
  const inv = await loadInventory(dir)
  assert.equal(inv.hosts.get('a')!.vars.pass, 's3cr3t-value')
  assert.equal(redact('url db://u:s3cr3t-value@h'), 'url db://u:********@h')
})

test('a .env that group or others may read is refused, naming the file and the chmod that fixes it', async () => {
  const dir = tree({ 'hosts.yml': 'all:\n  hosts:\n    a: { pass: "${HALAB_TEST_PASS2}" }\n' })
  writeFileSync(join(dir, '.env'), 'HALAB_TEST_PASS2=s3cr3t\n', { mode: 0o644 })
  chmodSync(join(dir, '.env'), 0o644)
  await assert.rejects(loadInventory(dir), (e: unknown) => {
    assert.ok(e instanceof InventoryError)
    assert.equal(e.problems.length, 1, 'its variables still count as set: one problem')
    assert.equal(e.problems[0].file, join(dir, '.env'))
    assert.match(
      e.problems[0].message,
      new RegExp(`open to group or others \\(mode 0644\\): run chmod 600 ${dir}/\\.env`),
    )
    return true
  })
  chmodSync(join(dir, '.env'), 0o600)
  assert.equal((await loadInventory(dir)).hosts.get('a')!.vars.pass, 's3cr3t')
})

test('every problem is reported at once with file, line, host and field', async () => {
  const dir = tree({
    'hosts.yml':
      'all:\n  children:\n    web:\n      hostz: {}\n      hosts:\n        a: { secret: "${HALAB_MISSING_ONE}" }\n',
    'host_vars/ghost.yml': 'x: 1\n',
  })
  await assert.rejects(loadInventory(dir), (e: unknown) => {
    assert.ok(e instanceof InventoryError)
    const text = e.render()
    assert.match(text, /hosts\.yml:4.*unknown key "hostz"/)
    assert.match(text, /host_vars\/ghost.*not a host/)
    assert.match(text, /hosts\.yml:6, host a, field secret: \$\{HALAB_MISSING_ONE\} is not set/)
    assert.equal(e.problems.length, 3, text)
    return true
  })
  const dir2 = tree({ 'hosts.yml': 'all:\n  hosts:\n    a: { secret: "${HALAB_MISSING_ONE}" }\n' })
  await assert.rejects(loadInventory(dir2), (e: unknown) => {
    assert.ok(e instanceof InventoryError)
    assert.match(e.render(), /hosts\.yml:3.*host a.*field secret.*\$\{HALAB_MISSING_ONE\} is not set/)
    return true
  })
})

test('YAML syntax errors name the file and line', async () => {
  const dir = tree({ 'hosts.yml': 'all:\n  hosts:\n    a: {\n  bad\n' })
  await assert.rejects(
    loadInventory(dir),
    (e: unknown) => e instanceof InventoryError && /hosts\.yml:\d+: YAML syntax/.test(e.render()),
  )
})
