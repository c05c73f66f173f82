// Where a host really is, the way `ssh` and Ansible find it: the inventory's variables
// (ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file) win; what they
// leave unset comes from ~/.ssh/config (Host patterns, HostName, Port, User, IdentityFile,
// ProxyJump), parsed by the ssh-config package; jump hosts from ansible_ssh_common_args
// (`-J a,b` or `-o ProxyJump=a,b`) win over the config's ProxyJump. Pure: no connection.
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import SSHConfig from 'ssh-config'
import type { InputProblem } from '../errors.js'
import type { ConnectionVars } from '../inventory/connection-vars.js'

export interface SshHop {
  /** How the host was named (inventory name, or the jump as written): used in messages. */
  name: string
  address: string
  port: number
  user: string
  /** The first IdentityFile that exists, when the config names any. */
  identityFile?: string
}

export interface SshRoute extends SshHop {
  /** Jump hosts in order: the first is reached directly, the target through the last. */
  jumps: SshHop[]
}

export interface SshConfigFile {
  file: string
  config: SSHConfig
}

export interface RouteInput {
  /** Inventory host name. */
  name: string
  vars: ConnectionVars
  /** Where each variable was set (for messages). */
  origins: Record<string, string>
  /** Relative key paths in the inventory are read from here. */
  inventoryDir: string
  localUser: string
  sshConfig?: SshConfigFile
}

export const DEFAULT_SSH_CONFIG = `${homedir()}/.ssh/config`

/** ~/.ssh/config (or `file`), when there is one. `Include` is not followed. */
export function readSshConfig(file = DEFAULT_SSH_CONFIG, problems: InputProblem[] = []): SshConfigFile | undefined {
  if (!existsSync(file)) return undefined
  try {
    return { file, config: SSHConfig.parse(readFileSync(file, 'utf8')) }
  } catch (e) {
    problems.push({ file, message: `cannot read this ssh config: ${(e as Error).message}` })
    return undefined
  }
}

/** The route to one inventory host; problems (each naming file, host and setting) are pushed. */
export function sshRoute(input: RouteInput, problems: InputProblem[]): SshRoute {
  const v = input.vars
  const lookup = v.ansible_host ?? input.name
  const found = lookUp(input, lookup, { name: input.name }, problems)
  const keyVar = v.ansible_ssh_private_key_file
  const jumpSpecs = jumpsFromArgs(input, problems) ?? found.proxyJump
  return {
    name: input.name,
    address: found.address,
    port: v.ansible_port ?? found.port ?? 22,
    user: v.ansible_user ?? found.user ?? input.localUser,
    identityFile: keyVar ? resolve(input.inventoryDir, expandHome(keyVar)) : found.identityFile,
    // As `ssh -J a,b`: the first jump host's own ProxyJump is followed, the others' are not.
    jumps: (jumpSpecs ?? []).flatMap((spec, i) =>
      i === 0 ? jumpChain(input, spec, problems, []) : [bareHop(input, spec, problems)],
    ),
  }
}

interface Found {
  address: string
  port?: number
  user?: string
  identityFile?: string
  proxyJump?: string[]
}

/** What the ssh config says about `host` (a Host alias or a name), read as ssh reads it. */
function lookUp(input: RouteInput, host: string, who: { name: string }, problems: InputProblem[]): Found {
  const cfg = input.sshConfig
  if (!cfg) return { address: host }
  const c = cfg.config.compute(host, { ignoreCase: true, matchExec: false })
  const one = (k: string): string | undefined => (Array.isArray(c[k]) ? c[k][0] : (c[k] as string | undefined))
  const where = { file: cfg.file, host: who.name }
  const user = one('user')
  const tokens = (s: string) => expandTokens(s, host, user ?? input.localUser, input.localUser)
  if (one('proxycommand'))
    problems.push({
      ...where,
      field: 'ProxyCommand',
      message: `halab does not run a ProxyCommand (Host ${host}): write ProxyJump with the jump host instead`,
    })
  const portText = one('port')
  if (portText !== undefined && !/^\d+$/.test(portText))
    problems.push({ ...where, field: 'Port', message: `expected a port number for Host ${host}, got "${portText}"` })
  const jump = one('proxyjump')
  const files = ((c.identityfile as string[] | undefined) ?? []).map((f) => resolve(expandHome(tokens(f))))
  return {
    address: tokens(one('hostname') ?? host),
    port: portText && /^\d+$/.test(portText) ? Number(portText) : undefined,
    user,
    identityFile: files.find((f) => existsSync(f)),
    proxyJump: jump === undefined ? undefined : splitJumps(jump),
  }
}

/**
 * `-J a,b`, `-J=a`, `-o ProxyJump=a`, `-o "ProxyJump a"` in ansible_ssh_common_args; undefined when none.
 * Options that change where or as whom we log in are problems (halab reads them from ansible_* only);
 * other options are ignored.
 */
