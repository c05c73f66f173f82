// From inventory variables to a connected transport, the way Ansible reads them:
// ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file,
// ansible_become, ansible_connection=local.
import { existsSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import type { InventoryHost } from '../inventory/types.js'
import { LocalTransport } from './local.js'
import { SshTransport, defaultKnownHosts } from './ssh.js'
import type { Transport } from './types.js'

export interface ConnectOptions {
  inventoryDir: string
  projectRoot: string
  acceptNewHosts: boolean
  /** The lab's key and known_hosts when a lab is up for this inventory. */
  lab?: { privateKeyPath: string; knownHostsPath: string }
}

export async function connectHost(host: InventoryHost, opts: ConnectOptions): Promise<Transport> {
  const v = host.vars
  const become = truthy(v.ansible_become)
  if (v.ansible_connection === 'local') return new LocalTransport(host.name, become).open()
  const keyVar = typeof v.ansible_ssh_private_key_file === 'string' ? v.ansible_ssh_private_key_file : undefined
  const knownHostsFiles = [
    defaultKnownHosts(),
    join(opts.projectRoot, 'known_hosts'),
    join(opts.inventoryDir, 'known_hosts'),
  ]
  if (opts.lab) knownHostsFiles.unshift(opts.lab.knownHostsPath)
  return new SshTransport({
    name: host.name,
    address: String(v.ansible_host ?? host.name),
    port: Number(v.ansible_port ?? 22),
    user: String(v.ansible_user ?? userInfo().username),
    privateKeyPath: keyVar
      ? resolve(opts.inventoryDir, keyVar.replace(/^~(?=\/)/, homedir()))
      : opts.lab?.privateKeyPath,
    become,
    shell: typeof v.ansible_shell_executable === 'string' ? v.ansible_shell_executable : undefined,
    knownHostsFiles: knownHostsFiles.filter(
      (f, i, all) => all.indexOf(f) === i && (existsSync(f) || f === defaultKnownHosts()),
    ),
    acceptNewInto: opts.acceptNewHosts ? defaultKnownHosts() : undefined,
  }).open()
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === 'yes' || v === 1 || v === '1'
}
