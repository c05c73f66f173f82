// A real sshd on loopback for tests: its own config, host key, user key and
// authorized_keys in a temporary folder, on a free port. Never the machine's own
// ssh configuration or root's authorized_keys.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import type { SshTarget } from '../../src/transport/ssh.ts'

export interface TestSshd {
  dir: string
  port: number
  user: string
  keyPath: string
  /** A known_hosts file that trusts this sshd's host key on 127.0.0.1:port. */
  knownHostsPath: string
  hostPublicKey: string
  logPath: string
  /** The listening sshd's process id. */
  pid: number
  stop(): Promise<void>
}

/** The transport's target for this sshd: its key, its known_hosts, this machine's user. */
export function sshTarget(sshd: TestSshd, over: Partial<SshTarget> = {}): SshTarget {
  return {
    name: 'loop',
    address: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    privateKeyPath: sshd.keyPath,
    become: false,
    knownHostsFiles: [sshd.knownHostsPath],
    ...over,
  }
}

/** An inventory's `vars:` lines (4 spaces in) that send its hosts to this sshd. */
export function sshdVarsYaml(sshd: TestSshd): string {
  return [
    'ansible_host: 127.0.0.1',
    `ansible_port: ${sshd.port}`,
    `ansible_user: ${sshd.user}`,
    `ansible_ssh_private_key_file: ${sshd.keyPath}`,
  ]
    .map((l) => `    ${l}\n`)
    .join('')
}

export function sshdAvailable(): string | undefined {
  if (spawnSync('test', ['-x', '/usr/sbin/sshd']).status !== 0)
    return 'sshd is not installed (apt-get install openssh-server)'
  return undefined
}

/**
 * `config`: sshd_config lines that come first, so they win over the defaults below (sshd keeps
 * the first value of each keyword), e.g. `PasswordAuthentication yes`.
 */
export async function startSshd(config: string[] = []): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'halab-sshd-'))
  const port = await freePort()
  const keygen = (file: string) =>
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' })
  keygen(join(dir, 'host_ed25519'))
  keygen(join(dir, 'user_ed25519'))
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_ed25519.pub')))
  const hostPublicKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim()
  const [type, key] = hostPublicKey.split(' ')
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${type} ${key}\n`)
  mkdirSync('/run/sshd', { recursive: true })
  const logPath = join(dir, 'sshd.log')
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      ...config,
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'MaxStartups 100',
      'LogLevel VERBOSE',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  )
  const proc: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config'), '-E', logPath], {
    stdio: 'ignore',
  })
  await waitForPort(port, proc)
  return {
    dir,
    port,
    user: userInfo().username,
    keyPath: join(dir, 'user_ed25519'),
    knownHostsPath: join(dir, 'known_hosts'),
    hostPublicKey,
    logPath,
    pid: proc.pid!,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

async function waitForPort(port: number, proc: ChildProcess): Promise<void> {
  const { connect } = await import('node:net')
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`sshd exited with ${proc.exitCode}`)
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => (s.destroy(), r(true)))
      s.once('error', () => r(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('sshd did not start listening')
}

/**
 * A test file's loopback sshd and scratch folder: `set` receives both before the tests, both
 * are gone after them. `set` assigns the file's own variables:
 * `useSshdWork('halab-x-', (s, w) => ((sshd = s), (work = w)))`.
 */
export function useSshdWork(prefix: string, set: (sshd: TestSshd, work: string) => void): void {
  let sshd: TestSshd | undefined
  let work = ''
  before(async () => {
    sshd = await startSshd()
    work = mkdtempSync(join(tmpdir(), prefix))
    set(sshd, work)
  })
  after(async () => {
    await sshd?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })
}
