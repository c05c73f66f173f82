// The user-mode-linux image: one ext4 file every UML host boots copy-on-write. It is the
// nspawn base rootfs plus the topology roles' packages, installed with chroot on this
// machine (fork+exec inside a UML guest is ~30x slower, LAB.md), plus the UML kernel's own
// modules and halab's init. A cache: rebuilt when missing, when its recipe changes, or
// when the user-mode-linux package brings another kernel.
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { $ } from 'zx'
import { ensureBaseImage } from '../base-image.js'
import { LabError } from '../errors.js'
import {
  UML_IMAGE,
  UML_IMAGE_DIR,
  UML_IMAGE_MARKER,
  UML_INIT,
  UML_MODULES_DIR,
  UML_CONFIG_DEVICE,
  UML_NET_BATCH,
} from './paths.js'

/**
 * What the roles install (base, drbd, heartbeat, apache-php, lvs, keepalived, dhcp-server,
 * ocfs2, postgresql, drupal's PHP, raid, nfs, pacemaker). Their package tasks
 * then find them present; their services are not started at boot (see disableNewUnits).
 */
export const UML_PACKAGES = [
  'drbd-utils',
  'heartbeat',
  'apache2',
  'libapache2-mod-php',
  'php-gd',
  'php-pgsql',
  'php-cli',
  'php-xml',
  'php-mbstring',
  'keepalived',
  'ipvsadm',
  'isc-dhcp-server',
  'ocfs2-tools',
  'postgresql',
  'mdadm',
  'nfs-kernel-server',
  'corosync',
  'pacemaker',
  'crmsh',
  'ldirectord',
  'iptables',
]
/** Bump when the build below changes, so images made by an older halab are rebuilt. */
const IMAGE_VERSION = 8
const SOURCES = [
  'deb http://deb.debian.org/debian bookworm main',
  'deb http://deb.debian.org/debian bookworm-updates main',
  'deb http://deb.debian.org/debian-security bookworm-security main',
  '',
].join('\n')
/**
 * Units a lab guest's boot does without. A guest's CPU is the whole cost of its boot here
 * (fork+exec ~30-50 ms, four guests sharing two cores), so what no role needs is masked.
 */
const BOOT_MASKED = [
  'systemd-networkd-wait-online.service',
  'e2scrub_reap.service',
  'getty@tty1.service',
  'serial-getty@.service',
  'console-getty.service',
  'modprobe@drm.service',
  'modprobe@efi_pstore.service',
  'modprobe@fuse.service',
  'modprobe@dm_mod.service',
  'modprobe@loop.service',
  'systemd-pstore.service',
  'systemd-binfmt.service',
  // The kernel mounts the root rw and the image's users all exist already: both only
  // sat on the way to sshd (critical chain: remount-fs → sysusers → udevd → networkd).
  'systemd-remount-fs.service',
  'systemd-sysusers.service',
  // Reads ip= from the kernel command line; the lab's addresses come as .network files.
  'systemd-network-generator.service',
  // devtmpfs makes the device nodes; static nodes for modules not loaded are not needed.
  'kmod-static-nodes.service',
  'systemd-tmpfiles-setup-dev.service',
  // Login records, a seed file, journal flushing, debug mounts: bookkeeping no role reads.
  // Without logind, pam_systemd logs that it made no session and the login goes on.
  'systemd-update-utmp.service',
  'systemd-update-utmp-runlevel.service',
  'systemd-random-seed.service',
  'systemd-journal-flush.service',
  'systemd-logind.service',
  'dev-mqueue.mount',
  'sys-kernel-debug.mount',
  'sys-kernel-tracing.mount',
  'sys-fs-fuse-connections.mount',
]
/**
 * Generators systemd runs at every boot, one process each, for what a lab guest has not
 * (encrypted or verity disks, GPT auto-mounts, hibernation, gettys, rc.local). fstab,
 * sysv, postgresql and the NFS generators stay: the roles rely on them.
 */
