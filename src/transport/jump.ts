// Jump hosts (ProxyJump): each hop is an SSH connection whose forwardOut channel carries
// the next hop's connection, as `ssh -J` does. Every host behind the same jump host shares
// one connection to it for the whole run (counted; the last user closes it), so ten web
// servers behind one bastion cost one login on the bastion, not ten.
import type { Duplex } from 'node:stream'
import type { Client } from 'ssh2'
import { HostKeyError, NoAnswerError, UnreachableError } from '../errors.js'
import { t as tr } from '../i18n.js'
import { connectTcp, handshake, type SshEndpoint } from './ssh-client.js'

interface Hop {
  /** The path to it (`a > b`). */
  key: string
  client: Promise<Client>
  users: number
}

export interface Tunnel {
  sock: Duplex
  /** The target's connection is closed: jump connections nobody else uses are closed too. Once is enough. */
  release(): void
}

export class Tunnels {
  /** By path (`a > b`): b reached through a is another connection than b reached directly. */
  private readonly hops = new Map<string, Hop>()

  /** A channel to `target` through `jumps`, in order. */
  async open(jumps: SshEndpoint[], target: SshEndpoint): Promise<Tunnel> {
    // The entries this tunnel uses, not their keys: by the time it is released, a key may name
    // another connection (the one it held died and another host logged in again).
    const held: Hop[] = []
    let released = false
    const release = () => {
      if (!released) this.release(held)
      released = true
    }
    try {
      let via: { client: Client; hop: SshEndpoint } | undefined
      for (const hop of jumps) {
        const key = [...held.slice(-1).map((h) => h.key), `${hop.user}@${hop.address}:${hop.port}`].join(' > ')
        const entry = this.use(key, hop, via)
        held.push(entry)
        via = { client: await entry.client.catch((e) => Promise.reject(throughJump(target, hop, e))), hop }
      }
      const sock = await forward(via!.client, via!.hop, target)
      return { sock, release }
    } catch (e) {
      release()
      throw e
    }
  }

  /** Open connections to jump hosts (for tests). */
  get size(): number {
    return this.hops.size
  }

  private use(key: string, hop: SshEndpoint, via: { client: Client; hop: SshEndpoint } | undefined): Hop {
    let entry = this.hops.get(key)
    if (!entry) {
      const client = handshake(hop, () => (via ? forward(via.client, via.hop, hop) : connectTcp(hop)))
      const created: Hop = { key, client, users: 0 }
      const forget = () => this.hops.get(key) === created && this.hops.delete(key)
      // A jump host that failed, or whose connection has died since, is logged in to again by the
      // next host that needs it (a dead connection handed out fails every host behind it).
      client.then((c) => c.once('close', forget), forget)
      this.hops.set(key, (entry = created))
    }
    entry.users++
    return entry
  }

  private release(held: Hop[]): void {
    for (const entry of [...held].reverse()) {
      if (--entry.users > 0) continue
      if (this.hops.get(entry.key) === entry) this.hops.delete(entry.key)
      entry.client.then((c) => c.end()).catch(() => {})
    }
  }
}

/** The jump hosts of this process's run. */
export const runTunnels = new Tunnels()

/**
 * A failure to reach or log in to `jump` is `target`'s: the run reports the host it could not
 * reach, and says on which jump host it stopped and what to check there.
 */
function throughJump(target: SshEndpoint, jump: SshEndpoint, e: unknown): unknown {
  const through = (detail: string) => tr('ssh.throughJump', { jump: jump.name, detail })
  if (e instanceof HostKeyError)
    return new HostKeyError(target.name, through(e.message.replace(`${e.host}: `, '')), e.hint!)
  if (e instanceof NoAnswerError) return new NoAnswerError(target.name, through(e.detail), e.hint)
  if (!(e instanceof UnreachableError)) return e
  const hint = tr('ssh.jumpHint', { jump: jump.name, password: Boolean(jump.password) })
  return new UnreachableError(target.name, through(e.detail), hint)
}

/** A channel from `jump` to `to`'s address and port, for `to`'s SSH connection. */
function forward(client: Client, jump: SshEndpoint, to: SshEndpoint): Promise<Duplex> {
  const seconds = (to.connectTimeoutMs ?? 10_000) / 1000
  const fail = (why: string) =>
    new UnreachableError(
      to.name,
      `the jump host ${jump.name} could not reach ${to.address}:${to.port}: ${why}`,
      `check that ${to.address}:${to.port} is the address as seen from ${jump.name} (HostName/ansible_host and Port)`,
    )
  return new Promise((resolve, reject) => {
    let late = false
    const timer = setTimeout(() => ((late = true), reject(fail(`no answer within ${seconds} s`))), seconds * 1000)
    try {
      client.forwardOut('127.0.0.1', 0, to.address, to.port, (err, stream) => {
        clearTimeout(timer)
        if (late) stream?.destroy()
        else if (err) reject(fail(err.message))
        else resolve(stream)
      })
    } catch (e) {
      // ssh2 throws 'Not connected' when the connection to the jump host has just closed.
      clearTimeout(timer)
      const why = tr('ssh.jumpClosed', { jump: jump.name, detail: (e as Error).message })
      reject(new UnreachableError(to.name, why, tr('ssh.jumpClosedHint', { jump: jump.name })))
    }
  })
}
