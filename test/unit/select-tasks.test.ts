// --tags, --skip-tags and --start-at-task as data: prepared plays in, the kept tasks out.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { InputProblem } from '../../src/errors.ts'
import type { PreparedPlay, PreparedRole } from '../../src/engine/prepare.ts'
import type { Task } from '../../src/engine/types.ts'
import { selectTasks, taskTags, type TaskSelection } from '../../src/engine/select-tasks.ts'
import { packages, service, template } from '../../src/sdk.ts'
import { commandLines } from '../../src/output/details.ts'

const role = (name: string, tasks: Task[]): PreparedRole => ({
  role: name,
  tasks,
  handlers: {},
  notes: [],
  kernel: [],
})

/** Two plays: web (apache on a, b) then ha (heartbeat on a). */
function plays(): PreparedPlay[] {
  const apache = () =>
    role('apache-php', [
      packages({ names: ['apache2'] }),
      template({ path: '/etc/apache2/ports.conf', rendered: 'Listen 80\n' }),
      service({ service: 'apache2', state: 'started' }),
    ])
  const heartbeat = role('heartbeat', [{ ...packages({ names: ['heartbeat'] }), tags: ['packages', 'ha'] }])
  return [
    {
      name: 'web',
      pattern: 'web',
      hosts: new Map([
        ['a', [apache()]],
        ['b', [apache()]],
      ]),
    },
    { name: 'ha', pattern: 'heartbeat', hosts: new Map([['a', [heartbeat]]]) },
  ]
}

/** Per play, per host, the kept tasks' names; and the problems. */
function kept(sel: TaskSelection): { tasks: string[][]; problems: string[] } {
  const problems: InputProblem[] = []
  const out = selectTasks(plays(), sel, problems)
  return {
    tasks: out.map((p) =>
      [...p.hosts].flatMap(([h, roles]) => roles.flatMap((r) => r.tasks.map((t) => `${h} ${t.name}`))),
    ),
    problems: problems.map((p) => `${p.field}: ${p.message}`),
  }
}

describe('task selection', () => {
  it("a task's tags are its role's name and its operation's kind, once each", () => {
    assert.deepEqual(taskTags('apache-php', packages({ names: ['apache2'] })), ['apache-php', 'packages'])
    assert.deepEqual(taskTags('x', { ...service({ service: 'cron', state: 'started' }), tags: ['service', 'x'] }), [
      'x',
      'service',
    ])
  })

  it('--tags keeps the tasks with any of them; a play left with no task has no host', () => {
    assert.deepEqual(kept({ tags: ['packages'] }).tasks, [
      ['a package present: apache2', 'b package present: apache2'],
      ['a package present: heartbeat'],
    ])
    assert.deepEqual(kept({ tags: ['config', 'ha'] }).tasks, [
      ['a template /etc/apache2/ports.conf', 'b template /etc/apache2/ports.conf'],
      ['a package present: heartbeat'],
    ])
    assert.deepEqual(kept({ tags: ['heartbeat'] }).tasks, [[], ['a package present: heartbeat']])
  })

  it('--skip-tags wins over --tags; `all` is every task', () => {
    assert.deepEqual(kept({ tags: ['all'], skipTags: ['apache-php'] }).tasks, [[], ['a package present: heartbeat']])
    assert.deepEqual(kept({ tags: ['packages'], skipTags: ['ha'] }).tasks[1], [])
  })

  it('shell wildcards pick every tag they match, in --tags and --skip-tags', () => {
    assert.deepEqual(kept({ tags: ['conf*'] }).tasks, [
      ['a template /etc/apache2/ports.conf', 'b template /etc/apache2/ports.conf'],
      [],
    ])
    assert.deepEqual(kept({ tags: ['h?'], skipTags: ['*php'] }).tasks, [[], ['a package present: heartbeat']])
    assert.deepEqual(kept({ tags: ['*'], skipTags: ['serv*', 'pack*'] }).tasks[0], [
      'a template /etc/apache2/ports.conf',
      'b template /etc/apache2/ports.conf',
    ])
    assert.deepEqual(
      kept({ tags: ['a.*'] }).problems[0],
      '--tags: no tag of this run matches "a.*" ' + '(its tags: apache-php, config, ha, heartbeat, packages, service)',
      'a dot is a dot, not any character',
    )
  })

  it("`tagged` is every task (each carries its role's name), `untagged` none (a problem); --skip-tags all: none", () => {
    assert.deepEqual(kept({ tags: ['tagged'] }), kept({}))
    assert.deepEqual(kept({ skipTags: ['all'] }).tasks, [[], []])
    assert.deepEqual(kept({ tags: ['untagged'] }).problems, [
      '--tags: no task of this run is "untagged": each one is tagged with its role\'s name',
    ])
  })

  it('--start-at-task drops, per host, every task before the first so named, across plays', () => {
    assert.deepEqual(kept({ startAt: 'service apache2 started' }).tasks, [
      ['a service apache2 started', 'b service apache2 started'],
      ['a package present: heartbeat'],
    ])
    assert.deepEqual(kept({ startAt: 'heartbeat : package present: heartbeat' }).tasks, [
      [],
      ['a package present: heartbeat'],
    ])
  })

  it('a tag or a start task that no task has is a problem naming the flag and what exists', () => {
    assert.deepEqual(kept({ tags: ['pakages'], skipTags: ['nope'], startAt: 'nothing' }).problems, [
      '--tags: no task of this run has the tag "pakages" (its tags: apache-php, config, ha, heartbeat, packages, service)',
      '--skip-tags: no task of this run has the tag "nope" (its tags: apache-php, config, ha, heartbeat, packages, service)',
      '--start-at-task: no task of this run is named "nothing" (--list-tasks shows their names)',
    ])
  })
})

describe('verbose details', () => {
  const end = {
    type: 'task-end' as const,
    host: 'a',
    role: 'r',
    task: 't',
    status: 'changed' as const,
    changes: ['x'],
    ms: 5,
    commands: [{ command: 'apt-get install -y cron', code: 100, stdout: 'Reading\x1b[2J lists\n', stderr: 'E: no\n' }],
  }

  it('-vv lists the commands with a non-zero exit code, -vvv adds their output made printable, -v neither', () => {
    assert.deepEqual(commandLines(end, 1), [])
    assert.deepEqual(commandLines(end, 2), ['$ apt-get install -y cron  (exit code 100)'])
    assert.deepEqual(commandLines(end, 3), [
      '$ apt-get install -y cron  (exit code 100)',
      '  | Reading\\x1b[2J lists',
      '  ! E: no',
    ])
  })
})
