import { readFileSync } from 'node:fs'
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const self = new Map()
for (let i = 0; i < p.samples.length; i++) {
  const n = byId.get(p.samples[i])
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\//, '')}:${n.callFrame.lineNumber}`
  self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0))
}
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((v / 1000).toFixed(1).padStart(8), k)
