// From inventory variables to a connected transport, the way Ansible reads them:
// ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file, ansible_password,
// ansible_become(_password), ansible_ssh_common_args (-J), ansible_connection=local, and
// halab_command_timeout (seconds), all checked by connection-vars.ts; what they leave
// unset comes from ~/.ssh/config (ssh-config.ts), except for the local lab's hosts.
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { InventoryError, type InputProblem } from '../errors.js'
import { ConnectionVars, connectionVars } from '../inventory/connection-vars.js'
import type { InventoryHost } from '../inventory/types.js'
import type { Tunnels } from './jump.js'
import { LocalTransport } from './local.js'
import { DEFAULT_COMMAND_TIMEOUT_MS, SshTransport, defaultKnownHosts } from './ssh.js'
import { readSshConfig, sshRoute, type SshRoute } from './ssh-config.js'
import type { Transport } from './types.js'

export interface ConnectOptions {
  inventoryDir: string
  projectRoot: string
  acceptNewHosts: boolean
  /** The lab's key and known_hosts when a lab is up for this inventory (then ~/.ssh/config is not read). */
  lab?: { privateKeyPath: string; knownHostsPath: string }
  /** Default ~/.ssh/config. */
  sshConfigPath?: string
  /** Where jump host connections are shared (default: this process's). */
  tunnels?: Tunnels
  /** How long the TCP connection and the SSH handshake may take, each hop (default 10 s). */
  connectTimeoutMs?: number
}

export type RouteOptions = Pick<ConnectOptions, 'inventoryDir' | 'sshConfigPath' | 'lab'>

/** How `host` is reached; problems in the ssh config or the jump hosts are pushed, naming file and host. */
export function hostRoute(host: InventoryHost, v: ConnectionVars, o: RouteOptions, problems: InputProblem[]) {
  const sshConfig = o.lab ? undefined : readSshConfig(o.sshConfigPath, problems)
  const input = { name: host.name, vars: v, origins: host.origins, inventoryDir: o.inventoryDir, sshConfig }
  return sshRoute({ ...input, localUser: userInfo().username }, problems)
}

/** What is wrong in the way to `host` (ssh config, jump hosts), found before connecting anywhere. */
export function routeProblems(host: InventoryHost, o: RouteOptions): InputProblem[] {
  const r = ConnectionVars.safeParse(host.vars)
  if (!r.success || r.data.ansible_connection === 'local') return []
  const problems: InputProblem[] = []
  hostRoute(host, r.data, o, problems)
  return problems
}

export async function connectHost(host: InventoryHost, opts: ConnectOptions): Promise<Transport> {
  const v = connectionVars(host, opts.inventoryDir)
  const commandTimeoutMs = v.halab_command_timeout !== undefined ? v.halab_command_timeout * 1000 : undefined
  if (v.ansible_connection === 'local')
    return new LocalTransport(host.name, v.ansible_become, commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS).open()
  const problems: InputProblem[] = []
  const route = hostRoute(host, v, opts, problems)
  if (problems.length) throw new InventoryError(problems)
  const trust = { ...hostKeyTrust(opts), connectTimeoutMs: opts.connectTimeoutMs }
  const password = v.ansible_password ?? v.ansible_ssh_pass
  const becomePassword = v.ansible_become_password ?? v.ansible_become_pass
  return new SshTransport({
    ...endpoint(route, trust),
    privateKeyPath: route.identityFile ?? opts.lab?.privateKeyPath,
    password,
    become: v.ansible_become,
    becomePassword,
    shell: v.ansible_shell_executable,
    commandTimeoutMs,
    jumps: route.jumps.map((j) => endpoint(j, trust)),
    tunnels: opts.tunnels,
  }).open()
}

/** What every hop on the way shares: the host keys trusted, how long a hop may take to answer. */
type HopOptions = ReturnType<typeof hostKeyTrust> & { connectTimeoutMs?: number }

function endpoint(hop: Omit<SshRoute, 'jumps'>, trust: HopOptions) {
  const { name, address, port, user, identityFile } = hop
  return { name, address, port, user, privateKeyPath: identityFile, ...trust }
}

/** The known_hosts files a host key is checked against, and where --accept-new-hosts records one. */
function hostKeyTrust(opts: ConnectOptions) {
  const files = [defaultKnownHosts(), join(opts.projectRoot, 'known_hosts'), join(opts.inventoryDir, 'known_hosts')]
  if (opts.lab) files.unshift(opts.lab.knownHostsPath)
  return {
    knownHostsFiles: files.filter((f, i, all) => all.indexOf(f) === i && (existsSync(f) || f === defaultKnownHosts())),
    acceptNewInto: opts.acceptNewHosts ? defaultKnownHosts() : undefined,
  }
}
