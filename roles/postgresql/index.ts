// postgresql: one PostgreSQL server for the cluster, on the node `postgresql_server_node`
// names, listening on its address in `postgresql_network`, with a pg_hba.conf entry per
// web server for each database's owner, and the login roles and databases of the
// inventory. Every other node of the role's hosts never runs a server: with the data on a
// shared volume (seed 001 bind-mounts /var/lib/postgresql from OCFS2 on both nodes), two
// postmasters on one data directory would corrupt it, so there the instance unit is
// stopped and masked, and PHP connects to the server over the cluster network.
//
// The cluster is never initialised over existing data: the role only creates one (Debian's
// pg_createcluster) when neither its configuration nor PG_VERSION exists; passwords are
// checked by logging in and set only when refused (accounts.ts).
import {
  addressOf,
  block,
  command,
  defineRole,
  packages,
  secret,
  service,
  sh,
  type Task,
  template,
  z,
} from '../../src/sdk.ts'
import { databaseTask, roleTask } from './accounts.ts'
import { databaseServer, ServerVars } from './server.ts'

const IDENT = /^[a-z_][a-z0-9_]*$/
const identifier = z.string().regex(IDENT, 'a lower-case SQL identifier ([a-z_][a-z0-9_]*)')

const Vars = ServerVars.extend({
  postgresql_packages: z
    .array(z.string())
    .default(['postgresql'])
    .describe("Packages installed on the server node (Debian's postgresql: the distribution's version)."),
  postgresql_version: z.coerce
    .string()
    .regex(/^\d+$/)
    .default('15')
    .describe(
      "Debian's layout: /etc/postgresql/VERSION/CLUSTER and /var/lib/postgresql/VERSION/CLUSTER " +
        '(15 on Debian 12).',
    ),
  postgresql_cluster: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .default('main')
    .describe("The cluster's name (Debian's pg_createcluster: main)."),
  postgresql_config_dir: z.string().startsWith('/').optional().describe('Default /etc/postgresql/VERSION/CLUSTER.'),
  postgresql_data_dir: z.string().startsWith('/').optional().describe('Default /var/lib/postgresql/VERSION/CLUSTER.'),
  postgresql_listen_addresses: z
    .array(z.string())
    .optional()
    .describe("Default: localhost and the server's address in postgresql_network."),
  postgresql_clients_group: z
    .string()
    .default('web')
    .describe('Hosts of this group get a pg_hba.conf entry (their address in postgresql_network) for each database.'),
  postgresql_auth_method: z
    .enum(['scram-sha-256', 'md5'])
    .default('scram-sha-256')
    .describe('Password method in pg_hba.conf: scram-sha-256 (default) or md5.'),
  postgresql_users: z
    .array(
      z.object({
        name: identifier.describe("The login role's name."),
        password: secret(
          'alnum',
          24,
          z
            .string()
            .min(1)
            .regex(/^[^\n\r]*$/, 'one line')
            .describe('Its password (from .env).'),
        ),
        createdb: z.boolean().default(false).describe("It may create databases (the seed's CREATEDB)."),
      }),
    )
    .default([])
    .describe('Login roles to create (the seed: drupal).'),
  postgresql_databases: z
    .array(
      z.object({
        name: identifier.describe("The database's name."),
        owner: identifier.describe('The role that owns it.'),
        encoding: z
          .string()
          .regex(/^[A-Za-z0-9_]+$/)
          .default('UTF8')
          .describe('Its encoding.'),
      }),
    )
    .default([])
    .describe('Databases to create (the seed: drupal, owned by drupal).'),
})

