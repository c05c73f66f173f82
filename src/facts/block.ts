// Block devices: whether one exists, whether it can be read, its size, and the
// filesystem on it (blkid). One-shot initialisations (mkfs) are guarded by this.
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface BlockDevice {
  /** A block special file exists at the path. */
  exists: boolean
  /**
   * Its first block could be read. A DRBD device in the Secondary role cannot be, and then
   * blkid reports "no filesystem" too: never format a device that was not readable.
   */
  readable: boolean
  sizeBytes?: number
  /** `ext4`, `ocfs2`, `LVM2_member`…; undefined when blkid found none. */
  fstype?: string
}

export function parseBlockProbe(stdout: string): BlockDevice {
  const fields = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1).trim())
  }
  if (fields.get('block') !== 'yes') return { exists: false, readable: false }
  const size = Number(fields.get('size'))
  return {
    exists: true,
    readable: fields.get('readable') === 'yes',
    sizeBytes: fields.get('size') && Number.isFinite(size) ? size : undefined,
    fstype: fields.get('type') || undefined,
  }
}

export function blockDevice(device: string): Fact<BlockDevice> {
  return {
    key: `block:${device}`,
    command:
      sh`d=${device}; ` +
      `if [ -b "$d" ]; then echo block=yes; ` +
      `dd if="$d" of=/dev/null bs=4096 count=1 2>/dev/null && echo readable=yes; ` +
      `echo "size=$(blockdev --getsize64 "$d" 2>/dev/null || lsblk -bdno SIZE "$d" 2>/dev/null)"; ` +
      `echo "type=$(blkid -o value -s TYPE "$d" 2>/dev/null)"; ` +
      `else echo block=no; fi`,
    parse: ({ stdout }) => parseBlockProbe(stdout),
  }
}
