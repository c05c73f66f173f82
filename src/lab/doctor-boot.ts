// `lab doctor`'s real-kernel check: boot one user-mode-linux guest the way `lab up` does
// (same image, network, readiness wait and login), time it to its SSH banner, and take it
// down again. What this machine lacks for it is said up front, with what to do.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { freemem, tmpdir } from 'node:os'
import { join } from 'node:path'
import { teardown } from './down.js'
import { LabError } from './errors.js'
import { readState, withLabLock } from './state.js'
import { labUp } from './up.js'
import { UML_KERNEL } from './uml/paths.js'

export type BootCheck = { ok: true; seconds: number; upSeconds: number } | { ok: false; why: string; hint: string }

/** A one-host inventory on a /30 of its own: the guest and this machine's side of the bridge. */
const DOCTOR_HOSTS = `# written by run-playbook lab doctor: one real-kernel guest, taken down after the check
all:
  hosts:
    halab-doctor:
      ansible_host: 10.254.254.1
      lab_kernel: uml
      interfaces:
        - { name: eth0, address: 10.254.254.1, prefix: 30 }
`

/** What stops a user-mode-linux guest on this machine before one is tried, else undefined. */
export function umlBlocker(): { why: string; hint: string } | undefined {
  const scope = readText('/proc/sys/kernel/yama/ptrace_scope').trim()
  if (scope === '3')
    return {
      why: 'ptrace is disabled (kernel.yama.ptrace_scope = 3); user-mode-linux runs its processes under ptrace',
      hint: 'this needs a reboot with another ptrace_scope; use a machine that allows ptrace',
    }
  if (!existsSync('/dev/net/tun'))
    return {
      why: 'there is no /dev/net/tun: guests reach the lab bridges through tap devices',
      hint: 'load the tun module (modprobe tun) or use a machine whose kernel has it',
    }
  if (freemem() < 512 * 2 ** 20)
    return {
      why: `only ${(freemem() / 2 ** 20).toFixed(0)} MiB of memory is free; one guest needs 256 MiB`,
      hint: 'free some memory, then run lab doctor again',
    }
  return undefined
}

/** Boot a guest to its SSH banner and login; refuses (skips) while a lab is up. */
export async function checkRealKernelBoot(log: (line: string) => void): Promise<BootCheck | { skipped: string }> {
  const state = readState()
  if (state?.phase === 'up')
    return { skipped: `a lab is up (${state.inventoryDir}): its hosts are checked by \`run-playbook lab status\`` }
  const blocker = umlBlocker()
  if (blocker) return { ok: false, ...blocker }
  const dir = mkdtempSync(join(tmpdir(), 'halab-doctor-'))
  writeFileSync(join(dir, 'hosts.yml'), DOCTOR_HOSTS)
  try {
    const r = await labUp({ inventory: dir, log })
    const host = r.state.hosts[0]
    return { ok: true, seconds: host.bootSeconds ?? r.seconds, upSeconds: r.seconds }
  } catch (err) {
    if (err instanceof LabError) return { ok: false, why: err.message, hint: err.hint ?? 'run lab doctor again' }
    throw err
  } finally {
    await withLabLock(teardown).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}

export function renderBootCheck(r: BootCheck | { skipped: string }): string {
  const head = `real-kernel hosts (user-mode-linux, ${UML_KERNEL}):`
  if ('skipped' in r) return `${head} not tried: ${r.skipped}`
  if (r.ok)
    return (
      `${head} ok — a guest answered SSH ${r.seconds.toFixed(1)} s ` +
      `after start (lab up of one host: ${r.upSeconds.toFixed(1)} s)`
    )
  return (
    `${head} CANNOT run here: ${r.why}\n  → ${r.hint}\nRoles that need ip_vs, drbd, ocfs2, ` +
    `md or nfsd then run only as configuration (container hosts share this machine's kernel).`
  )
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
