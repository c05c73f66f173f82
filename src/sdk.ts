// Everything a role author imports, in one place: `import { defineRole, file, sh, z } from
// '../../src/sdk.ts'` in roles/<role>/index.ts (and in its verify.ts, facts.ts, ...).
// The engine, transport and CLI behind these are not part of it: a role that needs
// something not exported here is asking for a change to halab, not for a deeper import.

// Roles, tasks, facts
export { z } from 'zod'
export { defineRole, isConfigurationOnly, type KernelFeature, type Role, type RoleContext } from './engine/role.js'
export { definePlaybook, type Play, type Playbook } from './engine/playbook.js'
export { secret, type SecretKind } from './engine/secret.js'
export type { Change, Fact, FileDiff, Plan, Task } from './engine/types.js'
export type { HostContext } from './engine/host-context.js'
export { sh } from './transport/quote.js'

// The inventory, as roles see it
export type { Inventory, InventoryHost } from './inventory/types.js'
export { addressOf, inNetwork, interfacesOf, type InterfaceVar } from './inventory/addresses.js'

// Operations
export { block, type BlockSpec } from './ops/block.js'
export { command, type CommandSpec } from './ops/command.js'
export { daemonReload } from './ops/daemon-reload.js'
export { directory, type DirectorySpec } from './ops/directory.js'
export { cleanupOnExit, file, type FileSpec } from './ops/file.js'
export { line, type LineSpec } from './ops/line.js'
export { AccountName } from './ops/names.js'
export { mount, type MountSpec } from './ops/mount.js'
export { packages, type PackageSpec } from './ops/package.js'
export { requireKernel } from './ops/require-kernel.js'
export { daemonReloadHandler, requiresMounts, unitFile, type RequiresMountsSpec } from './ops/requires-mounts.js'
export { service, type ServiceSpec } from './ops/service.js'
export { sysctl, type SysctlSpec } from './ops/sysctl.js'
export { mountUnitName } from './ops/systemd-unit-name.js'
export { template, type TemplateSpec } from './ops/template.js'
export { user, type UserSpec } from './ops/user.js'

// Facts shared by several roles (a role's own probes live in roles/<role>/facts.ts)
export { packageStates } from './facts/apt.js'
export { blockDevice, type BlockDevice } from './facts/block.js'
export { commandSucceeds, directoryIsEmpty, fileContent, fileState, pathExists, type FileState } from './facts/files.js'
export { kernelFilesystems, kernelModule } from './facts/kernel.js'
export { fstabEntries, mountAt, mountContaining, mounts } from './facts/mounts.js'
export { networkInterfaces } from './facts/network.js'
export { probeFields } from './facts/probe-lines.js'
export { serviceState } from './facts/services.js'
export { sysctlValue } from './facts/sysctl.js'
export { initSystem, osRelease } from './facts/system.js'
export { passwdEntry } from './facts/users.js'

// Live checks (roles/<role>/verify.ts)
export { check, NotRun, waitFor, type CheckResult } from './verify/check.js'
export type { VerifyEnv } from './verify/env.js'
export { httpGet, httpRequest, servingNode } from './verify/http.js'
export { ipvsDestinations, spreadByWeight } from './verify/ipvs.js'
export { LOAD_CONCURRENCY, LoadReference, loadTable, runAb } from './verify/load.js'
export { defineVerify, type VerifySuite } from './verify/suite.js'
