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
import { exitQuietlyOnBrokenPipe, processSink, type Sink } from './output/sink.js'
import { addRunOptions } from './cli/run-options.js'
import { playbookAskingHelp, playbookHelp, rewriteHelp } from './cli/help.js'
import pkg from '../package.json' with { type: 'json' }

const EXIT_CODES = `
Exit codes (as ansible-playbook, plus 3):
  0  every host ok        2  a task failed on some host
  3  invalid input (inventory, variables, .env, flags, --limit matching no host): nothing ran
  4  a host was unreachable, or its connection was lost mid-run (2|4 = 6 when both)`

export function buildProgram(setCode: (code: number) => void, sink: Sink = processSink): Command {
  const program = addRunOptions(
    new Command('run-playbook')
      .description('Run a halab playbook (playbooks/<name>.ts) against an inventory, idempotently, over SSH.')
      .argument('[playbook]', 'playbook name, e.g. site (run-playbook site --help: its options and plays)'),
  )
    .version(pkg.version, '-V, --version', 'print the version of halab')
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
  else exitQuietlyOnBrokenPipe()
  const args = rewriteHelp(argv.slice(2))
  try {
    registerLabCommands(program)
    addLangOption(program, env)
    const asking = playbookAskingHelp(
      args,
      program.commands.map((c) => c.name()),
    )
    if (asking) {
      sink.out(await playbookHelp(asking, EXIT_CODES))
      return 0
    }
    await program.parseAsync(args, { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_INVALID
    sink.err(renderError(e) + '\n')
    return e instanceof RemoteExitError ? e.exitCode : 1
  }
  // Lab commands (exec, ssh) pass the remote command's exit code on through process.exitCode.
  return code || Number(process.exitCode ?? 0)
}