const GENERATORS_MASKED = [
  'systemd-cryptsetup-generator',
  'systemd-debug-generator',
  'systemd-getty-generator',
  'systemd-gpt-auto-generator',
  'systemd-hibernate-resume-generator',
  'systemd-integritysetup-generator',
  'systemd-rc-local-generator',
  'systemd-run-generator',
  'systemd-system-update-generator',
  'systemd-veritysetup-generator',
]
/**
 * Coldplug replays only block devices (lab_disks' names, the root's device unit) and
 * network interfaces (names by MAC). devtmpfs already made every other node, with the
 * kernel's modes; replaying the ~600 legacy ttys alone cost most of a guest's coldplug.
 */
const UDEV_TRIGGER_DROPIN = [
  "# written by halab's UML image: coldplug block devices and network interfaces only",
  '[Service]',
  'ExecStart=',
  'ExecStart=-udevadm trigger --type=subsystems --action=add',
  'ExecStart=-udevadm trigger --type=devices --action=add --subsystem-match=block --subsystem-match=net',
  '',
].join('\n')
/** Room for what guests write (their writes go to per-host COW files, never to the image). */
const HEADROOM = 1536 * 2 ** 20

interface Marker {
  version: number
  kernel: string
  packages: string[]
  built: string
  seconds: number
  bytes: number
}

/** The UML kernel's version: the one directory under /usr/lib/uml/modules. */
export function umlKernelVersion(): string {
  const versions = existsSync(UML_MODULES_DIR) ? readdirSync(UML_MODULES_DIR) : []
  if (versions.length !== 1)
    throw new LabError(
      `expected one kernel under ${UML_MODULES_DIR}, found ${versions.length ? versions.join(', ') : 'none'}`,
      'reinstall it: apt-get install --reinstall user-mode-linux',
    )
  return versions[0]
}

export function umlImageReady(kernel: string): boolean {
  try {
    const m = JSON.parse(readFileSync(UML_IMAGE_MARKER, 'utf8')) as Marker
    return (
      m.version === IMAGE_VERSION &&
      m.kernel === kernel &&
      m.packages.join() === UML_PACKAGES.join() &&
      existsSync(UML_IMAGE)
    )
  } catch {
    return false
  }
}

/** Build the image unless it is cached; returns its path. */
export async function ensureUmlImage(log: (line: string) => void): Promise<{ image: string; kernel: string }> {
  const kernel = umlKernelVersion()
  if (umlImageReady(kernel)) return { image: UML_IMAGE, kernel }
  const started = Date.now()
  const base = await ensureBaseImage(log)
  log(
    `building the user-mode-linux image in ${UML_IMAGE_DIR} (once; ` +
      `a few minutes): the base plus ${UML_PACKAGES.join(' ')}`,
  )
  const tmp = `${UML_IMAGE_DIR}.building`
  await unmountUnder(tmp)
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const root = join(tmp, 'rootfs')
  await $({ quiet: true })`cp -a ${base} ${root}`
  await withChroot(root, async (inRoot) => {
    const before = await bootServices(root)
    await inRoot(['apt-get', 'update', '-q'], 'apt-get update')
    await inRoot(
      [
        'apt-get',
        'install',
        '-y',
        '-q',
        '--no-install-recommends',
        '-o',
        'Dpkg::Options::=--force-confdef',
        '-o',
        'Dpkg::Options::=--force-confold',
        ...UML_PACKAGES,
      ],
      'apt-get install',
    )
    await disableNewServices(root, before)
    // networkd-wait-online alone held boot for 13.6 s in LAB.md's measurement; e2scrub_reap
    // took 12 s of a UML boot; a getty on a console with no input only respawns.
    await inRoot(['systemctl', 'mask', ...BOOT_MASKED], 'systemctl mask')
    await inRoot(['apt-get', 'clean'], 'apt-get clean')
  })
  installModules(root, kernel)
  await $({ quiet: true })`chroot ${root} depmod ${kernel}`
  installInit(root)
  const dropin = join(root, 'etc/systemd/system/systemd-udev-trigger.service.d')
  mkdirSync(dropin, { recursive: true })
  writeFileSync(join(dropin, 'halab-uml.conf'), UDEV_TRIGGER_DROPIN)
  maskGenerators(root)
  writeSshUnit(root)
  const bytes = await buildExt4(root, join(tmp, 'base.img'))
  rmSync(root, { recursive: true, force: true })
  const seconds = (Date.now() - started) / 1000
  const marker: Marker = {
    version: IMAGE_VERSION,
    kernel,
    packages: UML_PACKAGES,
    built: new Date().toISOString(),
    seconds,
    bytes,
  }
  writeFileSync(join(tmp, 'halab-uml.json'), JSON.stringify(marker, null, 2) + '\n')
  rmSync(UML_IMAGE_DIR, { recursive: true, force: true })
  renameSync(tmp, UML_IMAGE_DIR)
  log(`user-mode-linux image built in ${seconds.toFixed(1)} s (${(bytes / 2 ** 20).toFixed(0)} MiB of files)`)
  return { image: UML_IMAGE, kernel }
}

