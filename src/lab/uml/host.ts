// One user-mode-linux lab host: its own kernel (Debian's user-mode-linux), booting the
// shared image copy-on-write, a tap per interface on the lab bridges (named as the lab
// names its veths), lab_disks as file-backed ubd disks, and its own files (identity,
// host keys, network, authorized key, apt proxy) on a read-only config disk that the
// guest's init unpacks before systemd starts.
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { $ } from 'zx'
import { LabError } from '../errors.js'
import { makeHostKeys } from '../keys.js'
import { writeHostFiles } from '../rootfs.js'
import type { DiskState, HostState } from '../state.js'
import type { LabHostSpec, LabInterface } from '../topology.js'
import {
  UML_FIRST_DISK_INDEX,
  UML_INIT,
  UML_KERNEL,
  UML_NET_BATCH,
  ubdDevice,
  umlHostPaths,
  type UmlHostPaths,
} from './paths.js'

/** Guest memory. LAB.md: four guests at 256M ran the whole cluster stack on this machine. */
export const UML_MEMORY = '256M'

export interface UmlHostInput {
  spec: LabHostSpec
  publicKey: string
  /** http://ADDR:PORT of apt-cacher-ng on the host's first bridge. */
  aptProxy: string
  /** Where the host's files go (default: its directory in the lab's state). */
  paths?: UmlHostPaths
}

/** The MAC the guest's interface gets: the inventory's, else a stable one from host and name. */
export function umlMac(host: string, iface: Pick<LabInterface, 'name' | 'mac'>): string {
  if (iface.mac) return iface.mac
  const h = createHash('sha256').update(`${host}/${iface.name}`).digest()
  // 52:54:00 is the usual locally administered prefix of virtual machines' NICs.
  return ['52', '54', '00', ...[h[0], h[1], h[2]].map((b) => b.toString(16).padStart(2, '0'))].join(':')
}

/**
 * Everything the host needs before it boots: its config tar and its disk files.
 * Returns the ed25519 host key (for known_hosts) and the disks as state records.
 */
