// `lab site`'s first phase, before anything is started: the inventory (a topology name or a
// path), its secrets (a new .env when there is none), the whole inventory validated with
// those secrets as `site` will run it, each host's kernel from its roles' needs, and this
// machine (root, no other lab, routes, memory). Every failure is an error for a person.
import { resolve } from 'node:path'
import { projectRoot } from '../cli/context.js'
import { loadPlaybook, prepareRun, type PreparedRun } from '../engine/prepare.js'
import type { KernelFeature } from '../engine/role.js'
import { loadInventory } from '../inventory/load.js'
import { backendOf, chooseKernels, labOverlayFile, type KernelChoice, type LabKernel } from './backend.js'
import { LabError } from './errors.js'
import { checkNoRouteOverlap, type AddrJson, type RouteJson } from './safety.js'
import { ensureSecrets, type SecretsOutcome } from './secrets.js'
import { checkMemory, type FreeMemory } from './site-checks.js'
import { topologyFromInventory, type LabTopology } from './topology.js'
import { resolveInventory } from './topologies.js'

export interface SiteOptions {
  /** A topology name (inventory/NAME) or an inventory path. */
  topology?: string
  /** -i: an inventory directory (wins over topology). */
  inventory?: string
  /** --kernel: every host on this kernel (a host's `lab_kernel` var still wins). */
  kernel?: LabKernel
}

/** What planSite asks of this machine (tests give their own). */
export interface MachineProbe {
  isRoot(): boolean
  /** Whether this machine's kernel has each feature now (lab doctor's checks). */
  kernelHas(): Promise<(feature: KernelFeature) => boolean>
  networks(): Promise<{ routes: RouteJson[]; addrs: AddrJson[] }>
  freeMemory(): FreeMemory
  /** The inventory directory of the lab that is up or starting, if any. */
  currentLab(): string | undefined
}

export interface SitePlan {
  inventoryDir: string
  topology: LabTopology
  /** Per host, the kernel chosen from its roles and what this kernel lacks for them. */
  kernels: Map<string, KernelChoice>
  secrets: SecretsOutcome
  /** The lab that is up is this inventory's: lab up will reuse it. */
  reused: boolean
}

/** Everything that can be decided and checked before lab up; throws a HalabError for bad input. */
export async function planSite(o: SiteOptions, probe: MachineProbe): Promise<SitePlan> {
  const root = projectRoot()
  const inventory = resolve(resolveInventory(o.topology, o.inventory))
  const secrets = await ensureSecrets(inventory, root)
  const base = await prepareSite(inventory, root)
  const kernels = chooseKernels(kernelNeedsByHost(base), await probe.kernelHas(), o.kernel)
  const raw = await loadInventory(inventory, { skipSecrets: true })
  const topology = topologyFromInventory(raw, {
    kernel: o.kernel,
    kernels: new Map([...kernels].map(([h, c]) => [h, c.kernel])),
  })
  // Validated again with the overlay the runner will apply in this lab (lab.yml, lab.uml.yml...).
  const overlay = labOverlayFile(topology.inventoryDir, backendOf(topology.hosts))
  if (overlay) await prepareSite(inventory, root, overlay)
  const reused = checkMachine(topology, probe, o)
  await checkNoRouteOverlap(topology, await probe.networks())
  if (!reused) checkMemory(topology.hosts, probe.freeMemory())
  return { inventoryDir: topology.inventoryDir, topology, kernels, secrets, reused }
}

/** `site` prepared for the inventory as the runner will (throws InventoryError with every problem). */
async function prepareSite(path: string, root: string, overlayFile?: string): Promise<PreparedRun> {
  const inventory = await loadInventory(path, { overlayFile })
  const { playbook, file } = await loadPlaybook(root, 'site')
  return prepareRun(inventory, playbook, file, { projectRoot: root })
}

/** Host → the kernel features its roles need (every host of the inventory, none for most). */
export function kernelNeedsByHost(prepared: PreparedRun): Map<string, KernelFeature[]> {
  const needs = new Map<string, KernelFeature[]>()
  for (const play of prepared.plays)
    for (const [host, roles] of play.hosts)
      needs.set(host, [...(needs.get(host) ?? []), ...roles.flatMap((r) => r.kernel)])
  return needs
}

/** Root, and no lab of another inventory; true when this inventory's lab is already there. */
function checkMachine(topology: LabTopology, probe: MachineProbe, o: SiteOptions): boolean {
  const what = o.inventory ? `-i ${o.inventory}` : (o.topology ?? '')
  if (!probe.isRoot())
    throw new LabError(
      'run-playbook lab site needs root: it creates network namespaces, bridges, containers and real-kernel guests',
      `run it as root, e.g. sudo npx run-playbook lab site ${what}`.trimEnd(),
    )
  const current = probe.currentLab()
  if (current && current !== topology.inventoryDir)
    throw new LabError(
      `a lab is already up for another inventory (${current})`,
      'run `run-playbook lab down` first (it removes that lab), then lab site again',
    )
  return current === topology.inventoryDir
}