type InRoot = (argv: string[], what: string) => Promise<void>

/**
 * Run `fn` with proc, sys and dev mounted in `root`, the controller's resolv.conf (apt
 * fetches from Debian's mirror directly) and a policy-rc.d that keeps every package's
 * daemon from starting on this machine. Everything is undone, also on failure.
 */
async function withChroot(root: string, fn: (inRoot: InRoot) => Promise<void>): Promise<void> {
  const policy = join(root, 'usr/sbin/policy-rc.d')
  const resolv = join(root, 'etc/resolv.conf')
  const labResolv = readFileSync(resolv, 'utf8')
  writeFileSync(policy, '#!/bin/sh\n# written by halab while it builds the UML image\nexit 101\n', { mode: 0o755 })
  copyFileSync('/etc/resolv.conf', resolv)
  writeFileSync(join(root, 'etc/apt/sources.list'), SOURCES)
  const mounts: string[] = []
  try {
    for (const [what, args] of [
      ['proc', ['-t', 'proc', 'proc']],
      ['sys', ['-t', 'sysfs', 'sysfs']],
      ['dev', ['--bind', '/dev']],
      ['dev/pts', ['--bind', '/dev/pts']],
    ] as const) {
      const target = join(root, what)
      mkdirSync(target, { recursive: true })
      await $({ quiet: true })`mount ${args} ${target}`
      mounts.push(target)
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' }
    await fn(async (argv, what) => {
      const r = await $({ quiet: true, nothrow: true, env })`chroot ${root} ${argv}`
      if (r.exitCode !== 0)
        throw new LabError(
          `building the UML image: ${what} failed ` +
            `(exit ${r.exitCode}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-10).join('\n')}`,
          'check that this machine reaches deb.debian.org, then run lab up --kernel uml again (the build starts over)',
        )
    })
  } finally {
    for (const m of mounts.reverse()) {
      const r = await $({ quiet: true, nothrow: true })`umount ${m}`
      if (r.exitCode !== 0) await $({ quiet: true, nothrow: true })`umount -l ${m}`
    }
    rmSync(policy, { force: true })
    writeFileSync(resolv, labResolv)
  }
}

/** Unmount anything an interrupted build left mounted under `dir`. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length)
  for (const m of mounts) await $({ quiet: true, nothrow: true })`umount -l ${m}`
}

/** Enabled unit files and SysV scripts (ipvsadm, isc-dhcp-server, o2cb have only those). */
async function bootServices(root: string): Promise<Set<string>> {
  const r = await $({
    quiet: true,
    nothrow: true,
  })`chroot ${root} systemctl list-unit-files --state=enabled --no-legend --no-pager`
  const units = r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean)
  const scripts = readdirSync(join(root, 'etc/init.d')).filter((f) => !f.startsWith('.') && f !== 'README')
  return new Set([...units, ...scripts])
}

/**
 * Packages enable their services (apache2, postgresql, heartbeat, isc-dhcp-server…): on
 * every UML host at every boot they would cost seconds and memory, and run where no role
 * asked for them. The roles enable and start what a host needs (systemctl enable, which
 * also handles SysV scripts), as they do after a fresh install.
 */
