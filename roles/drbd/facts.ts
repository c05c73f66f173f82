// What the drbd role reads before it brings a resource up: the resource's state in the
// kernel (drbdadm cstate/dstate/role), whether its backing disk carries DRBD metadata
// (drbdadm dump-md, readable only while the disk is not attached), and whether the backing
// disk holds a filesystem (blkid). drbd-utils 9.22 runs its drbdadm-84 path by itself on
// the 8.4 kernel module, so these are the 8.4 words: Connected, UpToDate, Secondary…
import { type Fact, probeFields, sh } from '../../src/sdk.ts'

export interface DrbdState {
  /** Configured in the kernel: `drbdadm cstate` answers (else the resource is down). */
  up: boolean
  /** Connection state: Connected, WFConnection, StandAlone, SyncSource… */
  cstate?: string
  /** Disk states, this node's and the peer's as this node sees it (DUnknown when not connected). */
  disk?: string
  peerDisk?: string
  role?: string
  peerRole?: string
  /** DRBD metadata on the backing disk; `attached` when the kernel holds the disk (it has some). */
  metadata: 'attached' | 'present' | 'absent'
}

/** Connection states in which the peer's disk state is known. */
const CONNECTED =
  /^(Connected|StartingSync[ST]|WFBitMap[ST]|WFSyncUUID|SyncSource|SyncTarget|PausedSync[ST]|Verify[ST]|Ahead|Behind)$/
