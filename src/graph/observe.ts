// What `graph --live` asks each host, all hosts at once: one round trip each (the
// network-interfaces fact: `ip -o link` and `ip -o -4 addr`), within a short time limit.
// A host that does not answer in time is down; one that answers but cannot be asked (a
// refused key, an unknown host key) is unknown, with the reason.
import { HalabError, NoAnswerError, UnreachableError } from '../errors.js'
import { HostContext } from '../engine/host-context.js'
import { networkInterfaces } from '../facts/network.js'
import { t } from '../i18n.js'
import { redact } from '../secrets.js'
import type { InventoryHost } from '../inventory/types.js'
import type { Transport } from '../transport/types.js'
import type { HostObservation } from './live.js'

/** How long `graph --live` waits for a host by default (connection, handshake, the probe). */
export const DEFAULT_LIVE_TIMEOUT_MS = 5000

export type Connect = (host: string, o: { connectTimeoutMs: number }) => Promise<Transport>

/** Every host of `hosts` observed in parallel; none takes much longer than `timeoutMs`. */
export async function observeHosts(
  hosts: Map<string, InventoryHost>,
  connect: Connect,
  timeoutMs = DEFAULT_LIVE_TIMEOUT_MS,
): Promise<Map<string, HostObservation>> {
  const names = [...hosts.keys()]
  const seen = await Promise.all(
    names.map((name) => withinTime(observeHost(hosts, name, connect, timeoutMs), timeoutMs)),
  )
  return new Map(names.map((name, i) => [name, seen[i]]))
}

async function observeHost(
  hosts: Map<string, InventoryHost>,
  name: string,
  connect: Connect,
  timeoutMs: number,
): Promise<HostObservation> {
  let transport: Transport | undefined
  try {
    transport = await connect(name, { connectTimeoutMs: timeoutMs })
    const host = new HostContext(hosts.get(name)!, transport, { check: true, diff: false }, hosts)
    host.commandTimeoutMs = timeoutMs
    const interfaces = await host.fact(networkInterfaces())
    const addresses = interfaces.flatMap((i) => i.addresses.map((a) => ({ address: a.address, interface: i.name })))
    return { state: 'up', addresses }
  } catch (e) {
    const what = e instanceof UnreachableError && e.host === name ? e.detail : (e as Error).message
    // What to do comes with it (a refused key: which variables to check; an unknown host key: --accept-new-hosts).
    // Masked here, before any picture (text, DOT, SVG, PNG) is drawn from it.
    const reason = redact(e instanceof HalabError && e.hint ? `${what} → ${e.hint}` : what)
    return { state: e instanceof NoAnswerError && e.host === name ? 'down' : 'unknown', reason }
  } finally {
    await transport?.close().catch(() => {})
  }
}

/**
 * A guard for what the transport's own limits do not cover (a shell that never starts): past
 * twice the limit the host counts as down; its attempt closes its connection when it ends.
 */
async function withinTime(attempt: Promise<HostObservation>, timeoutMs: number): Promise<HostObservation> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<HostObservation>((resolve) => {
    timer = setTimeout(
      () => resolve({ state: 'down', reason: t('graph.liveNoAnswer', { seconds: (2 * timeoutMs) / 1000 }) }),
      2 * timeoutMs,
    )
  })
  try {
    return await Promise.race([attempt, late])
  } finally {
    clearTimeout(timer)
  }
}
