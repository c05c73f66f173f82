// SSH connections and sessions, counted where they happen: in each lab host's sshd log.
// With LogLevel VERBOSE (set by prepareHosts) OpenSSH's sshd logs
//   "Connection from A port P on B port 22"          once per accepted TCP connection
//   "Starting session: command for root from A …"    once per session channel it starts
//                                                   (exec; "shell"/"subsystem" likewise)
// into the host's journal. The hosts' journals are persistent (/var/log/journal) and the
// lab's overlay roots are visible from the controller, so journalctl -D reads them here
// without opening another SSH connection. A run is attributed by journald's receive
// timestamps inside [start, end] of the run (each run starts after the previous one's
// connections are closed, and the count is read after a short settling pause).
import { join } from 'node:path'
import type { LabHost } from './lab.ts'
import { run } from './proc.ts'

export interface SshdCount {
  connections: number
  sessions: number
}

export async function sshdCounts(hosts: LabHost[], fromMs: number, toMs: number): Promise<Map<string, SshdCount>> {
  const counts = new Map<string, SshdCount>()
  await Promise.all(
    hosts.map(async (h) => {
      const r = await run({
        argv: [
          'journalctl',
          '-D',
          join(h.root, 'var', 'log', 'journal'),
          '-u',
          'ssh.service',
          '-o',
          'short-unix',
          '--no-pager',
          '-q',
          '--since',
          `@${Math.floor(fromMs / 1000) - 1}`,
        ],
        timeoutMs: 30_000,
      })
      const c: SshdCount = { connections: 0, sessions: 0 }
      for (const line of r.stdout.split('\n')) {
        const t = Number(line.slice(0, line.indexOf(' '))) * 1000
        if (!(t >= fromMs && t <= toMs)) continue
        if (/ sshd\[\d+\]: Connection from /.test(line)) c.connections++
        else if (/ sshd\[\d+\]: Starting session: /.test(line)) c.sessions++
      }
      counts.set(h.name, c)
    }),
  )
  return counts
}

/** Per host, averaged over the hosts (they all get the same work). */
export function perHost(counts: Map<string, SshdCount>): SshdCount & { maxConnections: number; maxSessions: number } {
  const list = [...counts.values()]
  const n = Math.max(1, list.length)
  return {
    connections: list.reduce((a, c) => a + c.connections, 0) / n,
    sessions: list.reduce((a, c) => a + c.sessions, 0) / n,
    maxConnections: Math.max(0, ...list.map((c) => c.connections)),
    maxSessions: Math.max(0, ...list.map((c) => c.sessions)),
  }
}