/** Connection states of a resource that is trying to reach its peer (worth waiting for). */
const CONNECTING = ['WFConnection', 'WFReportParams', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure']

export const isConnected = (s: DrbdState): boolean => s.up && CONNECTED.test(s.cstate ?? '')

/** The probe script: state lines, then dump-md's verdict when the disk is not attached. */
function probe(resource: string): string {
  return (
    sh`r=${resource}; ` +
    `if cs=$(drbdadm cstate "$r" 2>/dev/null); then echo up=yes; echo "cstate=$cs"; ` +
    `echo "dstate=$(drbdadm dstate "$r" 2>/dev/null)"; ` +
    `echo "role=$(drbdadm role "$r" 2>/dev/null)"; else echo up=no; fi; ` +
    // drbdmeta refuses a disk the kernel holds (exit 20, "Exclusive open failed"): only
    // ask when the resource is down or diskless. stdout (the whole bitmap) is not needed.
    `case "$(drbdadm dstate "$r" 2>/dev/null)" in Diskless*|'') ` +
    `;; *) [ "$cs" ] && { echo attached=yes; exit 0; } ;; esac; ` +
    `err=$(drbdadm dump-md "$r" 2>&1 >/dev/null </dev/null); ` +
    `echo "dumpmd=$?"; printf '%s\\n' "$err" | head -n 5 | sed 's/^/says=/'`
  )
}

export function parseDrbdState(resource: string, stdout: string): DrbdState {
  const lines = stdout.split('\n')
  const field = probeFields(stdout)
  const up = field('up') === 'yes'
  const [disk, peerDisk] = (field('dstate') ?? '').split('/')
  const [role, peerRole] = (field('role') ?? '').split('/')
  const state: Omit<DrbdState, 'metadata'> = up
    ? {
        up,
        cstate: field('cstate'),
        disk: disk || undefined,
        peerDisk: peerDisk || undefined,
        role: role || undefined,
        peerRole: peerRole || undefined,
      }
    : { up }
  if (field('attached') === 'yes') return { ...state, metadata: 'attached' }
  const says = lines
    .filter((l) => l.startsWith('says='))
    .map((l) => l.slice(5))
    .join('\n')
    .trim()
  const code = Number(field('dumpmd'))
  if (code === 0) return { ...state, metadata: 'present' }
  if (/No valid meta data found/i.test(says)) return { ...state, metadata: 'absent' }
  // 8.4 metadata of a node that crashed while Primary: there, and needs apply-al (up does it).
  if (/unclean|apply-al/i.test(says)) return { ...state, metadata: 'present' }
  // Anything else (cannot open the disk, unknown resource…) is never a reason to create-md.
  throw new Error(
    `cannot tell whether ${resource} has DRBD metadata: ` +
      `drbdadm dump-md ${resource} exited ${field('dumpmd') ?? '?'}${says ? `: ${says}` : ''}`,
  )
}

export function drbdResource(resource: string): Fact<DrbdState> {
  return { key: `drbd:${resource}`, command: probe(resource), parse: ({ stdout }) => parseDrbdState(resource, stdout) }
}

/**
 * The resource's state once it has reached its peer: polls while it is trying to connect
 * (up to `seconds`), and stops at once when it is connected, down or already holds data.
 * Read only where the peer's disk state decides something (the first bring-up).
 */
export function drbdAfterConnect(resource: string, seconds: number): Fact<DrbdState> {
  return {
    key: `drbd-connected:${resource}:${seconds}`,
    command:
      sh`r=${resource}; n=${seconds}; ` +
      `i=0; while [ "$i" -lt "$n" ]; do cs=$(drbdadm cstate "$r" 2>/dev/null) || break; ` +
      `case "$(drbdadm dstate "$r" 2>/dev/null)" in UpToDate/*|*/UpToDate) break ;; esac; ` +
      `case "$cs" in ${CONNECTING.join('|')}) sleep 1; i=$((i+1)) ;; *) break ;; esac; done; ` +
      probe(resource),
    parse: ({ stdout }) => parseDrbdState(resource, stdout),
  }
}

/**
 * The resource's state once both disks are UpToDate: polls while it connects or syncs
 * (up to `seconds`), and stops at once when it is down, StandAlone, or UpToDate/UpToDate.
 * Read where a dual-primary node is promoted: its peer may only now start the initial sync.
 */
export function drbdAfterSync(resource: string, seconds: number): Fact<DrbdState> {
  return {
    key: `drbd-synced:${resource}:${seconds}`,
    command:
      sh`r=${resource}; n=${seconds}; ` +
      `i=0; while [ "$i" -lt "$n" ]; do cs=$(drbdadm cstate "$r" 2>/dev/null) || break; ` +
      `[ "$(drbdadm dstate "$r" 2>/dev/null)" = UpToDate/UpToDate ] && break; [ "$cs" = StandAlone ] && break; ` +
      `sleep 1; i=$((i+1)); done; ` +
      probe(resource),
    parse: ({ stdout }) => parseDrbdState(resource, stdout),
  }
}

export interface BackingFilesystem {
  /** Its first block could be read. */
  readable: boolean
  /** What blkid found, filesystems only (the DRBD metadata signature is not one). */
  fstype?: string
  /** blkid -p exit status: 0 found, 2 nothing, 8 ambivalent (several signatures), else error. */
  blkid?: number
}

/**
 * A filesystem on the backing disk of a resource with internal metadata: its data starts
 * at the disk's first byte. DRBD writes the disk below the block device's page cache, so
 * that cache is dropped first (blockdev --flushbufs) or blkid reads what was there before.
 */
export function backingFilesystem(device: string): Fact<BackingFilesystem> {
  return {
    key: `drbd-backing-fs:${device}`,
    command:
      sh`d=${device}; ` +
      `if dd if="$d" of=/dev/null bs=4096 count=1 2>/dev/null; ` +
      `then echo readable=yes; blockdev --flushbufs "$d" 2>/dev/null; ` +
      `t=$(blkid -p -u filesystem -o value -s TYPE "$d" 2>/dev/null); echo "blkid=$?"; echo "type=$t"; fi`,
    parse: ({ stdout }) => {
      const field = probeFields(stdout)
      if (field('readable') !== 'yes') return { readable: false }
      return { readable: true, blkid: Number(field('blkid')), fstype: field('type') || undefined }
    },
  }
}
