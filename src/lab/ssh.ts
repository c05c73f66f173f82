// Reaching a lab host: the system's ssh client with the lab's key and known_hosts, strict
// host key checking, and no user ssh config (a ProxyJump there could send lab traffic away).
import { spawn } from 'node:child_process'
import { quote } from '../transport/quote.js'
import { LabError } from './errors.js'
import { KEY_PATH, KNOWN_HOSTS_PATH } from './paths.js'
import { readState, type HostState, type LabState } from './state.js'

/** Options then `-- root@ADDR`: after `--` ssh parses no more options, so a command may start with "-". */
export function sshArgs(address: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    KEY_PATH,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${KNOWN_HOSTS_PATH}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=60',
    '-o',
    'LogLevel=ERROR',
    '--',
    `root@${address}`,
  ]
}

/** The `ssh -i KEY root@ADDR` line a person can paste. */
export function sshCommandLine(address: string): string {
  return `ssh -i ${KEY_PATH} -o UserKnownHostsFile=${KNOWN_HOSTS_PATH} root@${address}`
}

export function findHost(name: string, state: LabState | undefined = readState()): HostState {
  if (!state) throw new LabError('no lab is up', 'start one with `run-playbook lab up <topology>`')
  const host = state.hosts.find((h) => h.name === name)
  if (!host)
    throw new LabError(
      `no host "${name}" in the lab (it has ${state.hosts.map((h) => h.name).join(', ')})`,
      'use one of those names (run-playbook lab status)',
    )
  return host
}

/**
 * Run a command on a host (argv words arrive intact: each is shell-quoted), or an
 * interactive login when argv is empty. Resolves with ssh's exit code (the command's).
 */
export function runOnHost(
  host: HostState,
  argv: string[],
  io: 'inherit' | 'capture' = 'inherit',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [...(argv.length ? ['-o', 'BatchMode=yes'] : ['-t']), ...sshArgs(host.sshAddress)]
  if (argv.length) args.push(argv.map(quote).join(' '))
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: io === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (b) => (stdout += b))
    child.stderr?.on('data', (b) => (stderr += b))
    child.on('error', (err) =>
      reject(new LabError(`${host.name}: cannot run ssh: ${err.message}`, 'install openssh-client (lab up does it)')),
    )
    child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr }))
  })
}
