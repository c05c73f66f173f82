// Debian packages: which are installed, and how old the apt lists are.
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface PackageStates {
  installed: Set<string>
  /** Packages apt knows (in the current lists): an unknown name is a typo or a missing update. */
  available: Set<string>
  /**
   * Seconds since the apt lists were last refreshed; Infinity when never, or when not probed
   * (every package installed).
   */
  listsAge: number
}

/** Touched after every successful `apt-get update` (the path Ubuntu's hook and Ansible use). */
export const APT_UPDATE_STAMP = '/var/lib/apt/periodic/update-success-stamp'

export function packageStates(names: string[]): Fact<PackageStates> {
  const sorted = [...new Set(names)].sort()
  // With no names, dpkg-query and apt-cache would describe every package there is.
  if (!sorted.length) throw new Error('packageStates: no package names given')
  return {
    key: `apt:${sorted.join(',')}`,
    // dpkg-query prints one line per known package; apt-cache policy tells what is installable.
    // LC_ALL=C: apt-cache translates "Candidate:" for an SSH session that forwards LANG.
    // List files may be compressed (*_Packages.lz4), and an update that finds nothing new
    // leaves their mtime alone: the success stamp (written by package.ts's refresh, and by
    // Ubuntu's apt hook) says when the last update ran.
    // apt-cache (it reads every list: ~30 ms) and the lists' age matter only when a package
    // is missing: with all of them installed (a rerun), both are skipped.
    command:
      sh`s=$(dpkg-query -W -f ${'${db:Status-Status} ${Package}\n'} ${sorted} 2>/dev/null); ` +
      sh`printf '%s\\n---\\n' "$s"; ` +
      `if [ "$(printf '%s\\n' "$s" | awk '$1 == "installed" { i[$2] } END { n = 0; ` +
      `for (k in i) n++; print n }')" -lt ${sorted.length} ]; then ` +
      sh`LC_ALL=C apt-cache policy ${sorted} 2>/dev/null | grep -E '^[^ ].*:$|Candidate:' ; echo ---; ` +
      sh`l=$(ls -t ${APT_UPDATE_STAMP} /var/lib/apt/lists/*_Packages* 2>/dev/null | head -n1); ` +
      `if [ -n "$l" ]; then echo $(( $(date +%s) - $(stat -c %Y "$l") )); else echo never; fi; else echo ---; fi`,
    parse: ({ stdout }) => {
      const [dpkg = '', policy = '', age = ''] = stdout.split('---\n')
      const installed = new Set<string>()
      for (const line of dpkg.split('\n')) {
        const [status, name] = line.split(' ')
        if (status === 'installed' && name) installed.add(name)
      }
      const available = new Set<string>()
      let current = ''
      for (const line of policy.split('\n')) {
        if (/^\S.*:$/.test(line)) current = line.slice(0, -1)
        else if (/Candidate:/.test(line) && !/\(none\)/.test(line) && current) available.add(current)
      }
      // Number('') is 0: an empty or garbled answer must read as "never", not "just now".
      const seconds = /^-?\d+$/.test(age.trim()) ? Math.max(0, Number(age.trim())) : Infinity
      return { installed, available, listsAge: seconds < 1e9 ? seconds : Infinity }
    },
  }
}
