// `lab up`: from an inventory to running hosts reachable by ssh. Checks come first
// (root, inventory, routes), then network, apt proxy, and all hosts in parallel; a
// failure takes down whatever was made, so no half lab is left behind.
import { loadInventory } from '../inventory/load.js'
import { startAptProxy } from './apt-proxy.js'
import { ensureBaseImage } from './base-image.js'
import { ensureHostPackages, ensureSbinOnPath } from './deps.js'
import { attachDisks } from './nspawn/disks.js'
import { findLeftovers, teardown } from './down.js'
import { LabError } from './errors.js'
import { consoleSize, consoleTail } from './console.js'
import { bootHost, mountOverlay } from './nspawn/host.js'
import { ensureLabKey, makeHostKeys, writeKnownHosts } from './keys.js'
import { createNetwork } from './network.js'
import { hostPaths } from './paths.js'
import { isAlive } from './processes.js'
import { waitForSsh } from './readiness.js'
import { writeHostFiles } from './rootfs.js'
import { checkNoRouteOverlap, requireRoot } from './safety.js'
import { runOnHost } from './ssh.js'
import { readState, withLabLock, writeState, type HostState, type LabState } from './state.js'
import { topologyFromInventory, type LabTopology } from './topology.js'
import type { LabKernel } from './backend.js'
import { UML_HOST_PACKAGES } from './uml/deps.js'
import { startUmlHost } from './uml/host.js'
import { ensureUmlImage } from './uml/image.js'

export interface LabUpOptions {
  /** Inventory directory (or its hosts.yml). */
  inventory: string
  /** Progress lines for a person (stderr in the CLI). */
  log?: (line: string) => void
  /** Kernel for hosts without a `lab_kernel` var (default nspawn). */
  kernel?: LabKernel
  /** Per host, above `kernel` (lab site's choice by the roles' kernel needs). */
  kernels?: Map<string, LabKernel>
}

export interface LabUpResult {
  state: LabState
  /** The same inventory's lab was already up: nothing was done. */
  alreadyUp: boolean
  seconds: number
  /** Where the time went, in order: prepare (checks, packages, images), network, start, boot. */
  phases: { name: string; seconds: number }[]
}

export async function labUp(opts: LabUpOptions): Promise<LabUpResult> {
  requireRoot(`lab up -i ${opts.inventory}`)
  ensureSbinOnPath()
  const log = opts.log ?? (() => {})
  const topo = topologyFromInventory(await loadInventory(opts.inventory, { skipSecrets: true }), {
    kernel: opts.kernel,
    kernels: opts.kernels,
  })
  const uml = topo.hosts.some((h) => h.kernel === 'uml')
  return withLabLock(async () => {
    const started = Date.now()
    const current = readState()
    if (current?.phase === 'up') return { state: checkSameLab(current, topo), alreadyUp: true, seconds: 0, phases: [] }
    const phases = phaseClock()
    if (current || (await findLeftovers()).length) {
      log('removing what an earlier, unfinished lab left behind')
      await teardown()
    }
    await checkNoRouteOverlap(topo)
    await ensureHostPackages(log, uml ? UML_HOST_PACKAGES : [])
    const [base, key] = await Promise.all([ensureBaseImage(log), ensureLabKey()])
    const umlImage = uml ? (await ensureUmlImage(log)).image : ''

    const state = startingState(topo)
    writeState(state)
    phases.end('prepare')
    try {
      await createNetwork(topo)
      const addresses = topo.bridges.map((b) => b.address)
      state.aptProxy = { ...(await startAptProxy(addresses)), addresses }
      writeState(state)
      phases.end('network')

      const bootedAt = new Map<string, number>()
      const images = { base, uml: umlImage, publicKey: key.publicKey }
      const known = await Promise.all(
        topo.hosts.map(async (spec, i) => {
          const hostKey = await startHost(spec, state.hosts[i], images, aptProxyFor(topo, state, spec))
          bootedAt.set(spec.name, Date.now())
          return { name: spec.name, addresses: state.hosts[i].interfaces.map((a) => a.address), hostKey }
        }),
      )
      writeState(state)
      writeKnownHosts(known)
      phases.end('start')
      await Promise.all(state.hosts.map((h) => awaitHost(h, bootedAt.get(h.name)!)))
      phases.end('boot')
      state.phase = 'up'
      state.upSeconds = (Date.now() - started) / 1000
      writeState(state)
      for (const h of state.hosts)
        if (h.diskProblem)
          log(
            `${h.name}: lab_disks not provided: ${h.diskProblem} (roles that need them, ` +
              `such as DRBD, cannot run there)`,
          )
      return { state, alreadyUp: false, seconds: state.upSeconds, phases: phases.list }
    } catch (err) {
      log('lab up failed: taking down what it made')
      await teardown()
      throw err
    }
  })
}

/** Seconds between successive marks: what each phase of lab up took. */
function phaseClock(): { end: (name: string) => void; list: { name: string; seconds: number }[] } {
  const list: { name: string; seconds: number }[] = []
  let mark = Date.now()
  return {
    list,
    end: (name) => {
      list.push({ name, seconds: (Date.now() - mark) / 1000 })
      mark = Date.now()
    },
  }
}

/** The state file's first version: every host starting, no process or disk yet. */
function startingState(topo: LabTopology): LabState {
  return {
    version: 1,
    inventoryDir: topo.inventoryDir,
    startedAt: new Date().toISOString(),
    phase: 'starting',
    bridges: topo.bridges,
    hosts: topo.hosts.map((h) => ({
      name: h.name,
      netns: h.kernel === 'uml' ? '' : h.netns,
      root: hostPaths(h.name).root,
      sshAddress: h.sshAddress,
      interfaces: h.interfaces,
      disks: [],
      kernel: h.kernel,
      memory: h.memory,
      status: 'starting',
    })),
  }
}

