// Help as ansible-playbook's users expect it: `run-playbook help [command]`, and
// `run-playbook <playbook> --help` printing that playbook's run options and plays
// rather than the general help.
import { Command } from 'commander'
import { loadPlaybook } from '../engine/prepare.js'
import { projectRoot } from './context.js'
import { addRunOptions } from './run-options.js'

/** `help` → `--help`; `help X ...` → `X ... --help` (X a command or a playbook). */
export function rewriteHelp(args: string[]): string[] {
  if (args[0] !== 'help') return args
  return [...args.slice(1), '--help']
}

/**
 * The playbook whose help `args` ask for (`site --help`, `-i x site -h`), or undefined:
 * no help asked, or asked for the program or one of its `commands`.
 */
export function playbookAskingHelp(args: string[], commands: string[]): string | undefined {
  // --lang takes a value: unknown here, `--lang es site -h` would read as help for a playbook "es".
  const scratch = addRunOptions(new Command()).option('--lang <lang>').allowUnknownOption().helpOption(false)
  const { operands, unknown } = scratch.parseOptions(args)
  const first = operands[0] ?? unknown.find((a) => !a.startsWith('-'))
  if (!first || commands.includes(first)) return undefined
  return [...operands, ...unknown].some((a) => a === '--help' || a === '-h') ? first : undefined
}

/** `run-playbook <name> --help`: the run options, and the playbook's plays when it exists here. */
export async function playbookHelp(name: string, exitCodes: string): Promise<string> {
  const cmd = addRunOptions(new Command(`run-playbook ${name}`))
    .usage('[options]')
    .description(`Run playbooks/${name}.ts against an inventory, idempotently, over SSH.`)
  let plays = ''
  try {
    const { playbook } = await loadPlaybook(projectRoot(), name)
    plays = playbook.plays
      .map((p, i) => `  ${i + 1}. ${p.name ?? p.hosts}: hosts ${p.hosts} → ${p.roles.join(', ')}`)
      .join('\n')
  } catch {
    plays = `  (no playbook "${name}" here: playbooks are playbooks/<name>.ts)`
  }
  return `${cmd.helpInformation()}\nPlays:\n${plays}\n${exitCodes}\n`
}
