// halab's rendered content for every file task, per host, into /tmp/render-halab/HOST/...
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { loadRunContext } from '../../src/cli/context.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { prepareRun, loadPlaybook } from '../../src/engine/prepare.ts'
const inv = process.argv[2]
const inventory = await loadInventory(inv, { extraVars: {}, overlayFile: `${inv}/lab.yml` })
const { playbook, file } = await loadPlaybook('/work/main', 'site')
const prepared = await prepareRun(inventory, playbook, file, { projectRoot: '/work/main' })
for (const p of prepared.plays) for (const [h, roles] of p.hosts) for (const r of roles) for (const t of r.tasks as any[]) {
  const m = /^(?:template|file) (\/.*)$/.exec(t.name)
  if (!m || t.rendered === undefined) continue
  const out = `/tmp/render-halab/${h}${m[1]}`
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, t.rendered)
}
console.log('ok')
