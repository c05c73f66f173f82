// What the postgresql role reads ahead on the server node: a database's owner and
// encoding (`no-server` while PostgreSQL is not installed). A login role's state is not a
// fact: it is read by logging in with the password on stdin (accounts.ts, readRole).
import type { Fact } from '../../src/sdk.ts'
import { literal, psqlQuery } from './sql.ts'

export type DatabaseState = { exists: false } | { exists: true; owner: string; encoding: string }

/** A database's owner and encoding: a fact, read ahead with the role's other probes. */
export function databaseState(name: string, port: number): Fact<DatabaseState | 'no-server'> {
  return {
    key: `pg-database:${port}:${name}`,
    command: psqlQuery(
      port,
      `SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding) FROM pg_database WHERE datname = ${literal(name)}`,
    ),
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot read database ${name} (psql exit ${code}): ${stderr.trim()}`)
      const out = stdout.trim()
      const [owner, encoding] = out.split('|')
      return out === 'no-server' ? out : out ? { exists: true, owner, encoding } : { exists: false }
    },
  }
}
