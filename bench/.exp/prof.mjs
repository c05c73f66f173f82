import { readFileSync } from 'node:fs'
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const self = new Map()
const dt = p.timeDeltas
for (let i = 0; i < p.samples.length; i++) {
  const n = byId.get(p.samples[i])
  const url = n.callFrame.url || `(${n.callFrame.functionName || 'native'})`
  const key = url.replace(/.*node_modules\/(@[^/]+\/[^/]+|[^/]+).*/, 'pkg:$1').replace(/.*\/work\/main\//, '')
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0))
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
console.log('total ms', (total / 1000).toFixed(0))
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 25))) console.log((v / 1000).toFixed(1).padStart(8), k)
