// The lab's one error class: something on this machine stopped `run-playbook lab` (not root,
// a route overlaps, a host did not boot). The hint says what to do next.
import { HalabError } from '../errors.js'

export class LabError extends HalabError {
  readonly code = 'LAB'
}

/** `lab exec`: the host's command failed; `exitCode` is its own code, for the CLI to pass on. */
export class RemoteExitError extends LabError {
  constructor(
    readonly host: string,
    readonly exitCode: number,
  ) {
    super(`${host}: the command exited with code ${exitCode}`)
  }
}
