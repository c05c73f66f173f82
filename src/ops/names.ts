// Names that end up as arguments of system commands (owners, groups, paths): checked
// before they get there, so that no value can become an option (`--reference=…`) or
// point somewhere relative to a login's home directory.
import { z } from 'zod'

/** A user or group name as Debian's adduser accepts it, or a numeric id. */
const ACCOUNT = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?|\d{1,10})$/

const ACCOUNT_RULE = 'a user or group name (letters, digits, "_", ".", "-"; not starting with "-")'

/** For role variables that name an account (`drupal_owner`): checked with the inventory, exit 3. */
export const AccountName = z.string().regex(ACCOUNT, `expected ${ACCOUNT_RULE}`)

/** Throws when `name` cannot be a user or group (`what` says which field). */
export function checkAccount(name: string, what: string): void {
  if (!ACCOUNT.test(name)) throw new Error(`${what} ${JSON.stringify(name)} is not ${ACCOUNT_RULE}`)
}

/** Throws unless `path` is absolute: a relative path would land in the remote login's home. */
export function checkAbsolute(path: string, what = 'path'): void {
  if (!path.startsWith('/'))
    throw new Error(`${what} ${JSON.stringify(path)} is not absolute: give the full path, starting with /`)
  if (/[\0\n]/.test(path)) throw new Error(`${what} ${JSON.stringify(path)} holds a newline or NUL byte`)
}
