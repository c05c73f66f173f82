// The table `lab up` and `lab status` print: host, interfaces, addresses, state, and how
// to reach it; then the bridges (the controller's side) and the apt proxy.
import { KEY_PATH, KNOWN_HOSTS_PATH, hostPaths } from './paths.js'
import type { LabState } from './state.js'

export function renderLab(state: LabState, liveStatus?: Map<string, string>): string {
  const rows: string[][] = [['HOST', 'INTERFACE', 'ADDRESS', 'STATE', 'REACH']]
  for (const h of state.hosts)
    h.interfaces.forEach((i, n) =>
      rows.push([
        n ? '' : h.name,
        i.name,
        `${i.address}/${i.prefix}`,
        n ? '' : (liveStatus?.get(h.name) ?? h.status),
        n ? '' : `run-playbook lab ssh ${h.name}  |  ssh -i ${KEY_PATH} root@${h.sshAddress}`,
      ]),
    )
  const out = [table(rows), '']
  out.push(
    `bridges (this machine's side): ${state.bridges.map((b) => `${b.name} ${b.address}/${b.prefix}`).join(', ')}`,
  )
  if (state.aptProxy)
    out.push(
      `apt inside hosts goes through apt-cacher-ng ` +
        `on ${state.aptProxy.addresses.map((a) => `${a}:${state.aptProxy!.port}`).join(', ')}`,
    )
  for (const h of state.hosts) {
    if (h.kernel === 'uml')
      out.push(
        `${h.name}: user-mode-linux guest (its own ` +
          `kernel)${h.bootSeconds ? `, ssh ${h.bootSeconds.toFixed(1)} s after start` : ''}, ` +
          `console ${hostPaths(h.name).console}`,
      )
    if (h.disks.length && !h.diskProblem)
      out.push(`${h.name}: disks ${h.disks.map((d) => `${d.name} (${d.size}, ${d.loop ?? d.ubd})`).join(', ')}`)
    if (h.diskProblem) out.push(`${h.name}: lab_disks NOT provided: ${h.diskProblem}`)
  }
  out.push(`known_hosts for these hosts: ${KNOWN_HOSTS_PATH} (the runner uses it for this inventory)`)
  out.push(`inventory: ${state.inventoryDir}`)
  return out.join('\n')
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
