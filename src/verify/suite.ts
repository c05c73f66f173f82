// A role's live checks: roles/<role>/verify.ts exports `defineVerify({ title, run })` by
// default. `run-playbook verify` runs the suite of every role of the site playbook that
// runs on some host of the inventory; the engine itself knows no role.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { importModule } from '../engine/precompiled.js'
import type { CheckResult } from './check.js'
import type { VerifyEnv } from './env.js'

export interface VerifySuite {
  /** The table's title: VERIFY <title>. */
  title: string
  run(env: VerifyEnv): Promise<CheckResult[]>
}

export function defineVerify(suite: VerifySuite): VerifySuite {
  return suite
}

/** The suite of roles/<role>/verify.ts, or undefined when the role has no live checks. */
export async function loadVerifySuite(projectRoot: string, role: string): Promise<VerifySuite | undefined> {
  const file = join(projectRoot, 'roles', role, 'verify.ts')
  if (!existsSync(file)) return undefined
  const mod = (await importModule(file, pathToFileURL(file).href)) as { default?: VerifySuite }
  if (!mod.default?.run) throw new Error(`roles/${role}/verify.ts must \`export default defineVerify({ title, run })\``)
  return mod.default
}
