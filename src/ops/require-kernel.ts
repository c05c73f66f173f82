// A role's kernel requirements, checked before it changes anything: a missing module
// fails the role with what is missing where and what to do, unless the inventory marks
// the role as configuration only (a container lab), which the recap then says.
import { kernelModule } from '../facts/kernel.js'
import type { Task } from '../engine/types.js'

export function requireKernel(spec: { role: string; modules: string[]; configurationOnly: boolean }): Task {
  return {
    tags: ['kernel'],
    name: `kernel has ${spec.modules.join(', ')}`,
    facts: () => spec.modules.map((m) => kernelModule(m)),
    async plan(host) {
      const missing: string[] = []
      for (const m of spec.modules) if (!(await host.fact(kernelModule(m))).available) missing.push(m)
      if (spec.configurationOnly)
        return {
          changes: [],
          noop: 'configuration only',
          notes: [
            `${spec.role}: configuration ` +
              `only${missing.length ? ` (kernel lacks ${missing.join(', ')})` : ''} — not brought up`,
          ],
        }
      if (missing.length)
        throw new Error(
          `${spec.role} needs the kernel module${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, ` +
            `which ${host.name}'s kernel does not have (checked /proc/modules and modprobe -n). ` +
            `Nothing was changed. Install a kernel with ${missing.join(', ')} (e.g. ` +
            `drbd-dkms / linux-image), use a real-kernel lab (lab up --kernel uml), ` +
            `or mark the role configuration only for this host: configuration_only: [${spec.role}]`,
        )
      return { changes: [], noop: `${spec.modules.join(', ')} available` }
    },
  }
}
