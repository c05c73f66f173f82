// `--lang es|en`: the language of the recap, the verify table, the listings and errors. Without it the
// locale decides (LC_ALL, LC_MESSAGES, LANG). Every command takes it, before or after its
// name (`run-playbook --lang es site`, `run-playbook verify -i X --lang es`), since the
// program's own options stop at a subcommand; `lab exec` only before (`--lang es lab exec …`).
// `--json` is always English: it is for machines.
import { Option, type Command } from 'commander'
import { detectLang, LANGS, setLang } from '../i18n.js'

const langOption = () =>
  new Option(
    '--lang <lang>',
    'language of the recap, verify table, listings and errors (default: from LC_ALL, LC_MESSAGES or LANG)',
  ).choices(LANGS)

/** Call once every command is registered: the locale's language now, the flag's when a command runs. */
export function addLangOption(program: Command, env: Record<string, string | undefined> = process.env): void {
  setLang(detectLang(env))
  const add = (c: Command): void => {
    // A command that takes another command's arguments (lab exec HOST CMD...) passes them on untouched.
    if (!c.registeredArguments.some((a) => a.variadic)) c.addOption(langOption())
    c.commands.forEach(add)
  }
  add(program)
  program.hook('preAction', (_program, action) => {
    const o = action.optsWithGlobals() as { lang?: string }
    setLang(action.opts().json ? 'en' : detectLang(env, o.lang))
  })
}
