// The running kernel: whether a module is loaded or could be (built in, or a .ko under
// /lib/modules/$(uname -r)), and which filesystems it can mount right now.
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface KernelModule {
  name: string
  /** Listed in /proc/modules. */
  loaded: boolean
  /** Compiled into the kernel: never in /proc/modules, always usable. */
  builtin: boolean
  /** Usable: loaded, built in, or loadable with modprobe. */
  available: boolean
}

const MODULE_NAME = /^[A-Za-z0-9_-]+$/

export function kernelModule(name: string): Fact<KernelModule> {
  if (!MODULE_NAME.test(name)) throw new Error(`invalid kernel module name ${JSON.stringify(name)}`)
  return {
    key: `kmod:${name}`,
    // The kernel spells module names with `_`, file names may use `-`: compare both as `_`.
    // modprobe -n answers for loadable and built-in modules; hosts without kmod fall back
    // to the module index files.
    command:
      sh`n=${name}; ` +
      `u=$(printf %s "$n" | tr - _); d=/lib/modules/$(uname -r); ` +
      `grep -q "^$u " /proc/modules 2>/dev/null && echo loaded; ` +
      `tr - _ <"$d/modules.builtin" 2>/dev/null | grep -q "/$u\\.ko$" && echo builtin; ` +
      `if command -v modprobe >/dev/null 2>&1; then modprobe -n -q -- "$n" 2>/dev/null && echo loadable; ` +
      `else tr - _ <"$d/modules.dep" 2>/dev/null | grep -q "^\\([^:]*/\\)\\?$u\\.ko[^:/]*:" && echo loadable; fi; true`,
    parse: ({ stdout }) => {
      const words = new Set(stdout.split('\n'))
      const loaded = words.has('loaded')
      const builtin = words.has('builtin')
      return { name, loaded, builtin, available: loaded || builtin || words.has('loadable') }
    },
  }
}

export interface KernelFilesystem {
  name: string
  /** Needs no block device (tmpfs, proc, configfs, nfs…). */
  nodev: boolean
}

/** /proc/filesystems lines: `nodev\tproc` or `\text4`. */
export function parseProcFilesystems(text: string): KernelFilesystem[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [flag, name] = line.split('\t')
      return { name: name.trim(), nodev: flag === 'nodev' }
    })
}

/** Filesystems the kernel can mount now; one in a module not yet loaded is not listed. */
export function kernelFilesystems(): Fact<KernelFilesystem[]> {
  return {
    key: 'kernel-filesystems',
    command: 'cat /proc/filesystems',
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot read /proc/filesystems: ${stderr.trim()}`)
      return parseProcFilesystems(stdout)
    },
  }
}
