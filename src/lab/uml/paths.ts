// Where the user-mode-linux backend keeps things. The image is a cache next to the nspawn
// base; everything per host lives in the host's lab directory, so `lab down` removing
// /var/lib/halab/lab/hosts also removes COW files, disks and mconsole sockets.
import { join } from 'node:path'
import { CACHE_DIR, hostPaths } from '../paths.js'

/** Debian's user-mode-linux kernel and the modules it ships for itself. */
export const UML_KERNEL = '/usr/bin/linux.uml'
export const UML_MODULES_DIR = '/usr/lib/uml/modules'

export const UML_IMAGE_DIR = join(CACHE_DIR, 'uml', 'bookworm')
export const UML_IMAGE = join(UML_IMAGE_DIR, 'base.img')
export const UML_IMAGE_MARKER = join(UML_IMAGE_DIR, 'halab-uml.json')

/** The guest's init: unpacks the host's files from the config disk, then execs systemd. */
export const UML_INIT = '/usr/local/sbin/halab-uml-init'
/** ubd0 is the root (COW over the image), ubd1 the config tar; lab_disks follow from ubd2. */
export const UML_CONFIG_DEVICE = '/dev/ubdb'
export const UML_FIRST_DISK_INDEX = 2

export type UmlHostPaths = ReturnType<typeof umlHostPaths>

export function umlHostPaths(name: string) {
  const p = hostPaths(name)
  return {
    ...p,
    cow: join(p.dir, 'root.cow'),
    /** The host's own files (identity, keys, network, apt), staged then packed as a tar. */
    config: join(p.dir, 'config'),
    configTar: join(p.dir, 'config.tar'),
    /** uml_dir: UML puts its pid file and mconsole socket under uml_dir/umid/. */
    umlDir: join(p.dir, 'uml'),
  }
}

/** In the guest: `ip -batch` lines its init runs on the first boot (names and addresses). */
export const UML_NET_BATCH = 'etc/halab-uml-net'

/** ubd index → guest device name: 0 → /dev/ubda, 2 → /dev/ubdc. */
export const ubdDevice = (index: number): string => `/dev/ubd${String.fromCharCode(97 + index)}`
