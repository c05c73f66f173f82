// The lab's user-mode-linux kernels as processes on this machine: found by the uml_dir
// each one gets under the lab's hosts directory, so `lab down` finds them also after a
// crash, without state.json.
import { readFileSync } from 'node:fs'
import { HOSTS_DIR } from '../paths.js'
import { listProcesses } from '../processes.js'

/**
 * The lab's UML kernels, found by their uml_dir under the lab's hosts directory (also
 * after a crash). A UML kernel forks helper processes with its own command line: only
 * the main ones are listed (SIGTERM there halts the guest and kills its helpers).
 */
export function labUmlPids(): number[] {
  const procs = labUmlProcesses()
  const ours = new Set(procs)
  return procs.filter((pid) => !ours.has(parentOf(pid)))
}

/** Every process of the lab's UML kernels (or of one host's), helpers included. */
export function labUmlProcesses(host?: string): number[] {
  const prefix = `uml_dir=${HOSTS_DIR}/${host ? `${host}/` : ''}`
  return listProcesses()
    .filter((p) => p.argv.some((a) => a.startsWith(prefix)))
    .map((p) => p.pid)
}

function parentOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
  } catch {
    return 0
  }
}
