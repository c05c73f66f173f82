// Where the lab keeps things, and how it names what it creates on this machine. Every
// name starts with `halab-` (links, namespaces) or lives under these directories, so that
// `lab down` can find leftovers of a crashed lab without its state file.
import { join } from 'node:path'

/** Lab state: state.json, the lab's ssh key and known_hosts, per-host overlays and disks. */
export const STATE_DIR = '/var/lib/halab/lab'
/** Caches, never required: the base image and apt-cacher-ng's packages. */
export const CACHE_DIR = '/var/cache/halab'

export const STATE_FILE = join(STATE_DIR, 'state.json')
export const LOCK_FILE = join(STATE_DIR, 'lock')
export const HOSTS_DIR = join(STATE_DIR, 'hosts')
export const KEY_PATH = join(STATE_DIR, 'id_ed25519')
export const KNOWN_HOSTS_PATH = join(STATE_DIR, 'known_hosts')

export const BASE_DIR = join(CACHE_DIR, 'base', 'bookworm')
export const BASE_ROOTFS = join(BASE_DIR, 'rootfs')
export const APT_PROXY_DIR = join(CACHE_DIR, 'apt-cacher-ng')
export const APT_PROXY_PORT = 3142

/** cgroup parents: nspawn needs each host in its own cgroup on both hierarchies (LAB.md). */
export const CGROUP_ROOTS = ['/sys/fs/cgroup/unified/lab', '/sys/fs/cgroup/systemd/lab']

export const LINK_PREFIX = 'halab-'
export const NETNS_PREFIX = 'halab-'
/**
 * Policy-routing rule priority and table for "nothing arriving from a lab bridge is routed
 * anywhere": local delivery (rule 0) still reaches the controller, everything else hits
 * an unreachable route, whatever net.ipv4.ip_forward says.
 */
export const RULE_PRIORITY = 1999
export const RULE_TABLE = 1999

export function hostDir(name: string): string {
  return join(HOSTS_DIR, name)
}
export function hostPaths(name: string) {
  const dir = hostDir(name)
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    root: join(dir, 'root'),
    disks: join(dir, 'disks'),
    console: join(dir, 'console.log'),
  }
}

export const netnsName = (host: string): string => `${NETNS_PREFIX}${host}`
export const bridgeName = (index: number): string => `${LINK_PREFIX}br${index}`
/** Controller-side end of a host's veth; kernel link names are at most 15 characters. */
export const vethName = (hostIndex: number, ifIndex: number): string => `${LINK_PREFIX}h${hostIndex}i${ifIndex}`
