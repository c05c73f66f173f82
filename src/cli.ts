// Commands and flags. `run-playbook <playbook>` runs a playbook; `lab …` manages the
// local lab; every command returns its exit code instead of exiting, for tests.
import { Command, CommanderError, Option } from 'commander'
import { renderError } from './errors.js'
import { EXIT_INVALID, runCommand } from './cli/run-command.js'
import { verifyCommand } from './cli/verify-command.js'
import { registerGraphCommand } from './cli/graph-command.js'
import { addLangOption } from './cli/lang-option.js'
import { registerLabCommands } from './lab/commands.js'
import { RemoteExitError } from './lab/errors.js'
import { processSink, type Sink } from './output/sink.js'

const EXIT_CODES = `
Exit codes (as ansible-playbook, plus 3):
  0  every host ok        2  a task failed on some host
  3  invalid input (inventory, variables, .env, flags, --limit matching no host): nothing ran
  4  a host was unreachable, or its connection was lost mid-run (2|4 = 6 when both)`

export function buildProgram(setCode: (code: number) => void, sink: Sink = processSink): Command {
  const program = new Command('run-playbook')
    .description('Run a halab playbook (playbooks/<name>.ts) against an inventory, idempotently, over SSH.')
    .argument('[playbook]', 'playbook name, e.g. site')
    .option('-i, --inventory <path>', 'inventory directory or file', 'inventory/2-node')
    .option('-l, --limit <pattern>', 'only these hosts: names, groups, a:b, !excluded')
    .option('--roles <list>', 'only these roles, comma-separated (on the hosts whose plays include them)')
    .option('-C, --check', 'change nothing; report what would change')
    .option('-D, --diff', 'show unified diffs of changed files (secrets masked)')
    .option(
      '-e, --extra-vars <vars>',
      'extra variables: k=v, @file.yml or JSON (highest precedence; repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('-f, --forks <n>', 'hosts connected and run in parallel (default: all, up to 50)')
    .option('--json', 'one JSON event per line on stdout instead of progress')
    .option(
      '--accept-new-hosts',
      'trust and record unknown SSH host keys in ~/.ssh/known_hosts (changed keys are always refused)',
    )
    .option('-v, --verbose', 'say why each unchanged task had nothing to do')
    .addHelpText('after', EXIT_CODES)
    .showHelpAfterError()
    // `verify -i X` and `lab up -i X` take their own -i: the program's options stop at a subcommand.
    .enablePositionalOptions()
    .action(async (playbook: string | undefined, opts) => {
      if (!playbook) {
        program.outputHelp()
        return setCode(EXIT_INVALID)
      }
      setCode(await runCommand(playbook, opts, sink))
    })
  program.addOption(new Option('--no-color', 'plain output').hideHelp())
  program
    .command('verify')
    .description(
      "run the seeds' own tests against the live cluster (VIP failover, pages, " +
        'data; in the lab also a host powered off and a failed disk) and print a table',
    )
    .option('-i, --inventory <path>', 'inventory directory or file', 'inventory/2-node')
    .option('-e, --extra-vars <vars>', 'extra variables, as for a playbook run', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--accept-new-hosts', 'trust and record unknown SSH host keys')
    .option(
      '--load [seconds]',
      'also measure HTTP load through the VIP with ab (apache2-utils), ' +
        "1 and 2 real servers in service, beside the seed's figures (default 10 s each)",
    )
    .action(async (opts) => setCode(await verifyCommand(opts)))
  registerGraphCommand(program, setCode)
  return program
}

/**
 * `sink` receives what a run and flag errors print (tests run the CLI in-process with a memory sink);
 * `env` gives the locale the language comes from.
 */
export async function main(
  argv: string[],
  sink: Sink = processSink,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let code = 0
  const program = buildProgram((c) => (code = c), sink)
  program.exitOverride()
  if (sink !== processSink) program.configureOutput({ writeOut: sink.out, writeErr: sink.err })
  try {
    registerLabCommands(program)
    addLangOption(program, env)
    await program.parseAsync(argv)
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_INVALID
    sink.err(renderError(e) + '\n')
    return e instanceof RemoteExitError ? e.exitCode : 1
  }
  // Lab commands (exec, ssh) pass the remote command's exit code on through process.exitCode.
  return code || Number(process.exitCode ?? 0)
}
