// SQL on the server node, as the postgres superuser over the local socket (peer
// authentication, no password). Statements that carry a secret go on stdin, never on a
// command line. Identifiers are restricted by the role's schema to [a-z_][a-z0-9_]*, so
// they need no quoting beyond the double quotes added here.
import { sh } from '../../src/sdk.ts'

/** psql reading SQL from stdin, stopping at the first error. */
export const psqlScript = (port: number): string =>
  sh`runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p ${port} -d postgres`

/** One query, unaligned tuples only; prints `no-server` when PostgreSQL is not installed yet. */
export function psqlQuery(port: number, query: string): string {
  return (
    `command -v psql >/dev/null || { echo no-server; exit 0; }; ` +
    sh`runuser -u postgres -- psql -X -A -t -q -p ${port} -d postgres -c ${query}`
  )
}

export const ident = (name: string): string => `"${name}"`

/** A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`