/** The lab's apt-cacher-ng as the host reaches it: on the bridge of its first interface. */
function aptProxyFor(topo: LabTopology, state: LabState, spec: LabTopology['hosts'][number]): string {
  const bridge = topo.bridges.find((b) => b.name === spec.interfaces[0].bridge)!
  return `http://${bridge.address}:${state.aptProxy!.port}`
}

/**
 * Boots one host, its files written first: a UML guest from the UML image, a container on an
 * overlay of the base image with its disks attached. Returns its SSH host key.
 */
async function startHost(
  spec: LabTopology['hosts'][number],
  h: HostState,
  images: { base: string; uml: string; publicKey: string },
  aptProxy: string,
): Promise<string> {
  if (spec.kernel === 'uml') return startUmlHost(spec, h, { image: images.uml, publicKey: images.publicKey, aptProxy })
  await mountOverlay(h.name, images.base)
  const hostKey = await makeHostKeys(h.root)
  writeHostFiles({ root: h.root, host: spec, publicKey: images.publicKey, aptProxy })
  const { disks, problem } = await attachDisks(spec)
  h.disks = disks
  h.diskProblem = problem
  h.pid = bootHost(h)
  return hostKey
}

/**
 * How long a booting host may show no progress (no new console output, no SSH banner)
 * before lab up gives up on it, and the cap in any case. A UML guest boots a whole kernel
 * and systemd at ~30-60x the cost of a fork here, and slower still on a busy machine: it
 * is judged by its progress, not by a fixed time.
 */
export const bootWait = (h: Pick<HostState, 'kernel'>): { stallMs: number; capMs: number } =>
  h.kernel === 'uml' ? { stallMs: 90_000, capMs: 600_000 } : { stallMs: 30_000, capMs: 120_000 }

/** The lab that is up must be this inventory's, with the same hosts and addresses. */
function checkSameLab(current: LabState, topo: LabTopology): LabState {
  if (current.inventoryDir !== topo.inventoryDir)
    throw new LabError(
      `a lab is already up for another inventory (${current.inventoryDir})`,
      'run `run-playbook lab down` first, then lab up again',
    )
  const shape = (
    hosts: { name: string; interfaces: { name: string; address: string; prefix: number }[]; kernel?: LabKernel }[],
  ): string =>
    JSON.stringify(
      hosts.map((h) => [h.name, h.interfaces.map((i) => [i.name, i.address, i.prefix]), h.kernel ?? 'nspawn']),
    )
  if (shape(current.hosts) !== shape(topo.hosts))
    throw new LabError(
      `the lab that is up was made from an earlier version of ${topo.inventoryDir} (hosts, ` +
        `interfaces or kernels changed)`,
      'run `run-playbook lab down`, then lab up again',
    )
  const stopped = current.hosts.filter((h) => !h.pid || !isAlive(h.pid))
  if (stopped.length)
    throw new LabError(
      `the lab for ${topo.inventoryDir} is up but ${stopped.map((h) => h.name).join(', ')} stopped`,
      `start ${stopped.length > 1 ? 'them' : 'it'} with ` +
        stopped.map((h) => `\`run-playbook lab start ${h.name}\``).join(', ') +
        ', or run `run-playbook lab down` and lab up again',
    )
  return current
}

/** sshd answers, the lab key logs in, the hostname is right and lab_disks are block devices. */
export async function awaitHost(h: HostState, bootedAt: number): Promise<void> {
  const wait = bootWait(h)
  const booted = await waitForSsh(h.sshAddress, {
    ...wait,
    alive: () => !!h.pid && isAlive(h.pid),
    progress: () => consoleSize(h.name),
  })
  if (booted.how !== 'ready') {
    h.status = 'failed'
    const kernel = h.kernel === 'uml' ? 'its user-mode-linux kernel' : 'systemd-nspawn'
    const why = {
      exited: `${kernel} exited`,
      stalled:
        `no SSH banner on ${h.sshAddress}:22, ` +
        `and no new console output for ${wait.stallMs / 1000} s: the boot stopped progressing`,
      capped: `still no SSH banner on ${h.sshAddress}:22 after ${wait.capMs / 1000} s`,
    }[booted.how]
    throw new LabError(
      `${h.name}: ${why} (after ${booted.seconds.toFixed(0)} s); its console ended with:\n${consoleTail(h.name)}`,
      'run `run-playbook lab doctor`; if it reports nothing, run lab up again and report the console above',
    )
  }
  const script = [
    'hostname',
    ...h.disks.map(
      (d) =>
        `if [ -b ${d.name} ] && dd if=${d.name} of=/dev/null bs=4096 count=1 2>/dev/null; ` +
        `then echo disk-ok ${d.name}; else echo disk-bad ${d.name}; fi`,
    ),
  ].join('; ')
  const r = await runOnHost(h, ['sh', '-c', script], 'capture')
  const lines = r.stdout.trim().split('\n')
  if (r.code !== 0 || lines[0] !== h.name) {
    h.status = 'failed'
    throw new LabError(
      `${h.name}: sshd answers on ${h.sshAddress} but the lab key does not log in: ${r.stderr.trim() || lines[0]}`,
      'run lab down, then lab up again',
    )
  }
  const bad = lines.filter((l) => l.startsWith('disk-bad ')).map((l) => l.slice('disk-bad '.length))
  if (bad.length)
    h.diskProblem =
      `${bad.join(', ')} cannot be read inside the host (the device ` +
      `policy of systemd-nspawn or this kernel does not allow it)`
  h.bootSeconds = (Date.now() - bootedAt) / 1000
  h.status = 'up'
}
