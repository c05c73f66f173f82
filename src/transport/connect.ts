// From inventory variables to a connected transport, the way Ansible reads them:
// ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file,
// ansible_become, ansible_connection=local, and halab_command_timeout (seconds), all
// checked by connection-vars.ts.
import { existsSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import type { InventoryHost } from '../inventory/types.js'
import { LocalTransport } from './local.js'
import { connectionVars } from '../inventory/connection-vars.js'
import { DEFAULT_COMMAND_TIMEOUT_MS, SshTransport, defaultKnownHosts } from './ssh.js'
import type { Transport } from './types.js'

export interface ConnectOptions {
  inventoryDir: string
  projectRoot: string
  acceptNewHosts: boolean
  /** The lab's key and known_hosts when a lab is up for this inventory. */
  lab?: { privateKeyPath: string; knownHostsPath: string }
}

export async function connectHost(host: InventoryHost, opts: ConnectOptions): Promise<Transport> {
  const v = connectionVars(host, opts.inventoryDir)
  const commandTimeoutMs = v.halab_command_timeout !== undefined ? v.halab_command_timeout * 1000 : undefined
  if (v.ansible_connection === 'local')
    return new LocalTransport(host.name, v.ansible_become, commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS).open()
  const keyVar = v.ansible_ssh_private_key_file
  const knownHostsFiles = [
    defaultKnownHosts(),
    join(opts.projectRoot, 'known_hosts'),
    join(opts.inventoryDir, 'known_hosts'),
  ]
  if (opts.lab) knownHostsFiles.unshift(opts.lab.knownHostsPath)
  return new SshTransport({
    name: host.name,
    address: v.ansible_host ?? host.name,
    port: v.ansible_port,
    user: v.ansible_user ?? userInfo().username,
    privateKeyPath: keyVar
      ? resolve(opts.inventoryDir, keyVar.replace(/^~(?=\/)/, homedir()))
      : opts.lab?.privateKeyPath,
    become: v.ansible_become,
    shell: v.ansible_shell_executable,
    knownHostsFiles: knownHostsFiles.filter(
      (f, i, all) => all.indexOf(f) === i && (existsSync(f) || f === defaultKnownHosts()),
    ),
    acceptNewInto: opts.acceptNewHosts ? defaultKnownHosts() : undefined,
    commandTimeoutMs,
  }).open()
}
