// The variables halab itself reads to reach a host (Ansible's names, plus
// halab_command_timeout), checked before any connection: a port "22x" is invalid input
// naming the file, the host and the variable, never a socket error later.
import { z } from 'zod'
import { InventoryError, type InputProblem } from '../errors.js'
import type { InventoryHost } from './types.js'

const truthy = (v: unknown): boolean => v === true || v === 'true' || v === 'yes' || v === 1 || v === '1'

/** A whole number written as one (YAML `22`, INI `22`, or a quoted "22"). */
const wholeNumber = (what: string) =>
  z.union([z.number(), z.string().regex(/^\d+$/, `expected ${what}`).transform(Number)], { error: `expected ${what}` })

const Word = (what: string) =>
  z.string({ error: `expected ${what}` }).regex(/^[^\s-][^\s]*$/, `expected ${what}: one word, not starting with "-"`)

const Password = z.string({ error: 'expected a password: a string such as "${NAME}", NAME=... in .env' }).min(1)

/** Connection variables that hold passwords: their value must come from .env, never the inventory's text. */
export const PASSWORD_VARS = ['ansible_password', 'ansible_ssh_pass', 'ansible_become_password', 'ansible_become_pass']

export const ConnectionVars = z.object({
  ansible_host: Word('a host name or address').optional(),
  ansible_port: wholeNumber('a port number, 1-65535')
    .pipe(
      z
        .number()
        .int('expected a whole port number')
        .min(1, 'a port number is at least 1')
        .max(65535, 'a port number is at most 65535'),
    )
    .optional(),
  ansible_user: Word('a user name').optional(),
  ansible_password: Password.optional(),
  ansible_ssh_pass: Password.optional(),
  ansible_become_password: Password.optional(),
  ansible_become_pass: Password.optional(),
  ansible_ssh_common_args: z.string({ error: 'expected ssh options as one string, e.g. "-J bastion"' }).optional(),
  ansible_ssh_private_key_file: z.string({ error: 'expected the path of a private key file' }).min(1).optional(),
  ansible_connection: z
    .enum(['ssh', 'smart', 'local'], { error: 'halab connects with "ssh" (the default) or "local"' })
    .optional(),
  ansible_become: z.union([z.boolean(), z.string(), z.number()]).transform(truthy).default(false),
  ansible_shell_executable: Word('the path of a POSIX shell').optional(),
  /** Seconds a command may run before it is stopped (default 20 minutes); a task's `timeout` wins. */
  halab_command_timeout: z
    .union(
      [
        z.number(),
        z
          .string()
          .regex(/^\d+(\.\d+)?$/)
          .transform(Number),
      ],
      {
        error: 'expected a number of seconds',
      },
    )
    .pipe(z.number().positive('expected a number of seconds above 0'))
    .optional(),
})

export type ConnectionVars = z.output<typeof ConnectionVars>

/** What is wrong with a host's connection variables, each naming file, host and variable. */
export function connectionProblems(host: InventoryHost, inventoryFile: string): InputProblem[] {
  const r = ConnectionVars.safeParse(host.vars)
  if (r.success) return []
  return r.error.issues.map((issue) => {
    const field = issue.path.join('.')
    const key = String(issue.path[0] ?? '')
    // A password is never echoed, even an invalid one.
    const shown = PASSWORD_VARS.includes(key) ? undefined : host.vars[key]
    return {
      file: host.origins[key] ?? inventoryFile,
      host: host.name,
      field,
      message: `${issue.message}${shown === undefined ? '' : `, got ${JSON.stringify(shown)}`}`,
    }
  })
}

/** A host's connection variables, parsed; invalid ones throw (exit 3). */
export function connectionVars(host: InventoryHost, inventoryFile: string): ConnectionVars {
  const r = ConnectionVars.safeParse(host.vars)
  if (!r.success) throw new InventoryError(connectionProblems(host, inventoryFile))
  return r.data
}

/**
 * A password written in clear in the inventory (not `${NAME}`) is a problem: it would sit in
 * version control beside the inventory. Called with the variables before `${NAME}` is replaced.
 */
export function passwordProblems(host: string, raw: Record<string, unknown>, origins: Record<string, string>) {
  // Only references, whole: "hunter2${X}" would still write hunter2 in the inventory.
  return PASSWORD_VARS.filter((k) => typeof raw[k] === 'string' && !/^(\$\{[A-Za-z_]\w*\})+$/.test(raw[k])).map(
    (k): InputProblem => ({
      file: origins[k],
      host,
      field: k,
      message:
        `a password is not written in the inventory: write ${k}: "\${NAME}" here and NAME=... ` +
        'in .env beside the inventory (mode 0600)',
    }),
  )
}