async function disableNewServices(root: string, before: Set<string>): Promise<void> {
  const added = [...(await bootServices(root))].filter((u) => !before.has(u) && !u.includes('@'))
  // One at a time: `systemctl disable a b c` stops at the first unit it cannot disable
  // (a SysV script without LSB headers), leaving the rest enabled.
  for (const unit of added) await $({ quiet: true, nothrow: true })`chroot ${root} systemctl disable ${unit}`
}

function installModules(root: string, kernel: string): void {
  const target = join(root, 'usr/lib/modules', kernel)
  rmSync(target, { recursive: true, force: true })
  cpSync(join(UML_MODULES_DIR, kernel), target, { recursive: true })
}

/** Left in the guest's root once its config disk is unpacked (the root is its own COW file). */
const UML_CONFIG_MARKER = '/etc/halab-uml-config-applied'

function installInit(root: string): void {
  const script = [
    '#!/bin/sh',
    "# halab lab, user-mode-linux guest: this host's own files (hostname, machine-id, ssh host",
    `# keys, network, authorized key, apt proxy) arrive as a tar on ${UML_CONFIG_DEVICE}. They are`,
    '# unpacked before systemd starts, so it boots with them from its first instant — on the',
    '# first boot only: after `lab stop`/`lab start` the host keeps what its roles wrote since',
    '# (/etc/hosts, network files).',
    'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
    'export PATH',
    '[ -e /proc/self ] || mount -t proc proc /proc',
    `[ -b ${UML_CONFIG_DEVICE} ] || mount -t devtmpfs devtmpfs /dev`,
    `if [ ! -e ${UML_CONFIG_MARKER} ]; then`,
    `  tar -x --no-overwrite-dir -f ${UML_CONFIG_DEVICE} -C / && : ` +
      `> ${UML_CONFIG_MARKER} || echo "halab-uml-init: cannot unpack ${UML_CONFIG_DEVICE}" >&2`,
    '  # names and addresses now, so sshd answers before udev and networkd have run',
    `  [ -f /${UML_NET_BATCH} ] && ip -batch /${UML_NET_BATCH}`,
    'fi',
    'exec /lib/systemd/systemd "$@"',
    '',
  ].join('\n')
  const file = join(root, UML_INIT)
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, script)
  chmodSync(file, 0o755)
}

function maskGenerators(root: string): void {
  const dir = join(root, 'etc/systemd/system-generators')
  mkdirSync(dir, { recursive: true })
  for (const g of GENERATORS_MASKED) {
    rmSync(join(dir, g), { force: true })
    symlinkSync('/dev/null', join(dir, g))
  }
}

/**
 * sshd listens on every address, so it need not wait for network.target (networkd's start
 * took ~15 s of a guest's boot), nor re-check a config the image ships (`sshd -t`, another
 * ~1 s of exec). The package's own unit, with those two lines changed, as an override.
 */
function writeSshUnit(root: string): void {
  const unit = readFileSync(join(root, 'lib/systemd/system/ssh.service'), 'utf8')
  const lines = unit.split('\n').filter((l) => !l.startsWith('ExecStartPre='))
  const ours = lines.map((l) =>
    l.startsWith('After=') ? l.replace(/network\.target\s*/, '').replace(/^After=\s*$/, '') : l,
  )
  const text = [
    "# written by halab's UML image: Debian's ssh.service without network.target and sshd -t",
    ...ours,
  ].join('\n')
  writeFileSync(join(root, 'etc/systemd/system/ssh.service'), text)
}

/** `mkfs.ext4 -d`: the rootfs becomes a sparse image file without mounting anything. */
async function buildExt4(root: string, image: string): Promise<number> {
  const used = Number((await $({ quiet: true })`du -sb ${root}`).stdout.split(/\s/)[0])
  const size = Math.ceil((used * 1.1 + HEADROOM) / 2 ** 20)
  rmSync(image, { force: true })
  const r = await $({ quiet: true, nothrow: true })`mkfs.ext4 -q -F -L halab-uml -d ${root} ${image} ${`${size}M`}`
  if (r.exitCode !== 0 || !statSync(image).size)
    throw new LabError(
      `mkfs.ext4 could not build the UML image: ${r.stderr.trim()}`,
      'check free space under /var/cache/halab, then run lab up --kernel uml again',
    )
  return used
}
