// The local lab's public surface: the CLI registers the commands; the runner asks for
// the lab's ssh key and known_hosts; tests and scripts drive up/down directly.
export { registerLabCommands, resolveInventory } from './commands.js'
export { labConnectionFor, readState, type LabState, type HostState } from './state.js'
export { labUp, type LabUpOptions, type LabUpResult } from './up.js'
export { teardown, findLeftovers, type TeardownReport } from './down.js'
export { labStatus, type LabStatus } from './status.js'
export { kernelFeatures, labPrerequisites, renderDoctor, type FeatureReport } from './doctor.js'
export { runOnHost, findHost, sshArgs } from './ssh.js'
export { topologyFromInventory, type LabTopology } from './topology.js'
export { LabError } from './errors.js'
