// Where the cluster's one PostgreSQL server is: `postgresql_server_node` names the node that
// runs it (on its own disk or on the shared volume: never two servers on one data
// directory), `postgresql_network` the network clients reach it on. The roles that connect
// to it (apache-php's identity page, drupal) default their database host to this address.
import { addressOf, type Inventory, type InventoryHost, z } from '../../src/sdk.ts'

export const ServerVars = z.object({
  postgresql_server_node: z
    .string()
    .optional()
    .describe("The node that runs PostgreSQL; every other node of the role's hosts only connects to it."),
  postgresql_network: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
    .optional()
    .describe('CIDR of the cluster network: the server listens there, clients connect from there.'),
  postgresql_port: z.number().int().min(1).max(65535).default(5432).describe('The TCP port PostgreSQL listens on.'),
})

export interface DatabaseServer {
  node: string
  address: string
  port: number
}

/** The server named by `vars`; a clear error when it names no host of the inventory. */
export function databaseServer(
  inventory: Pick<Inventory, 'hosts' | 'file'>,
  vars: Record<string, unknown>,
  asker: InventoryHost,
): DatabaseServer | undefined {
  const v = ServerVars.parse(vars)
  if (!v.postgresql_server_node) return undefined
  const node = inventory.hosts.get(v.postgresql_server_node)
  if (!node)
    throw new Error(
      `postgresql_server_node (for ${asker.name}${where(asker)}) ` +
        `is "${v.postgresql_server_node}", which is no host of ${inventory.file}`,
    )
  return { node: node.name, address: addressOf(node, { network: v.postgresql_network }), port: v.postgresql_port }
}

function where(host: InventoryHost): string {
  const origin = host.origins.postgresql_server_node
  return origin ? `, set in ${origin}` : ''
}