function jumpsFromArgs(input: RouteInput, problems: InputProblem[]): string[] | undefined {
  const args = input.vars.ansible_ssh_common_args
  if (!args) return undefined
  const problem = (message: string) =>
    problems.push({
      file: input.origins.ansible_ssh_common_args,
      host: input.name,
      field: 'ansible_ssh_common_args',
      message,
    })
  const words = [...args.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3])
  let jumps: string[] | undefined
  words.forEach((w, i) => {
    const option = w === '-o' ? words[i + 1] : /^-o./.test(w) ? w.slice(2) : undefined
    if (w.startsWith('-J')) jumps = splitJumps(w === '-J' ? (words[i + 1] ?? '') : w.slice(2).replace(/^=/, ''))
    const m = option && /^ProxyJump\s*[=\s]\s*(.*)$/i.exec(option)
    if (m) jumps = splitJumps(m[1])
    if (option && /^ProxyCommand\b/i.test(option))
      problem('halab does not run a ProxyCommand: give the jump host with -J HOST (or -o ProxyJump=HOST)')
    const login = loginOption(w, option)
    if (login)
      problem(`halab does not read ${login.given} here (it changes where or as whom we log in): use ${login.use}`)
  })
  if (jumps?.some((j) => !j)) problem(`expected -J [user@]host[:port][,...], got "${args}"`)
  return jumps?.filter(Boolean)
}

const LOGIN_FLAGS: Record<string, string> = { i: 'ansible_ssh_private_key_file', p: 'ansible_port', l: 'ansible_user' }
const LOGIN_OPTIONS: Record<string, string> = {
  identityfile: 'ansible_ssh_private_key_file',
  port: 'ansible_port',
  user: 'ansible_user',
  hostname: 'ansible_host',
}

/** -i/-p/-l, or -o User/Port/IdentityFile/HostName: which inventory variable says it instead. */
function loginOption(word: string, option: string | undefined): { given: string; use: string } | undefined {
  const flag = /^-([ipl])/.exec(word)?.[1]
  if (flag) return { given: `-${flag}`, use: LOGIN_FLAGS[flag] }
  const name = option && /^(\w+)\s*[=\s]/.exec(option)?.[1]
  const use = name ? LOGIN_OPTIONS[name.toLowerCase()] : undefined
  return use ? { given: `-o ${name}`, use } : undefined
}

/** One jump host as written (`[user@]host[:port]` or `ssh://user@host:port`), completed from the ssh config. */
/** A jump host and, before it, the jump hosts its own ProxyJump names (a loop is an error). */
function jumpChain(input: RouteInput, spec: string, problems: InputProblem[], seen: string[]): SshHop[] {
  const { proxyJump: own = [], ...hop } = jumpHop(input, spec, problems)
  if (seen.includes(spec)) {
    problems.push({
      file: input.sshConfig?.file,
      host: input.name,
      field: 'ProxyJump',
      message: `the jump hosts loop: ${[...seen, spec].join(' → ')}`,
    })
    return [hop]
  }
  return [
    ...own.flatMap((s, i) =>
      i === 0 ? jumpChain(input, s, problems, [...seen, spec]) : [jumpHop(input, s, problems)],
    ),
    hop,
  ]
}

/** A jump host whose own ProxyJump is not followed. */
function bareHop(input: RouteInput, spec: string, problems: InputProblem[]): SshHop {
  const { proxyJump, ...hop } = jumpHop(input, spec, problems)
  void proxyJump
  return hop
}

function jumpHop(input: RouteInput, spec: string, problems: InputProblem[]): SshHop & { proxyJump?: string[] } {
  const m = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(spec)
  if (!m) {
    problems.push({ host: input.name, field: 'ProxyJump', message: `expected [user@]host[:port], got "${spec}"` })
    return { name: spec, address: spec, port: 22, user: input.localUser }
  }
  const host = m[2].replace(/^\[|\]$/g, '')
  const found = lookUp(input, host, { name: input.name }, problems)
  return {
    name: spec,
    address: found.address,
    port: m[3] ? Number(m[3]) : (found.port ?? 22),
    user: m[1] ?? found.user ?? input.localUser,
    identityFile: found.identityFile,
    proxyJump: found.proxyJump,
  }
}

/** `a,b` → [a, b]; `none` → none at all (direct). */
function splitJumps(value: string): string[] {
  return value.trim() === 'none' ? [] : value.split(',').map((s) => s.trim())
}

function expandHome(path: string): string {
  return path.replace(/^~(?=\/|$)/, homedir())
}

/** ssh_config(5)'s tokens that make sense here: %h (host), %r (remote user), %u (local user), %d (home), %%. */
function expandTokens(value: string, host: string, user: string, localUser: string): string {
  const map: Record<string, string> = { h: host, r: user, u: localUser, d: homedir(), '%': '%' }
  return value.replace(/%([hrud%])/g, (_, t: string) => map[t])
}
