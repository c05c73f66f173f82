// What the ocfs2 role reads on a host: what blkid finds on the shared device, read below
// the page cache (the peer writes the same device through DRBD), and whether its first
// block can be read at all (a DRBD device must be Primary).
import { type Fact, probeFields, sh } from '../../src/sdk.ts'

export interface DeviceFilesystem {
  /** Its first block could be read (a DRBD device must be Primary). */
  readable: boolean
  /** blkid -p exit status: 0 found, 2 nothing, else error. */
  blkid?: number
  fstype?: string
}

/** What blkid finds on the device, polling up to `seconds` until it finds something. */
export function deviceFilesystem(device: string, seconds: number): Fact<DeviceFilesystem> {
  return {
    key: `ocfs2-device-fs:${device}:${seconds}`,
    command:
      sh`d=${device}; n=${seconds}; i=0; ` +
      `while :; do blockdev --flushbufs "$d" 2>/dev/null; ` +
      `t=$(blkid -p -u filesystem -o value -s TYPE "$d" 2>/dev/null); rc=$?; ` +
      `[ "$rc" -ne 2 ] || [ "$i" -ge "$n" ] && break; sleep 1; i=$((i+1)); done; ` +
      `dd if="$d" of=/dev/null bs=4096 count=1 2>/dev/null && echo readable=yes; echo "blkid=$rc"; echo "type=$t"`,
    parse: ({ stdout }) => {
      const field = probeFields(stdout)
      return {
        readable: field('readable') === 'yes',
        blkid: Number(field('blkid')),
        fstype: field('type') || undefined,
      }
    },
  }
}