export async function prepareUmlHost({
  spec,
  publicKey,
  aptProxy,
  paths,
}: UmlHostInput): Promise<{ hostKey: string; disks: DiskState[] }> {
  const p = paths ?? umlHostPaths(spec.name)
  for (const f of [p.cow, p.config, p.configTar, p.umlDir]) rmSync(f, { recursive: true, force: true })
  mkdirSync(join(p.config, 'etc/ssh'), { recursive: true })
  mkdirSync(p.umlDir, { recursive: true })

  writeHostFiles({ root: p.config, host: spec, publicKey, aptProxy })
  const hostKey = await makeHostKeys(p.config)
  const put = (path: string, text: string): void => {
    mkdirSync(join(p.config, path, '..'), { recursive: true })
    writeFileSync(join(p.config, path), text)
  }
  // vec0, vec1… take the inventory's names (eth0, ens18) by MAC, before networkd applies
  // the lab's 10-halab-NAME.network to them.
  for (const i of spec.interfaces)
    put(
      `etc/systemd/network/10-halab-${i.name}.link`,
      `# written by halab's lab: the UML vector interface with this MAC ` +
        `is ${i.name}\n[Match]\nMACAddress=${umlMac(spec.name, i)}\nOriginalName=vec*\n\n[Link]\nName=${i.name}\n`,
    )

  put(UML_NET_BATCH, umlNetBatch(spec.interfaces))

  const disks: DiskState[] = []
  const rules: string[] = ["# written by halab's lab: lab_disks (ubd disks) under the inventory's device names"]
  if (spec.disks.length) mkdirSync(p.disks, { recursive: true })
  spec.disks.forEach((d, n) => {
    const file = join(p.disks, d.name.slice('/dev/'.length).replace(/\//g, '_') + '.img')
    const fd = openSync(file, 'w')
    ftruncateSync(fd, d.bytes) // sparse: costs no space until written
    closeSync(fd)
    const ubd = ubdDevice(UML_FIRST_DISK_INDEX + n)
    rules.push(`KERNEL=="${ubd.slice('/dev/'.length)}", SYMLINK+="${d.name.slice('/dev/'.length)}"`)
    disks.push({ ...d, file, ubd })
  })
  if (spec.disks.length) put('etc/udev/rules.d/60-halab-disks.rules', rules.join('\n') + '\n')

  // Numeric owners as they are here (root): the guest has the same uid 0.
  const r = await $({ quiet: true, nothrow: true })`tar -C ${p.config} --numeric-owner -cf ${p.configTar} .`
  if (r.exitCode !== 0)
    throw new LabError(
      `${spec.name}: cannot pack its config disk: ${r.stderr.trim()}`,
      'run lab down, then lab up again',
    )
  return { hostKey, disks }
}

/**
 * `ip -batch` lines that the guest's init runs on its first boot, before systemd: vecN gets
 * the inventory's name and address at once, so sshd answers without waiting for udev and
 * networkd (~15 s of a guest's boot on a busy machine). networkd then finds the same
 * address it was told to set and keeps it.
 */
export function umlNetBatch(interfaces: Pick<LabInterface, 'name' | 'address' | 'prefix'>[]): string {
  return (
    interfaces
      .flatMap((i, n) => [
        `link set dev vec${n} name ${i.name}`,
        `link set dev ${i.name} up`,
        `address add ${i.address}/${i.prefix} dev ${i.name}`,
      ])
      .join('\n') + '\n'
  )
}

/** The UML kernel's command line for a host (LAB.md's measured recipe). */
export function umlCommandLine(
  spec: Pick<LabHostSpec, 'name' | 'interfaces' | 'memory'>,
  image: string,
  disks: Pick<DiskState, 'file'>[],
  p: UmlHostPaths = umlHostPaths(spec.name),
): string[] {
  return [
    UML_KERNEL,
    `umid=${spec.name}`,
    `uml_dir=${p.umlDir}`,
    `mem=${spec.memory ?? UML_MEMORY}`,
    `ubd0=${p.cow},${image}`,
    `ubd1r=${p.configTar}`,
    ...disks.map((d, n) => `ubd${UML_FIRST_DISK_INDEX + n}=${d.file}`),
    'root=/dev/ubda',
    'rw',
    `init=${UML_INIT}`,
    // gro=1 is required: without it the guest drops GSO frames and DRBD resyncs at ~200 KB/s.
    ...spec.interfaces.map((i, n) => `vec${n}:transport=tap,ifname=${i.hostVeth},mac=${umlMac(spec.name, i)},gro=1`),
    'con=null',
    'con0=null,fd:1',
    'ssl=null',
    // Seconds since boot on every kernel line of the console: where a slow boot spent its time.
    'printk.time=1',
    // No legacy BSD ptys (/dev/ptyXX, /dev/ttyXX: nothing in a lab host opens them). Making
    // their 512 devices was the kernel's longest step: pty_init took 8.0 of 12 s before init
    // on a busy 2-core host (initcall_debug); with this, the kernel reached init in 4 s there.
    'pty.legacy_count=0',
  ]
}

/** Start the guest, detached from this process; returns the UML kernel's PID. */
export function bootUmlHost(
  spec: Pick<LabHostSpec, 'name' | 'interfaces' | 'memory'>,
  image: string,
  disks: Pick<DiskState, 'file'>[],
  p: UmlHostPaths = umlHostPaths(spec.name),
): number {
  const argv = umlCommandLine(spec, image, disks, p)
  const log = openSync(p.console, 'w')
  const child = spawn(argv[0], argv.slice(1), {
    detached: true,
    stdio: ['ignore', log, log],
    // Guest memory is a file UML maps from TMPDIR: on tmpfs it stays memory, not disk writes.
    env: { ...process.env, TMPDIR: '/dev/shm' },
  })
  closeSync(log)
  child.unref()
  if (!child.pid)
    throw new LabError(
      `${spec.name}: the user-mode-linux kernel did not start`,
      'check that user-mode-linux is installed (lab up installs it)',
    )
  return child.pid
}

/** Prepare and boot one host of `lab up`; records its disks and PID in its state. */
export async function startUmlHost(
  spec: LabHostSpec,
  h: HostState,
  input: { image: string; publicKey: string; aptProxy: string },
): Promise<string> {
  const { hostKey, disks } = await prepareUmlHost({ spec, publicKey: input.publicKey, aptProxy: input.aptProxy })
  h.disks = disks
  h.pid = bootUmlHost(spec, input.image, disks)
  return hostKey
}
