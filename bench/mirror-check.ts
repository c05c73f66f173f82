// `npx tsx bench/mirror-check.ts [2-node|4-node]`: are the Ansible mirrors of workload B
// still byte-identical to halab's roles? Without any lab and without touching any host:
// halab renders every template of the site playbook for every host (prepareRun, with the
// lab overlay, as a lab run does), and Ansible renders its templates through `debug`
// tasks only (a generated copy of bench/ansible/roles with the same defaults and
// templates, whose tasks are lookups; connection forced to local, --check). The files
// are then compared. The live guard (Ansible right after halab reports changed=0, and the
// other way round) runs in `npm run bench`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadPlaybook, prepareRun } from '../src/engine/prepare.ts'
import { loadInventory } from '../src/inventory/load.ts'
import { ANSIBLE_DIR } from './lib/ansible.ts'
import { REPO } from './lib/lab.ts'
import { run } from './lib/proc.ts'

/** Per mirrored role: debug tasks that render its templates, keyed by the file they become. */
const RENDER: Record<string, string> = {
  base: `- ansible.builtin.debug: { msg: "{{ {'/etc/hosts': lookup('template', 'hosts.j2')} }}" }`,
  drbd: `- ansible.builtin.debug: { msg: "{{ {'/etc/drbd.d/global_common.conf': lookup('template', 'global_common.conf.j2')} }}" }
- ansible.builtin.debug: { msg: "{{ {'/etc/drbd.d/' ~ res.name ~ '.res': lookup('template', 'resource.res.j2')} }}" }
  loop: "{{ drbd_resources }}"
  loop_control: { loop_var: res }`,
  'apache-php': `- ansible.builtin.debug: { msg: "{{ {'/etc/apache2/sites-available/' ~ site.name ~ '.conf': lookup('template', 'site.conf.j2')} }}" }
  loop: "{{ apache_sites }}"
  loop_control: { loop_var: site }
- ansible.builtin.debug: { msg: "{{ {apache_identity_page | default(apache_default_site.document_root ~ '/index.html'): lookup('template', 'identity.html.j2')} }}" }`,
  heartbeat: `- ansible.builtin.debug: { msg: "{{ {'/etc/ha.d/ha.cf': lookup('template', 'ha.cf.j2'), '/etc/ha.d/authkeys': lookup('template', 'authkeys.j2'), '/etc/ha.d/haresources': lookup('template', 'haresources.j2')} }}" }`,
  lvs: `- ansible.builtin.debug: { msg: "{{ {'/etc/systemd/system/halab-lvs-vip.service': lookup('template', 'vip.service.j2')} }}" }
  when: lvs_realservers_group in group_names
- ansible.builtin.debug: { msg: "{{ {'/etc/default/ipvsadm': lookup('template', 'ipvsadm.j2')} }}" }
  when: lvs_directors_group in group_names`,
  keepalived: `- ansible.builtin.debug: { msg: "{{ {'/etc/keepalived/keepalived.conf.full': lookup('template', 'keepalived.conf.j2')} }}" }
  vars: { keepalived_full: true }
  when: keepalived_vrrp_only | bool
- ansible.builtin.debug: { msg: "{{ {'/etc/keepalived/keepalived.conf': lookup('template', 'keepalived.conf.j2')} }}" }
  vars: { keepalived_full: "{{ not keepalived_vrrp_only | bool }}" }`,
}

async function check(topology: string): Promise<number> {
  const inv = join(REPO, 'inventory', topology)
  const playbookFile = join(ANSIBLE_DIR, `site-${topology.replace('-', '')}.yml`)
  const env = secrets(inv)
  Object.assign(process.env, env)
  const inventory = await loadInventory(inv, { extraVars: {}, overlayFile: join(inv, 'lab.yml') })
  const { playbook, file } = await loadPlaybook(REPO, 'site')
  const prepared = await prepareRun(inventory, playbook, file, { projectRoot: REPO })
  const halab = new Map<string, string>()
  for (const p of prepared.plays)
    for (const [host, roles] of p.hosts)
      for (const r of roles)
        for (const t of r.tasks as { name: string; rendered?: string }[]) {
          const m = /^template (\/\S+)$/.exec(t.name)
          if (m && t.rendered !== undefined) halab.set(`${host} ${m[1]}`, t.rendered)
        }

  const work = mkdtempSync(join(tmpdir(), 'halab-mirror-'))
  try {
    symlinkSync(join(ANSIBLE_DIR, 'templates'), join(work, 'templates'))
    for (const [role, tasks] of Object.entries(RENDER)) {
      mkdirSync(join(work, 'roles', role, 'tasks'), { recursive: true })
      for (const d of ['defaults', 'templates'])
        symlinkSync(join(ANSIBLE_DIR, 'roles', role, d), join(work, 'roles', role, d))
      writeFileSync(join(work, 'roles', role, 'tasks', 'main.yml'), tasks + '\n')
    }
    writeFileSync(join(work, 'site.yml'), readFileSync(playbookFile, 'utf8'))
    writeFileSync(join(work, 'ansible.cfg'), `[defaults]\nroles_path = ${join(work, 'roles')}\nnocows = True\n`)
    // Only debug tasks run, and every connection would be local: nothing reaches any host.
    const r = await run({
      argv: [
        'ansible-playbook',
        '--check',
        '-i',
        join(inv, 'hosts.yml'),
        '-e',
        `@${join(inv, 'lab.yml')}`,
        '-e',
        'ansible_connection=local',
        '-e',
        'ansible_host=127.0.0.1',
        join(work, 'site.yml'),
      ],
      cwd: work,
      env: {
        ...env,
        ANSIBLE_CONFIG: join(work, 'ansible.cfg'),
        ANSIBLE_CALLBACK_RESULT_FORMAT: 'json',
        ANSIBLE_NOCOLOR: '1',
      },
      timeoutMs: 300_000,
    })
    if (r.code !== 0) throw new Error(`ansible-playbook exited with ${r.code}:\n${(r.stdout + r.stderr).slice(-2000)}`)
    const ansible = new Map<string, string>()
    for (const m of r.stdout.matchAll(/^ok: \[(\S+)\](?: => \(item=[^)]*\))? => (\{.*?^\})$/gms)) {
      const msg = (JSON.parse(m[2]) as { msg?: unknown }).msg
      if (msg && typeof msg === 'object')
        for (const [path, content] of Object.entries(msg)) ansible.set(`${m[1]} ${path}`, String(content))
    }
    let differ = 0
    for (const [key, content] of halab) {
      const other = ansible.get(key)
      if (other === content) continue
      differ++
      process.stdout.write(`DIFFERS ${topology} ${key}${other === undefined ? ' (Ansible does not write it)' : ''}\n`)
    }
    process.stdout.write(`${topology}: ${halab.size - differ} of ${halab.size} templated files byte-identical\n`)
    return differ
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** Stand-in values for the inventory's secrets (.env.example names): the same for both renderers. */
function secrets(inv: string): Record<string, string> {
  const env: Record<string, string> = {}
  let example = ''
  try {
    example = readFileSync(join(inv, '.env.example'), 'utf8')
  } catch {
    return env
  }
  for (const line of example.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=/.exec(line.trim())
    if (m) env[m[1]] = `mirror${m[1].length}`.slice(0, 8)
  }
  return env
}

const topologies = process.argv.slice(2).length ? process.argv.slice(2) : ['2-node', '4-node']
let differ = 0
for (const t of topologies) differ += await check(t)
process.exitCode = differ ? 1 : 0
