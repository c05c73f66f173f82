// Topology names: `lab up 4-node` means ./inventory/4-node, else halab's own
// inventory/4-node. Only the file system is read here (the CLI loads it at every start).
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LabError } from './errors.js'

const INVENTORY_FILES = ['hosts.yml', 'hosts.yaml', 'hosts', 'hosts.ini', 'inventory.yml', 'inventory.ini']

/** Where topology names are looked up: ./inventory, then halab's own inventory/. */
export function inventoryRoots(): string[] {
  return [...new Set([resolve('inventory'), resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'inventory')])]
}

/** The directories of `roots` that hold an inventory file, by name. */
export function availableTopologies(roots: string[] = inventoryRoots()): string[] {
  const names = roots.flatMap((root) =>
    existsSync(root)
      ? readdirSync(root, { withFileTypes: true })
          .filter((d) => d.isDirectory() && INVENTORY_FILES.some((f) => existsSync(join(root, d.name, f))))
          .map((d) => d.name)
      : [],
  )
  return [...new Set(names)].sort()
}

/** `-i DIR` wins; `lab up NAME` means ./inventory/NAME, else halab's own inventory/NAME. */
export function resolveInventory(
  topology: string | undefined,
  inventory: string | undefined,
  roots: string[] = inventoryRoots(),
): string {
  if (inventory) return inventory
  if (!topology)
    throw new LabError(
      'which inventory? give a topology or -i',
      'e.g. run-playbook lab up 2-node, or run-playbook lab up -i inventory/2-node',
    )
  if (topology.includes('/') || existsSync(topology)) return topology
  const found = roots.map((r) => join(r, topology)).find((c) => existsSync(c))
  if (found) return found
  const names = availableTopologies(roots)
  throw new LabError(
    `no topology "${topology}"` + (names.length ? `: the topologies are ${names.join(', ')}` : ''),
    `give one of those names, or your own inventory directory (with -i DIR, or a path such as ./my-lab)`,
  )
}