export default defineRole({
  name: 'postgresql',
  vars: Vars,
  tasks: ({ vars, hostsOf, host, inventory, render }) => {
    const server = databaseServer(inventory, vars, host)
    if (!server)
      throw new Error(
        'postgresql_server_node is not set: name the one node that runs PostgreSQL (the others connect to it)',
      )
    const instance = `postgresql@${vars.postgresql_version}-${vars.postgresql_cluster}`
    if (host.name !== server.node) return clientTasks(instance, server.node)

    for (const d of vars.postgresql_databases)
      if (!vars.postgresql_users.some((u) => u.name === d.owner))
        throw new Error(`postgresql_databases: ${d.name}'s owner ${d.owner} is not in postgresql_users`)
    const configDir =
      vars.postgresql_config_dir ?? `/etc/postgresql/${vars.postgresql_version}/${vars.postgresql_cluster}`
    const dataDir =
      vars.postgresql_data_dir ?? `/var/lib/postgresql/${vars.postgresql_version}/${vars.postgresql_cluster}`
    const listen = vars.postgresql_listen_addresses ?? [...new Set(['localhost', server.address])]
    const loginHost = listen.includes('localhost') || listen.includes('*') ? '127.0.0.1' : listen[0]
    const clients = hostsOf(vars.postgresql_clients_group).map((h) =>
      addressOf(h, { network: vars.postgresql_network }),
    )
    const hba = vars.postgresql_databases.flatMap((d) =>
      [...new Set(clients)].map((a) => `host\t${d.name}\t${d.owner}\t${a}/32\t${vars.postgresql_auth_method}`),
    )
    const postgres = `/usr/lib/postgresql/${vars.postgresql_version}/bin/postgres`
    const dataWithoutConfig =
      `${dataDir} holds a cluster but ${configDir}/postgresql.conf is missing: ` +
      'restore the configuration, halab will not initialise over data'

    return [
      // A node that was a client before holds a masked unit: this node runs the server now.
      command({
        name: `unmask ${instance}`,
        command: sh`systemctl unmask ${instance}`,
        unless: sh`test "$(systemctl is-enabled ${instance} 2>/dev/null)" != masked`,
      }),
      packages({ names: vars.postgresql_packages }),
      command({
        name: `cluster ${vars.postgresql_version}/${vars.postgresql_cluster} exists`,
        // Never over existing data: PG_VERSION without configuration is for a person to sort out.
        command:
          sh`if [ -e ${dataDir + '/PG_VERSION'} ]; then echo ${dataWithoutConfig} >&2; exit 1; fi; ` +
          sh`pg_createcluster ${vars.postgresql_version} ${vars.postgresql_cluster} -d ${dataDir}`,
        creates: `${configDir}/postgresql.conf`,
      }),
      template({
        path: `${configDir}/conf.d/halab.conf`,
        rendered: render('halab.conf.ejs', { listen, port: vars.postgresql_port }),
        mode: '0644',
        // postgres -C parses the live configuration with the candidate included last (the
        // candidate's dot-name keeps it out of include_dir), as the server will at restart.
        validate:
          sh`v=$(mktemp) && { echo ${`include '${configDir}/postgresql.conf'`}; echo "include '"` +
          '%s' +
          sh`"'"; } >"$v" && chmod 644 "$v" && ` +
          sh`runuser -u postgres -- ${postgres} --config-file="$v" -C listen_addresses >/dev/null; ` +
          sh`r=$?; rm -f "$v"; exit $r`,
        notify: ['restart postgresql'],
      }),
      block({
        path: `${configDir}/pg_hba.conf`,
        marker: 'web servers',
        content: hba.join('\n'),
        notify: ['reload postgresql'],
      }),
      service({ service: 'postgresql', state: 'started', enabled: true }),
      service({ service: instance, state: 'started' }),
      ...vars.postgresql_users.map((u) => roleTask(u, vars.postgresql_port, loginHost)),
      ...vars.postgresql_databases.map((d) => databaseTask(d, vars.postgresql_port)),
    ]
  },
  handlers: ({ vars }) => {
    const instance = `postgresql@${vars.postgresql_version}-${vars.postgresql_cluster}`
    return {
      'restart postgresql': service({ service: instance, state: 'restarted' }),
      'reload postgresql': reloadChecked(instance, vars.postgresql_port),
    }
  },
})

/**
 * The reload handler: PostgreSQL 15 has no checker for a candidate pg_hba.conf, and keeps
 * its previous rules when the file does not load. After the reload, pg_hba_file_rules
 * (which reads the file on disk) must show no error, or the handler fails and says so.
 */
function reloadChecked(instance: string, port: number): Task {
  const command =
    sh`systemctl reload ${instance} && sleep 0.5 && e=$(runuser -u postgres -- psql -X -A -t -p ${port} -d postgres ` +
    sh`-c 'SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL') && ` +
    `{ [ -z "$e" ] || { echo "pg_hba.conf has errors, PostgreSQL keeps its previous rules: $e" >&2; exit 1; }; }`
  return {
    name: `reload ${instance}, pg_hba.conf loaded`,
    plan: async () => ({
      changes: [{ summary: `reload ${instance}, then check that pg_hba.conf loaded without error`, command }],
    }),
  }
}

/** Not the server node: never a second postmaster (on shared data it would corrupt it). */
function clientTasks(instance: string, serverNode: string): Task[] {
  return [
    command({
      name: `${instance} stopped here (${serverNode} runs PostgreSQL)`,
      command: sh`systemctl stop ${instance}`,
      unless: sh`! systemctl is-active --quiet ${instance}`,
    }),
    command({
      name: `${instance} masked here`,
      command: sh`systemctl mask ${instance}`,
      unless: sh`test "$(systemctl is-enabled ${instance} 2>/dev/null)" = masked`,
    }),
  ]
}
