// The lab's record of what it created (state.json), written before each thing is created
// so that `lab down` can undo a half-started lab; and what the runner needs to reach it.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { LabError } from './errors.js'
import { isAlive } from './processes.js'
import { KEY_PATH, KNOWN_HOSTS_PATH, LOCK_FILE, STATE_DIR, STATE_FILE } from './paths.js'
import type { LabBridge, LabDisk, LabInterface } from './topology.js'
import type { LabKernel } from './backend.js'

export interface DiskState extends LabDisk {
  /** Backing file on the controller. */
  file: string
  /** /dev/loopN once attached. */
  loop?: string
  /** user-mode-linux hosts: the guest's ubd device behind the inventory's name. */
  ubd?: string
}

export interface HostState {
  name: string
  netns: string
  root: string
  sshAddress: string
  interfaces: LabInterface[]
  disks: DiskState[]
  /** Why the host's lab_disks could not be provided, when they could not. */
  diskProblem?: string
  /** What runs the host (absent in states written before there was a choice: nspawn). */
  kernel?: LabKernel
  /** A UML guest's memory (lab_memory), for lab start. */
  memory?: string
  /** The systemd-nspawn process, or the user-mode-linux kernel's. */
  pid?: number
  /** stopped: powered off by `lab stop`, disks and root kept for `lab start`. */
  status: 'starting' | 'up' | 'failed' | 'stopped'
  /** Seconds from its start to sshd answering and the lab key logging in. */
  bootSeconds?: number
}

export interface LabState {
  version: 1
  /** Real path of the inventory directory. */
  inventoryDir: string
  startedAt: string
  phase: 'starting' | 'up'
  bridges: LabBridge[]
  hosts: HostState[]
  aptProxy?: { pid: number; addresses: string[]; port: number }
  /** Seconds `lab up` took, for the record. */
  upSeconds?: number
}

export function readState(): LabState | undefined {
  if (!existsSync(STATE_FILE)) return undefined
  try {
    const s = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LabState
    return s.version === 1 ? s : undefined
  } catch {
    return undefined
  }
}

export function writeState(state: LabState): void {
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 })
  const tmp = `${STATE_FILE}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, STATE_FILE)
}

export function removeState(): void {
  for (const f of [STATE_FILE, KNOWN_HOSTS_PATH]) if (existsSync(f)) unlinkSync(f)
}

/** Real path of an inventory given as a directory or as its file. */
export function inventoryRealDir(path: string): string | undefined {
  try {
    const real = realpathSync(path)
    return statSync(real).isDirectory() ? real : dirname(real)
  } catch {
    return undefined
  }
}

/**
 * The lab's ssh key and known_hosts when a lab is up for this inventory directory
 * (compared as real paths), else undefined: the runner then uses its usual settings.
 */
export function labConnectionFor(inventoryDir: string): { privateKeyPath: string; knownHostsPath: string } | undefined {
  const state = readState()
  const dir = inventoryRealDir(inventoryDir)
  if (!state || state.phase !== 'up' || !dir || dir !== state.inventoryDir) return undefined
  if (!existsSync(KEY_PATH) || !existsSync(KNOWN_HOSTS_PATH)) return undefined
  return { privateKeyPath: KEY_PATH, knownHostsPath: KNOWN_HOSTS_PATH }
}

/** One lab command at a time: `up` and `down` racing would leave half a lab. */
export async function withLabLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 })
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' })
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err
      const holder = Number(readFileSync(LOCK_FILE, 'utf8'))
      if (holder && holder !== process.pid && isAlive(holder))
        throw new LabError(
          `another lab command is running (pid ${holder})`,
          `wait for it to finish, or stop it with kill ${holder}`,
        )
      unlinkSync(LOCK_FILE) // left by a command that died
    }
  }
  try {
    return await fn()
  } finally {
    if (existsSync(LOCK_FILE)) unlinkSync(LOCK_FILE)
  }
}
