// The options of a playbook run (`run-playbook <playbook> ...`), in one place: the program
// takes them, and `run-playbook <playbook> --help` prints them under the playbook's name.
import type { Command } from 'commander'

const repeatable = (v: string, prev: string[] = []) => [...prev, v]
const count = (_v: unknown, prev: number) => prev + 1

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <path>', 'inventory directory or file', 'inventory/2-node')
    .option('-l, --limit <pattern>', 'only these hosts: names, groups, a:b, !excluded')
    .option('--roles <list>', 'only these roles, comma-separated (on the hosts whose plays include them)')
    .option(
      '-t, --tags <list>',
      "only the tasks with one of these tags, comma-separated: a role's name, config, conf*, all (--list-tags)",
    )
    .option('--skip-tags <list>', 'leave out the tasks with one of these tags, comma-separated (wildcards too)')
    .option('--start-at-task <name>', 'on each host, leave out every task before the first one named so')
    .option('-C, --check', 'change nothing; report what would change')
    .option('-D, --diff', 'show unified diffs of changed files (secrets masked)')
    .option(
      '-e, --extra-vars <vars>',
      'extra variables: k=v, @file.yml or JSON (highest precedence; repeatable)',
      repeatable,
    )
    .option('-f, --forks <n>', 'hosts connected and run in parallel (default: all, up to 50)')
    .option('--list-hosts', 'print the hosts of each play, then stop (connects nowhere)')
    .option('--list-tasks', 'print the tasks of each play with their tags, then stop (connects nowhere)')
    .option('--list-tags', 'print the tags of the tasks each play would run, then stop (connects nowhere)')
    .option('--syntax-check', 'validate the inventory, variables and playbook only; connects nowhere (exit 3 if bad)')
    .option('--json', 'one JSON event per line on stdout instead of progress')
    .option(
      '--accept-new-hosts',
      'trust and record unknown SSH host keys in ~/.ssh/known_hosts (changed keys are always refused)',
    )
    .option(
      '-v, --verbose',
      'more detail, repeatable: -v why a task had nothing to do, -vv the commands run, -vvv their output',
      count,
      0,
    )
}
