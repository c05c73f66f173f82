// Debian packages: which are installed, and how old the apt lists are.
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface PackageStates {
  installed: Set<string>
  /** Packages apt knows (in the current lists): an unknown name is a typo or a missing update. */
  available: Set<string>
  /** Seconds since the apt lists were last refreshed; Infinity when never. */
  listsAge: number
}

export function packageStates(names: string[]): Fact<PackageStates> {
  const sorted = [...new Set(names)].sort()
  return {
    key: `apt:${sorted.join(',')}`,
    // dpkg-query prints one line per known package; apt-cache policy tells what is installable.
    command:
      sh`dpkg-query -W -f ${'${db:Status-Status} ${Package}\n'} ${sorted} 2>/dev/null; echo ---; ` +
      sh`apt-cache policy ${sorted} 2>/dev/null | grep -E '^[^ ].*:$|Candidate:' ; echo ---; ` +
      `l=$(ls -t /var/lib/apt/lists/*_Packages 2>/dev/null | head -n1); if [ -n "$l" ]; then echo $(( $(date +%s) - $(stat -c %Y "$l") )); else echo never; fi`,
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
      const seconds = Number(age.trim())
      return { installed, available, listsAge: Number.isFinite(seconds) && seconds < 1e9 ? seconds : Infinity }
    },
  }
}
