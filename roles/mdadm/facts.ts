// What the host says about a software RAID: the array as the kernel runs it
// (`mdadm --detail`), the md superblock on each member disk (`mdadm --examine`), and the
// ARRAY line `mdadm --detail --scan` gives for mdadm.conf. Creation is guarded by these.
import { type Fact, sh } from '../../src/sdk.ts'

export interface MdArray {
  /** The kernel runs the array (mdadm --detail exits 0). */
  active: boolean
  level?: string
  raidDevices?: number
  activeDevices?: number
  failedDevices?: number
  /** clean, active, degraded, resyncing… as mdadm words it. */
  state?: string
  uuid?: string
}

export function parseMdDetail(code: number | null, stdout: string): MdArray {
  if (code !== 0) return { active: false }
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name} : (.*)$`, 'm').exec(stdout)?.[1].trim()
  const num = (name: string): number | undefined => (field(name) === undefined ? undefined : Number(field(name)))
  return {
    active: true,
    level: field('Raid Level'),
    raidDevices: num('Raid Devices'),
    activeDevices: num('Active Devices'),
    failedDevices: num('Failed Devices'),
    state: field('State'),
    uuid: field('UUID'),
  }
}

export function mdArray(device: string): Fact<MdArray> {
  return {
    key: `md:${device}`,
    command: sh`mdadm --detail ${device} 2>/dev/null`,
    parse: ({ code, stdout }) => parseMdDetail(code, stdout),
  }
}

export interface MemberDisk {
  device: string
  /** Not a block device, or unreadable: nothing can be decided about it. */
  readable: boolean
  /** The Array UUID of the md superblock on it, when it has one. */
  arrayUuid?: string
  /** What blkid finds on it otherwise (a filesystem, a partition table…). */
  other?: string
}

/** One probe for all members: `== DEV`, then examine/blkid results, per device. */
export function memberDisks(devices: string[]): Fact<MemberDisk[]> {
  const probe = (d: string): string =>
    sh`echo ${`== ${d}`}; if [ -b ${d} ] && dd if=${d} of=/dev/null bs=4096 count=1 2>/dev/null; then echo readable; ` +
    sh`mdadm --examine ${d} 2>/dev/null | sed -n 's/^ *Array UUID : ` +
    sh`/uuid=/p'; echo "other=$(blkid -p -o value -s TYPE ${d} 2>/dev/null)"; fi`
  return {
    key: `md-members:${devices.join(',')}`,
    command: devices.map(probe).join('; '),
    parse: ({ stdout }) => parseMemberDisks(stdout),
  }
}

export function parseMemberDisks(stdout: string): MemberDisk[] {
  const out: MemberDisk[] = []
  for (const line of stdout.split('\n')) {
    if (line.startsWith('== ')) out.push({ device: line.slice(3), readable: false })
    const cur = out.at(-1)
    if (!cur) continue
    if (line === 'readable') cur.readable = true
    else if (line.startsWith('uuid=')) cur.arrayUuid = line.slice(5).trim()
    // blkid calls an md member linux_raid_member: that is the superblock, not other data.
    else if (line.startsWith('other=') && line.length > 6 && line.slice(6) !== 'linux_raid_member')
      cur.other = line.slice(6).trim()
  }
  return out
}

/**
 * `ARRAY /dev/md0 metadata=1.2 name=nas:0 UUID=…` for mdadm.conf (as --detail --scan gives it),
 * or undefined when not running.
 */
export function mdScanLine(device: string): Fact<string | undefined> {
  return {
    key: `md-scan:${device}`,
    command: sh`mdadm --detail --brief ${device} 2>/dev/null`,
    parse: ({ code, stdout }) =>
      code === 0
        ? stdout
            .split('\n')
            .find((l) => l.startsWith('ARRAY '))
            ?.trim()
        : undefined,
  }
}
