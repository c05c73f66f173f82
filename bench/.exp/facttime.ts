import { loadRunContext } from '../../src/cli/context.ts'
import { HostContext } from '../../src/engine/host-context.ts'
const ctx = await loadRunContext('site', { inventory: process.argv[2] })
const name = process.argv[3]
const t = await ctx.connect(name)
const host = new HostContext(ctx.inventory.hosts.get(name)!, t, { check: false, diff: false }, ctx.inventory.hosts)
const facts = ctx.prepared.plays.flatMap((p) => (p.hosts.get(name) ?? []).flatMap((r) => r.tasks.flatMap((tk) => tk.facts?.(host) ?? [])))
const uniq = [...new Map(facts.map((f) => [f.key, f])).values()]
const rows: [number, string][] = []
for (const f of uniq) {
  let best = Infinity
  for (let i = 0; i < 3; i++) { const s = performance.now(); await t.exec(f.command); best = Math.min(best, performance.now() - s) }
  rows.push([best, f.key])
}
const s = performance.now(); await t.execBatch(uniq.map((f) => ({ command: f.command }))); const batch = performance.now() - s
const s2 = performance.now(); await t.execBatch(uniq.map(() => ({ command: 'true' }))); const empty = performance.now() - s2
rows.sort((a, b) => b[0] - a[0]).forEach(([ms, k]) => console.log(ms.toFixed(1).padStart(7), k))
console.log(`${uniq.length} facts; batch ${batch.toFixed(1)} ms; same number of 'true' ${empty.toFixed(1)} ms; sum of singles ${rows.reduce((a, r) => a + r[0], 0).toFixed(1)}`)
await t.close()
