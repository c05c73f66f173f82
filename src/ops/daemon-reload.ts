// systemd reads unit files and drop-ins it has loaded again only on daemon-reload: run it
// when one of the given units says it needs one (NeedDaemonReload), and only then.
import { command } from './command.js'
import { sh } from '../transport/quote.js'
import type { Task } from '../engine/types.js'

export function daemonReload(units: string[]): Task {
  const fresh = units.map((u) => sh`test "$(systemctl show -p NeedDaemonReload --value ${u})" = no`).join(' && ')
  const task = command({ name: `systemd reads ${units.join(', ')}`, command: 'systemctl daemon-reload', unless: fresh })
  return { ...task, tags: ['service'] }
}
