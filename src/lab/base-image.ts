// The shared, read-only Debian bookworm root every lab host overlays. A cache: built with
// debootstrap when missing (about a minute), never required to exist beforehand.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  readdirSync,
} from 'node:fs'
import { join } from 'node:path'
import { $ } from 'zx'
import { LabError } from './errors.js'
import { BASE_DIR, BASE_ROOTFS } from './paths.js'

/** LAB.md's list: systemd as PID 1, networkd, sshd. Role packages are never preinstalled. */
const INCLUDE = ['systemd', 'systemd-sysv', 'dbus', 'iproute2', 'openssh-server', 'kmod', 'udev']
/** Bump when the build below changes, so caches made by an older halab are rebuilt. */
const BASE_VERSION = 1
const MIRROR = 'http://deb.debian.org/debian'
const MARKER = join(BASE_DIR, 'halab-base.json')

export function baseImageReady(): boolean {
  try {
    return (
      JSON.parse(readFileSync(MARKER, 'utf8')).version === BASE_VERSION && existsSync(join(BASE_ROOTFS, 'sbin/init'))
    )
  } catch {
    return false
  }
}

/** Build the base image unless it is cached; `log` tells the user why they wait. */
export async function ensureBaseImage(log: (line: string) => void): Promise<string> {
  if (baseImageReady()) return BASE_ROOTFS
  const started = Date.now()
  log(`building the Debian bookworm base image in ${BASE_DIR} (once; about a minute)`)
  const tmp = `${BASE_DIR}.building`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const rootfs = join(tmp, 'rootfs')
  const r = await $({
    quiet: true,
    nothrow: true,
  })`debootstrap --variant=minbase --include=${INCLUDE.join(',')} bookworm ${rootfs} ${MIRROR}`
  if (r.exitCode !== 0) {
    writeFileSync(`${tmp}.log`, r.stdout + r.stderr)
    throw new LabError(
      `debootstrap failed (exit ${r.exitCode}) ` +
        `building the base image:\n${(r.stdout + r.stderr).trim().split('\n').slice(-8).join('\n')}`,
      `check that this machine reaches ${MIRROR} (full log: ${tmp}.log), then run lab up again`,
    )
  }
  await finishBase(rootfs)
  writeFileSync(
    join(tmp, 'halab-base.json'),
    JSON.stringify(
      {
        version: BASE_VERSION,
        include: INCLUDE,
        built: new Date().toISOString(),
        seconds: (Date.now() - started) / 1000,
      },
      null,
      2,
    ) + '\n',
  )
  rmSync(BASE_DIR, { recursive: true, force: true })
  renameSync(tmp, BASE_DIR)
  log(`base image built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return BASE_ROOTFS
}

/** What every host gets in common; per-host files go into each overlay (rootfs.ts). */
async function finishBase(rootfs: string): Promise<void> {
  // Each host makes its own host keys, machine-id and hostname.
  for (const f of readdirSync(join(rootfs, 'etc/ssh')))
    if (f.startsWith('ssh_host_')) unlinkSync(join(rootfs, 'etc/ssh', f))
  writeFileSync(join(rootfs, 'etc/machine-id'), '')
  writeFileSync(join(rootfs, 'etc/hostname'), 'localhost\n')
  writeFileSync(join(rootfs, 'etc/resolv.conf'), '# lab hosts have no DNS: apt goes through the lab proxy\n')
  // networkd applies the 10-*.network files; the apt timers would download in the
  // background and hold the dpkg lock while a playbook installs packages.
  await $({ quiet: true })`chroot ${rootfs} systemctl enable systemd-networkd.service`
  await $({ quiet: true })`chroot ${rootfs} systemctl mask apt-daily.timer apt-daily-upgrade.timer`
  await $({ quiet: true })`chroot ${rootfs} apt-get clean`
}
