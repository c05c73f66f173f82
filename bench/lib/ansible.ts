// Ansible at its best for these runs: Debian's ansible-core, pipelining on (one exec per
// module, no temp files), ControlPersist (one SSH master per host, kept warm between
// runs), forks ≥ hosts, no fact gathering, the interpreter given (no discovery round
// trip), host keys checked against the lab's known_hosts with the lab's key.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LAB_KEY, LAB_KNOWN_HOSTS, REPO } from './lab.ts'
import { must, run } from './proc.ts'

export const ANSIBLE_DIR = join(REPO, 'bench', 'ansible')

/** Installs Debian's ansible-core with apt when ansible-playbook is missing; returns its version. */
export async function ensureAnsible(log: (line: string) => void): Promise<string> {
  if (!existsSync('/usr/bin/ansible-playbook')) {
    log('installing ansible-core (Debian package) with apt-get')
    await must({
      argv: ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'ansible-core'],
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 15 * 60_000,
    }).catch(async () => {
      await must({ argv: ['apt-get', 'update', '-q'], timeoutMs: 10 * 60_000 })
      await must({
        argv: ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'ansible-core'],
        env: { DEBIAN_FRONTEND: 'noninteractive' },
        timeoutMs: 15 * 60_000,
      })
    })
  }
  const out = await must({ argv: ['ansible-playbook', '--version'] })
  return /core ([\d.]+)/.exec(out)?.[1] ?? out.split('\n')[0]
}

export interface AnsibleSetup {
  config: string
  controlDir: string
  forks: number
  /** Runs Mitogen's strategy: its connection pool gets one thread per fork (MITOGEN_POOL_SIZE, 32 by default). */
  mitogen?: boolean
}

export interface AnsibleOptions {
  /** Mitogen's strategy plugins folder: run its mitogen_linear strategy, as Mitogen's docs set it up. */
  mitogenStrategy?: string
  /** Key and known_hosts (the lab's unless given: the loopback test has its own). */
  key?: string
  knownHosts?: string
}

/** Writes ansible.cfg (the settings above) into `dir`; ANSIBLE_CONFIG points at it. */
export function writeAnsibleConfig(dir: string, forks: number, o: AnsibleOptions = {}): AnsibleSetup {
  const controlDir = join(dir, 'cp')
  mkdirSync(controlDir, { recursive: true })
  const config = join(dir, 'ansible.cfg')
  writeFileSync(
    config,
    [
      '[defaults]',
      `forks = ${forks}`,
      'gathering = explicit',
      'host_key_checking = True',
      'interpreter_python = /usr/bin/python3',
      `private_key_file = ${o.key ?? LAB_KEY}`,
      'retry_files_enabled = False',
      'deprecation_warnings = False',
      `roles_path = ${join(ANSIBLE_DIR, 'roles')}`,
      'nocows = True',
      // Mitogen's install notes: its first connection on a busy machine can pass the default 10 s.
      ...(o.mitogenStrategy
        ? [`strategy_plugins = ${o.mitogenStrategy}`, 'strategy = mitogen_linear', 'timeout = 30']
        : []),
      '',
      '[ssh_connection]',
      'pipelining = True',
      // -F /dev/null: a user's ssh config (ProxyJump…) cannot send lab traffic elsewhere.
      'ssh_args = -F /dev/null -o ControlMaster=auto -o ControlPersist=600s ' +
        `-o UserKnownHostsFile=${o.knownHosts ?? LAB_KNOWN_HOSTS} -o StrictHostKeyChecking=yes`,
      `control_path_dir = ${controlDir}`,
      '',
    ].join('\n'),
  )
  return { config, controlDir, forks, mitogen: Boolean(o.mitogenStrategy) }
}

export function ansibleEnv(setup: AnsibleSetup): Record<string, string> {
  return {
    ANSIBLE_CONFIG: setup.config,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ...(setup.mitogen ? { MITOGEN_POOL_SIZE: String(setup.forks) } : {}),
  }
}

/** Close the SSH masters ControlPersist kept (so no connection outlives the benchmark). */
export async function closeMasters(setup: AnsibleSetup): Promise<void> {
  if (!existsSync(setup.controlDir)) return
  await Promise.all(
    readdirSync(setup.controlDir).map((sock) =>
      run({
        argv: ['ssh', '-F', '/dev/null', '-o', `ControlPath=${join(setup.controlDir, sock)}`, '-O', 'exit', 'lab-host'],
        timeoutMs: 10_000,
      }),
    ),
  )
}

export interface RecapLine {
  ok: number
  changed: number
  failed: number
  unreachable: number
}

/** `host : ok=4 changed=0 unreachable=0 failed=0 …` (Ansible and halab print the same fields). */
export function parseRecap(stdout: string): Map<string, RecapLine> {
  const recap = new Map<string, RecapLine>()
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s+:\s+(.*\bok=\d+.*)$/.exec(line.trim())
    if (!m) continue
    const field = (f: string) => Number(new RegExp(`\\b${f}=(\\d+)`).exec(m[2])?.[1] ?? 0)
    recap.set(m[1], {
      ok: field('ok'),
      changed: field('changed'),
      failed: field('failed'),
      unreachable: field('unreachable'),
    })
  }
  return recap
}
