import { loadRunContext } from '../../src/cli/context.ts'
const ctx = await loadRunContext('site', { inventory: process.argv[2] })
for (const p of ctx.prepared.plays) for (const [h, roles] of p.hosts) for (const r of roles) console.log(p.name, '|', h, '|', r.role, '|', r.tasks.map((t) => t.name).join(' ; '))
