// The documentation stays inside the repository: every relative link in README.md and
// docs/ resolves to a file here, none goes through ../shared or to an issue, and web links
// only go to well-known upstream projects. Each topology has a guide in Spanish and in
// English with its picture and its build command, and the pictures are what `graph` draws now.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { renderGraph, topologyGraph } from '../../src/cli/graph-command.ts'

const root = join(import.meta.dirname, '../..')
const UPSTREAM = ['github.com']
const TOPOLOGIES = readdirSync(join(root, 'inventory')).sort()

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  )
}

test('every link in README.md and docs/ stays in the repository and resolves', () => {
  const problems: string[] = []
  for (const file of [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))]) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '')
    const where = relative(root, file)
    if (/\.\.\/shared|TOPOLOGIES\.md|issues? (show )?#?\d+/i.test(text))
      problems.push(`${where}: points outside the repository`)
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:/.test(target)) {
        if (!UPSTREAM.includes(new URL(target).hostname)) problems.push(`${where}: ${target} leaves the repository`)
        continue
      }
      const path = resolve(dirname(file), decodeURI(target.split('#')[0]))
      if (!path.startsWith(root + '/') || !existsSync(path)) problems.push(`${where}: ${target} does not resolve`)
    }
  }
  assert.deepEqual(problems, [])
})

test('each topology has a guide in Spanish and in English, with its picture and its command', () => {
  for (const t of TOPOLOGIES)
    for (const lang of ['es', 'en']) {
      const guide = readFileSync(join(root, 'docs/topologies', lang, `${t}.md`), 'utf8')
      assert.ok(guide.includes(`](../img/${t}.svg)`), `${lang}/${t}.md shows its picture`)
      assert.ok(guide.includes(`npm run lab:site -- ${t}`), `${lang}/${t}.md builds it`)
      assert.ok(guide.includes(`run-playbook graph -i inventory/${t}`), `${lang}/${t}.md draws it`)
      assert.match(guide, /run-playbook lab stop \S+/, `${lang}/${t}.md stops a host`)
      assert.match(guide, /run-playbook lab ssh \S+/, `${lang}/${t}.md logs in to one`)
    }
})

test('the guides only name hosts of their inventory in lab stop/ssh/start', async () => {
  for (const t of TOPOLOGIES) {
    const hosts = new Set((await topologyGraph(join(root, 'inventory', t))).hosts.map((h) => h.name))
    for (const lang of ['es', 'en']) {
      const guide = readFileSync(join(root, 'docs/topologies', lang, `${t}.md`), 'utf8')
      for (const [, host] of guide.matchAll(/run-playbook lab (?:stop|ssh|start) ([\w.-]+)/g))
        assert.ok(hosts.has(host), `${lang}/${t}.md: ${host} is a host of inventory/${t}`)
    }
  }
})

test('the committed pictures are what run-playbook graph draws now (npm run docs:topologies)', async () => {
  for (const t of TOPOLOGIES) {
    const svg = await renderGraph(await topologyGraph(join(root, 'inventory', t)), 'svg')
    assert.equal(readFileSync(join(root, 'docs/topologies/img', `${t}.svg`), 'utf8'), svg, `img/${t}.svg`)
  }
})
