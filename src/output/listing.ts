// --list-hosts and --list-tasks: what a run would touch, from the prepared playbook alone
// (nothing connects). Plays with no host in the run are named on one line at the end.
import type { PreparedPlay, PreparedRun } from '../engine/prepare.js'
import { taskTags } from '../engine/select-tasks.js'
import { dim } from './color.js'

export function listHosts(playbook: string, run: PreparedRun): string {
  const lines = [`playbook: ${playbook}`, '']
  for (const [i, play] of run.plays.entries()) {
    if (!play.hosts.size) continue
    lines.push(`  ${playHeading(play, i)}: ${play.hosts.size} host${play.hosts.size === 1 ? '' : 's'}`)
    for (const h of play.hosts.keys()) lines.push(`    ${h}`)
  }
  return [...lines, ...emptyPlays(run.plays)].join('\n') + '\n'
}

export function listTasks(playbook: string, run: PreparedRun): string {
  const lines = [`playbook: ${playbook}`, '']
  for (const [i, play] of run.plays.entries()) {
    if (!play.hosts.size) continue
    lines.push(`  ${playHeading(play, i)}`)
    for (const [tasks, hosts] of sameTasks(play)) lines.push(`    hosts ${hosts.join(', ')}:`, ...tasks)
  }
  return [...lines, ...emptyPlays(run.plays)].join('\n') + '\n'
}

function playHeading(play: PreparedPlay, i: number): string {
  return `PLAY #${i + 1} ${play.name} (hosts: ${play.pattern})`
}

/** Hosts whose task lists are the same, together: per distinct list, its lines and its hosts. */
function sameTasks(play: PreparedPlay): Map<string[], string[]> {
  const byText = new Map<string, { lines: string[]; hosts: string[] }>()
  for (const [host, roles] of play.hosts) {
    const lines = roles.flatMap((r) =>
      r.tasks.map((t) => `      ${r.role} : ${t.name}  TAGS: [${taskTags(r.role, t).join(', ')}]`),
    )
    const key = lines.join('\n')
    const entry = byText.get(key) ?? { lines, hosts: [] }
    entry.hosts.push(host)
    byText.set(key, entry)
  }
  return new Map([...byText.values()].map((e) => [e.lines, e.hosts]))
}

/** One dim line naming the plays this inventory gives no host, or nothing. */
export function emptyPlays(plays: PreparedPlay[]): string[] {
  const names = plays.filter((p) => !p.hosts.size).map((p) => p.name)
  return names.length ? ['', dim(`  no host in this run for ${names.length} play(s): ${names.join(', ')}`)] : []
}
