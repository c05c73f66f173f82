// --list-hosts, --list-tasks and --list-tags: what a run would touch, from the prepared
// playbook alone (nothing connects). Plays with no host in the run are named on one line at the end.
import type { PreparedPlay, PreparedRun } from '../engine/prepare.js'
import { playTags, taskTags } from '../engine/select-tasks.js'
import { t } from '../i18n.js'
import { dim } from './color.js'

export function listHosts(playbook: string, run: PreparedRun): string {
  return listing(playbook, run, (play, heading) => [
    `  ${heading}: ${t('list.hostCount', { count: play.hosts.size })}`,
    ...[...play.hosts.keys()].map((h) => `    ${h}`),
  ])
}

export function listTasks(playbook: string, run: PreparedRun): string {
  return listing(playbook, run, (play, heading) => [
    `  ${heading}`,
    ...[...sameTasks(play)].flatMap(([tasks, hosts]) => [
      `    ${t('list.hostsOf', { hosts: hosts.join(', ') })}`,
      ...tasks,
    ]),
  ])
}

/** As ansible-playbook --list-tags: per play, the tags its selected tasks carry, sorted, once each. */
export function listTags(playbook: string, run: PreparedRun): string {
  return listing(playbook, run, (play, heading) => [
    `  ${heading}`,
    `      ${t('list.taskTags', { tags: playTags(play).join(', ') })}`,
  ])
}

/** The playbook's line, then `play`'s lines for each play with hosts, then the line for those without. */
function listing(playbook: string, run: PreparedRun, play: (p: PreparedPlay, heading: string) => string[]): string {
  const lines = run.plays.flatMap((p, i) => (p.hosts.size ? play(p, playHeading(p, i)) : []))
  return [t('list.playbook', { playbook }), '', ...lines, ...emptyPlays(run.plays)].join('\n') + '\n'
}

function playHeading(play: PreparedPlay, i: number): string {
  return t('list.play', { number: i + 1, play: play.name, pattern: play.pattern })
}

/** Hosts whose task lists are the same, together: per distinct list, its lines and its hosts. */
function sameTasks(play: PreparedPlay): Map<string[], string[]> {
  const byText = new Map<string, { lines: string[]; hosts: string[] }>()
  for (const [host, roles] of play.hosts) {
    const lines = roles.flatMap((r) =>
      r.tasks.map(
        (task) => `      ${r.role} : ${task.name}  ${t('list.tags', { tags: taskTags(r.role, task).join(', ') })}`,
      ),
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
  return names.length ? ['', dim(`  ${t('list.hostless', { count: names.length, plays: names.join(', ') })}`)] : []
}
