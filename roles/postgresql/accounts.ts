// Login roles and databases, compared with what the server holds. A role's password is
// checked the only way that tells the truth without reading a hash: logging in with it
// (over TCP to `loginHost`, as a web server would; the password goes on stdin). It is set
// again only when that login is refused for a wrong password — never on every run, and
// never when the login fails for another reason (that fails the task, with the reason).
import { type Change, type HostContext, type Plan, sh, type Task } from '../../src/sdk.ts'
import { databaseState, type DatabaseState } from './facts.ts'
import { scramVerifier } from './scram.ts'
import { ident, literal, psqlQuery, psqlScript } from './sql.ts'

export interface RoleSpec {
  name: string
  password: string
  createdb: boolean
}

export interface DatabaseSpec {
  name: string
  owner: string
  encoding: string
}

/** What the server holds for a role: absent, or its attributes and whether the password works. */
export type RoleState =
  { exists: false } | { exists: true; login: boolean; createdb: boolean; password: 'right' | 'wrong' }

/** The decision, as data: SQL statements (on stdin) for what differs. */
export function planRole(state: RoleState | 'no-server', spec: RoleSpec, port: number): Change[] {
  const attrs = `LOGIN ${spec.createdb ? 'CREATEDB' : 'NOCREATEDB'}`
  const stmt = (summary: string, sql: string): Change => ({
    summary,
    command: psqlScript(port),
    stdin: sql + '\n',
    display: `psql: ${summary}`,
  })
  if (state === 'no-server' || !state.exists)
    return [
      stmt(
        `create role ${spec.name} (${attrs}, password set)`,
        `CREATE ROLE ${ident(spec.name)} ${attrs} PASSWORD ${literal(scramVerifier(spec.password))};`,
      ),
    ]
  const changes: Change[] = []
  if (!state.login || state.createdb !== spec.createdb)
    changes.push(stmt(`role ${spec.name}: ${attrs}`, `ALTER ROLE ${ident(spec.name)} ${attrs};`))
  if (state.password === 'wrong')
    changes.push(
      stmt(
        `role ${spec.name}: password refused at login, set again`,
        `ALTER ROLE ${ident(spec.name)} PASSWORD ${literal(scramVerifier(spec.password))};`,
      ),
    )
  return changes
}

export function planDatabase(
  state: DatabaseState | 'no-server',
  spec: DatabaseSpec,
  port: number,
): { changes: Change[]; warnings: string[] } {
  const stmt = (summary: string, sql: string): Change => ({
    summary,
    command: psqlScript(port),
    stdin: sql + '\n',
    display: `psql: ${sql}`,
  })
  if (state === 'no-server' || !state.exists)
    // template0: the only template that accepts an encoding other than the cluster's.
    return {
      changes: [
        stmt(
          `create database ${spec.name} owned by ${spec.owner}`,
          `CREATE ` +
            `DATABASE ${ident(spec.name)} OWNER ${ident(spec.owner)} ENCODING ${literal(spec.encoding)} TEMPLATE ` +
            `template0;`,
        ),
      ],
      warnings: [],
    }
  const changes =
    state.owner === spec.owner
      ? []
      : [
          stmt(
            `database ${spec.name}: owner ${state.owner} → ${spec.owner}`,
            `ALTER DATABASE ${ident(spec.name)} OWNER TO ${ident(spec.owner)};`,
          ),
        ]
  // Re-encoding means dump and restore: a person's decision, not a task's.
  const warnings =
    state.encoding.toUpperCase() === spec.encoding.toUpperCase()
      ? []
      : [
          `database ${spec.name} is ${state.encoding}, not ${spec.encoding}: ` +
            `left as it is (re-encoding needs a dump and restore)`,
        ]
  return { changes, warnings }
}

/** `t|f` lines from psql -At. */
const bool = (s: string | undefined): boolean => s === 't'

/**
 * The role's attributes and, when it can log in, a login with the password: one round trip.
 * The password is read from stdin into the environment of the login's psql alone.
 */
async function readRole(
  host: HostContext,
  spec: RoleSpec,
  port: number,
  loginHost: string,
): Promise<RoleState | 'no-server'> {
  const query = psqlQuery(port, `SELECT rolcanlogin, rolcreatedb FROM pg_roles WHERE rolname = ${literal(spec.name)}`)
  // -w: never prompt. The login's answer follows the attributes' line, then its exit code.
  const login = sh`psql -X -w -A -t -h ${loginHost} -p ${port} -U ${spec.name} -d postgres -c 'SELECT 1' 2>&1`
  const r = await host.run(
    `IFS= read -r pw; a=$(${query}) || exit $?; printf '%s\\n' "$a"; ` +
      `case "$a" in t\\|*) PGPASSWORD=$pw ${login}; echo "login-exit=$?";; esac`,
    {
      stdin: spec.password + '\n',
      display: `psql: role ${spec.name}'s attributes, then a login to ${loginHost} as ${spec.name} (password on stdin)`,
    },
  )
  return parseRoleState(r.stdout, spec.name, `${loginHost}:${port}`)
}

/** The answer of readRole's script, as data. */
export function parseRoleState(stdout: string, name: string, server: string): RoleState | 'no-server' {
  const [attrs = '', ...rest] = stdout.replace(/\n$/, '').split('\n')
  if (attrs === 'no-server') return 'no-server'
  if (!attrs) return { exists: false }
  const [login, createdb] = attrs.split('|')
  if (!bool(login)) return { exists: true, login: false, createdb: bool(createdb), password: 'wrong' }
  const exit = /^login-exit=(\d+)$/.exec(rest.at(-1) ?? '')?.[1]
  const said = rest.slice(0, -1).join('\n').trim()
  if (exit === '0' && said === '1') return { exists: true, login: true, createdb: bool(createdb), password: 'right' }
  if (/password authentication failed/.test(said))
    return { exists: true, login: true, createdb: bool(createdb), password: 'wrong' }
  throw new Error(
    `cannot tell whether role ${name}'s password is right: ` +
      `logging in to ${server} failed for another reason: ${said || '(no answer)'}`,
  )
}

export function roleTask(spec: RoleSpec, port: number, loginHost: string): Task {
  return {
    tags: ['accounts'],
    name: `postgresql role ${spec.name}`,
    async plan(host): Promise<Plan> {
      const changes = planRole(await readRole(host, spec, port, loginHost), spec, port)
      return changes.length
        ? { changes }
        : {
            changes,
            noop: `role ${spec.name} exists, can log in with the wanted password${spec.createdb ? ', CREATEDB' : ''}`,
          }
    },
  }
}

export function databaseTask(spec: DatabaseSpec, port: number): Task {
  return {
    tags: ['accounts'],
    name: `postgresql database ${spec.name}`,
    facts: () => [databaseState(spec.name, port)],
    async plan(host): Promise<Plan> {
      const { changes, warnings } = planDatabase(await host.fact(databaseState(spec.name, port)), spec, port)
      return {
        changes,
        warnings,
        noop: changes.length ? undefined : `database ${spec.name} exists, owned by ${spec.owner}`,
      }
    },
  }
}
