// `npm run bench`: halab beside ansible-playbook, Ansible with Mitogen and pyinfra, alternated
// on the same lab hosts in the same run.
//
//   npm run bench                      everything: lab timings, workload A on 1/10/30/100 hosts, workload B
//   npm run bench -- --only a --hosts 1,10 --runs 7
//   npm run bench -- --tools halab,pyinfra
//   npm run bench -- --smoke           one host, one run of halab and Ansible (the smoke test)
//
// Needs root (it brings labs up and down) and a machine where no lab is up. Prints the
// table (docs/bench.md explains every figure) and writes the results as JSON under
// bench/results/. See docs/bench.md for what is measured and how.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  ANSIBLE_DIR,
  ansibleEnv,
  type AnsibleOptions,
  closeMasters,
  ensureAnsible,
  parseRecap,
  writeAnsibleConfig,
  type AnsibleSetup,
  type RecapLine,
} from './lib/ansible.ts'
import {
  BASE_MARKER,
  BASE_ROOTFS,
  REPO,
  assertLabUpFor,
  halabArgv,
  labDown,
  labState,
  labUp,
  onHost,
  pool,
  prepareHosts,
  type LabHost,
} from './lib/lab.ts'
import { describeMachine } from './lib/machine.ts'
import { measure, measureTree, must, run, type RunSpec } from './lib/proc.ts'
import { renderTable, TOOLS, type LabFigures, type Results, type Sample, type Series, type Tool } from './lib/report.ts'
import { perHost, sshdCounts } from './lib/sshd-log.ts'
import { benchHostName, secretsFor, writeWorkloadAInventory } from './lib/inventory.ts'
import {
  MITOGEN_STRATEGY,
  PYINFRA_DEPLOYS,
  ensurePeers,
  labPyinfraHost,
  parsePyinfraOutput,
  pyinfraRun,
  writePyinfraInventory,
} from './lib/peers.ts'
import { SITE_2NODE, siteManifest } from './lib/site-manifest.ts'
import { DRUPAL10, realDrupalArchive, realDrupalMissing } from '../test/helpers/drupal-archive.ts'

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    hosts: { type: 'string', default: '1,10,30,100' },
    tools: { type: 'string' },
    only: { type: 'string', default: 'lab,a,b' },
    smoke: { type: 'boolean', default: false },
    'no-ansible': { type: 'boolean', default: false },
    'no-tree': { type: 'boolean', default: false },
    subnet: { type: 'string', default: '10.251.0' },
    json: { type: 'string' },
  },
})

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const RUNS = opt.smoke ? 1 : Math.max(1, Number(opt.runs))
const SIZES = opt.smoke
  ? [1]
  : opt
      .hosts!.split(',')
      .map(Number)
      .filter((n) => n > 0)
      .sort((a, b) => a - b)
const ONLY = new Set(opt.smoke ? ['a'] : opt.only!.split(','))
const WANTED = wantedTools()
const PROJECT = join(REPO, 'bench', 'project')

let ansible: AnsibleSetup | undefined
let mitogen: AnsibleSetup | undefined
let labOurs = false
let inotifyRestore: string | undefined

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('the benchmark brings labs up and down: run it as root (sudo npm run bench)\n')
    return 1
  }
  const other = labState()
  if (other) {
    process.stderr.write(
      `a lab is up (or was left) for ${other.inventoryDir}: the benchmark needs the lab to itself. Run \`run-playbook lab down\` when it is free.\n`,
    )
    return 1
  }
  const work = mkdtempSync(join(tmpdir(), 'halab-bench-'))
  const startedAt = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
  if (!existsSync('/usr/bin/time')) {
    log('installing GNU time (peak RSS of every run) with apt-get')
    await must({
      argv: ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'time'],
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 10 * 60_000,
    })
  }
  const ansibleCore = WANTED.has('ansible') || WANTED.has('mitogen') ? await ensureAnsible(log) : undefined
  const peers = WANTED.has('mitogen') || WANTED.has('pyinfra') ? await ensurePeers(log) : undefined
  const results: Results = {
    startedAt,
    machine: { ...(await describeMachine(ansibleCore)), peers },
    settings: settings(),
    series: [],
  }
  try {
    const forks = Math.max(5, ...SIZES)
    const config = (name: string, o?: AnsibleOptions) => writeAnsibleConfig(join(work, name), forks, o)
    if (WANTED.has('ansible')) ansible = config('ansible')
    if (WANTED.has('mitogen')) mitogen = config('mitogen', { mitogenStrategy: MITOGEN_STRATEGY })
    if (ONLY.has('lab')) results.lab = await labSection()
    if (ONLY.has('a')) results.series.push(...(await workloadA(work, results)))
    if (ONLY.has('b')) results.series.push(...(await workloadB(work, results)))
  } finally {
    await cleanup()
    rmSync(work, { recursive: true, force: true })
  }
  const table = renderTable(results)
  process.stdout.write(table + '\n')
  const file =
    opt.json ??
    join(
      REPO,
      'bench',
      'results',
      `bench-${startedAt.replace(/[ :]/g, '-').replace(/-UTC$/, '')}${opt.smoke ? '-smoke' : ''}.json`,
    )
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, JSON.stringify({ ...results, table }, null, 1) + '\n')
  log(`results: ${file}`)
  return results.series.some((s) => s.problems.length) ? 2 : 0
}

/** --tools (halab always runs: every ratio is to halab); --no-ansible drops Ansible and Mitogen. */
function wantedTools(): Set<Tool> {
  const asked = (opt.tools ?? (opt.smoke ? 'halab,ansible' : TOOLS.join(','))).split(',').filter(Boolean)
  const unknown = asked.filter((t) => !TOOLS.includes(t as Tool))
  if (unknown.length) {
    process.stderr.write(`--tools: unknown ${unknown.join(', ')} (known: ${TOOLS.join(', ')})\n`)
    process.exit(1)
  }
  const out = new Set<Tool>(['halab', ...(asked as Tool[])])
  if (opt['no-ansible']) (out.delete('ansible'), out.delete('mitogen'))
  return out
}

function settings(): string[] {
  const order = TOOLS.filter((t) => WANTED.has(t)).join(', ')
  return [
    `${RUNS} timed run(s) per tool and series, alternated ${order}, …; ` +
      'each series starts with one untimed warm-up run of each tool',
    'halab: node bin/run-playbook.js (the bundle in dist/, built before timing), plain output, forks = all hosts',
    ...(WANTED.has('ansible')
      ? [
          'Ansible: pipelining, ControlPersist=600s (masters kept warm across runs), forks ≥ hosts, gathering explicit, interpreter_python set, strict host keys',
        ]
      : []),
    ...(WANTED.has('mitogen')
      ? [
          'Ansible+Mitogen: the same ansible.cfg plus strategy = mitogen_linear (one connection per host), ' +
            'timeout = 30, MITOGEN_POOL_SIZE = forks',
        ]
      : []),
    ...(WANTED.has('pyinfra')
      ? [
          'pyinfra: -y (no separate change-detection pass), --no-wait, --parallel = hosts, strict host keys; ' +
            'B from a per-host manifest of the files halab wrote',
        ]
      : []),
  ]
}

async function cleanup(): Promise<void> {
  for (const setup of [ansible, mitogen]) if (setup) await closeMasters(setup).catch(() => {})
  if (labOurs) await labDown().catch((e) => log(`lab down failed: ${(e as Error).message}`))
  labOurs = false
  if (inotifyRestore) await run({ argv: ['sysctl', '-q', '-w', `fs.inotify.max_user_instances=${inotifyRestore}`] })
  inotifyRestore = undefined
}

for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    log(`${sig}: taking the lab down`)
    void cleanup().finally(() => process.exit(130))
  })

// ---------------------------------------------------------------------------------------
// The lab itself: base image, lab up / lab down for the 4-node inventory.

async function labSection(): Promise<LabFigures> {
  const inv = join(REPO, 'inventory', '4-node')
  const cached = existsSync(BASE_MARKER)
  const figures: LabFigures = { topology: '4-node', baseImage: '', up: [], upInside: [], down: [], downInside: [] }
  const cycles = opt.smoke ? 1 : 3
  for (let i = 0; i < cycles; i++) {
    labOurs = true
    const up = await labUp(inv, secretsFor(inv))
    const down = await labDown()
    labOurs = false
    if (i === 0 && !cached) {
      figures.baseImage = `built by the first lab up: ${(up.commandMs / 1000).toFixed(0)} s including that lab up (${await du(BASE_ROOTFS)})`
      continue
    }
    figures.up.push(up.commandMs)
    figures.upInside.push(up.insideMs ?? NaN)
    figures.down.push(down.commandMs)
    figures.downInside.push(down.insideMs ?? NaN)
  }
  if (cached)
    figures.baseImage = `cached (built ${statSync(BASE_MARKER).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${await du(BASE_ROOTFS)}); delete /var/cache/halab/base to time a build (about a minute)`
  log(
    `lab: up ${figures.up.map((x) => (x / 1000).toFixed(1)).join(', ')} s; down ${figures.down.map((x) => (x / 1000).toFixed(1)).join(', ')} s`,
  )
  return figures
}

async function du(path: string): Promise<string> {
  const r = await run({ argv: ['du', '-sh', path] })
  return r.code === 0 ? r.stdout.split('\t')[0] : '?'
}

// ---------------------------------------------------------------------------------------
// Workload A: pyinfra's four tasks on 1, 10, 30, 100 hosts, first run and no-op second run.

async function workloadA(work: string, results: Results): Promise<Series[]> {
  const max = SIZES[SIZES.length - 1]
  const inv = writeWorkloadAInventory(join(work, 'inventory-a'), max, opt.subnet!, SIZES)
  await ensureInotify(max)
  log(`workload A: lab up for ${max} host(s) on ${opt.subnet}.0/24`)
  labOurs = true
  await labUp(inv)
  const byName = new Map(assertLabUpFor(inv).map((h) => [h.name, h]))
  // The inventory's order (bench01, bench02, …, bench100): group nN is its first N hosts.
  const all = Array.from({ length: max }, (_, i) => byName.get(benchHostName(i + 1, max))!)
  await prepareHosts(all, { pythonApt: false, log })
  results.machine.targetPython = (await onHost(all[0], 'python3 --version')).trim()
  const groups = Object.fromEntries(SIZES.map((n) => [`n${n}`, all.slice(0, n).map((h) => h.name)]))
  const pyInv = WANTED.has('pyinfra')
    ? writePyinfraInventory(
        join(inv, 'inventory.py'),
        all.map((h) => labPyinfraHost(h)),
        groups,
      )
    : undefined
  const out: Series[] = []
  for (const n of SIZES) {
    const hosts = all.slice(0, n)
    const playbook = ['-i', join(inv, 'hosts.yml'), '-l', `n${n}`, join(ANSIBLE_DIR, 'workload-a.yml')]
    const runs: ToolRuns = {
      halab: { argv: halabArgv('workload-a', '-i', inv, '-l', `n${n}`), cwd: PROJECT },
      ...ansibleRuns(playbook),
      ...(pyInv && { pyinfra: pyinfraRun(pyInv, join(PYINFRA_DEPLOYS, 'workload_a.py'), `n${n}`, n) }),
    }
    const reset = () =>
      pool(hosts, 16, (h) =>
        onHost(h, 'userdel -r halabbench >/dev/null 2>&1; rm -f /var/log/halabbench.log; true'),
      ).then(() => {})
    const base = { hosts, inventory: inv, runs }
    if (!opt.smoke)
      out.push(await series({ ...base, id: `A${n}-1`, title: 'A first run', before: reset, expectChanged: 4 }))
    await reset()
    await tool('halab', runs.halab, inv) // converge: the second-run series starts from the wanted state
    out.push(await series({ ...base, id: `A${n}-2`, title: 'A second run (no-op)', expectChanged: 0 }))
  }
  await closeAllMasters()
  labOurs = false
  await labDown()
  return out
}

type ToolRuns = Partial<Record<Tool, RunSpec>> & { halab: RunSpec }

/** ansible-playbook with `args`, plain and with Mitogen, for the tools wanted. */
function ansibleRuns(args: string[], env: Record<string, string> = {}): Partial<Record<Tool, RunSpec>> {
  const spec = (setup: AnsibleSetup): RunSpec => ({
    argv: ['ansible-playbook', ...args],
    cwd: REPO,
    env: { ...env, ...ansibleEnv(setup) },
  })
  return { ...(ansible && { ansible: spec(ansible) }), ...(mitogen && { mitogen: spec(mitogen) }) }
}

async function closeAllMasters(): Promise<void> {
  for (const setup of [ansible, mitogen]) if (setup) await closeMasters(setup)
}

/** 30 systemd hosts need more inotify instances than Linux's default 128 per user. */
async function ensureInotify(hosts: number): Promise<void> {
  const current = readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim()
  const wanted = 128 + hosts * 16
  if (Number(current) >= wanted) return
  log(`raising fs.inotify.max_user_instances ${current} → ${wanted} for ${hosts} systemd hosts (restored at the end)`)
  await must({ argv: ['sysctl', '-q', '-w', `fs.inotify.max_user_instances=${wanted}`] })
  inotifyRestore = current
}

// ---------------------------------------------------------------------------------------
// Workload B: the no-op rerun of the site playbook on the 2-node (and 4-node) clusters.

async function workloadB(work: string, results: Results): Promise<Series[]> {
  const out: Series[] = []
  for (const topo of ['2-node', '4-node']) {
    const inv = join(REPO, 'inventory', topo)
    const mirror = join(ANSIBLE_DIR, `site-${topo.replace('-', '')}.yml`)
    const hasMirror = existsSync(mirror)
    if (!existsSync(inv)) continue
    if (topo === '4-node' && !hasMirror)
      log('workload B 4-node: no bench/ansible/site-4node.yml (no Ansible mirror of the 4-node roles): no Ansible')
    log(`workload B ${topo}: lab up`)
    const secrets = secretsFor(inv)
    labOurs = true
    await labUp(inv, secrets)
    const hosts = assertLabUpFor(inv).sort((a, b) => a.name.localeCompare(b.name))
    await prepareHosts(hosts, { pythonApt: true, log })
    results.machine.targetPython ??= (await onHost(hosts[0], 'python3 --version')).trim()
    // 4-node installs Drupal: the real archive the tests use (no Drupal download here); skipped without it.
    const drupal = topo === '4-node' && !realDrupalMissing() ? realDrupalArchive(DRUPAL10) : undefined
    const overlay = join(inv, 'lab.yml')
    const playbook = ['-i', join(inv, 'hosts.yml'), ...(existsSync(overlay) ? ['-e', `@${overlay}`] : []), mirror]
    const runs: ToolRuns = {
      halab: { argv: halabArgv('site', '-i', inv, ...(drupal?.extraVars ?? [])), cwd: REPO, env: secrets },
      ...(hasMirror ? ansibleRuns(playbook, secrets) : {}),
    }
    log(`workload B ${topo}: converging with halab (not timed)`)
    const converge = await tool('halab', runs.halab, inv, 30 * 60_000)
    const s: Series = emptySeries(`B${topo[0]}`, `B ${topo} no-op`, hosts.length)
    if (converge.code !== 0)
      s.problems.push(`halab could not converge ${topo} (exit ${converge.code}): ${failedLines(converge.stdout)}`)
    const manifests = join(work, `site-${topo}`)
    if (topo === '2-node' && WANTED.has('pyinfra') && converge.code === 0)
      try {
        runs.pyinfra = pyinfraSite(hosts, manifests)
      } catch (e) {
        s.problems.push(`pyinfra left out: ${(e as Error).message}`)
      }
    if (topo === '4-node' && WANTED.has('pyinfra')) log('workload B 4-node: no pyinfra mirror of the 4-node site')
    await mirrorGuard(s, runs, inv)
    const base = { id: s.id, title: s.title, hosts, inventory: inv, runs, expectChanged: 0, into: s }
    out.push(await series(base))
    await closeAllMasters()
    labOurs = false
    await labDown()
    rmSync(manifests, { recursive: true, force: true })
  }
  return out
}

function failedLines(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => /FAILED|failed:/.test(l))
    .slice(0, 3)
    .join(' | ')
}

/** pyinfra's run of the 2-node site: each host's manifest (files as halab wrote them) in its inventory. */
function pyinfraSite(hosts: LabHost[], dir: string): RunSpec {
  const pyHosts = hosts.map((h) => labPyinfraHost(h, { site: siteManifest(h, SITE_2NODE, dir) }))
  const inventory = writePyinfraInventory(join(dir, 'inventory.py'), pyHosts, { bench: hosts.map((h) => h.name) })
  return pyinfraRun(inventory, join(PYINFRA_DEPLOYS, 'site_2node.py'), 'bench', hosts.length)
}

/** Each peer's mirror converges to halab's state: right after halab it changes nothing, nor halab after it. */
async function mirrorGuard(s: Series, runs: ToolRuns, inv: string): Promise<void> {
  const peers = TOOLS.filter((t) => t !== 'halab' && runs[t])
  for (const t of peers) {
    const p = await tool(t, runs[t]!, inv)
    const h = await tool('halab', runs.halab, inv)
    const [changedP, changedH] = [sumChanged(t, p), sumChanged('halab', h)]
    if (p.code !== 0 || changedP !== 0)
      s.problems.push(
        `${t} right after halab: exit ${p.code}, changed=${changedP} (its mirror does not converge to halab's state)`,
      )
    if (h.code !== 0 || changedH !== 0) s.problems.push(`halab right after ${t}: exit ${h.code}, changed=${changedH}`)
  }
  if (peers.length && !s.problems.length)
    s.notes.push(
      `alternating halab and ${peers.join(', ')}: all report changed=0 (same files, modes, packages and services)`,
    )
}

// ---------------------------------------------------------------------------------------
// One series: warm-up, then RUNS alternated timed runs per tool, then one untimed run per
// tool sampled for memory.

interface SeriesSpec {
  id: string
  title: string
  hosts: LabHost[]
  inventory: string
  runs: ToolRuns
  /** Run before every run of any tool (not timed): e.g. undo workload A for a first run. */
  before?: () => Promise<void>
  /** Tasks changed per host that a correct run reports. */
  expectChanged: number
  into?: Series
}

function emptySeries(id: string, title: string, hosts: number): Series {
  const runs = Object.fromEntries(TOOLS.map((t) => [t, []])) as unknown as Record<Tool, Sample[]>
  return { id, title, hosts, runs, tree: {}, problems: [], notes: [] }
}

async function series(spec: SeriesSpec): Promise<Series> {
  const s = spec.into ?? emptySeries(spec.id, spec.title, spec.hosts.length)
  const tools = TOOLS.filter((t) => spec.runs[t]).map((t) => [t, spec.runs[t]!] as [Tool, RunSpec])
  log(`${s.id} ${s.title}, ${spec.hosts.length} host(s): warm-up`)
  for (const [t, r] of tools) {
    await spec.before?.()
    await tool(t, r, spec.inventory)
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [t, r] of tools) {
      await spec.before?.()
      const sample = await timed(t, r, spec, s)
      s.runs[t].push(sample)
      log(
        `${s.id} ${t} #${i + 1}: ${(sample.ms / 1000).toFixed(2)} s, ${(sample.maxRssKb / 1024).toFixed(0)} MB, ${sample.connections} conn/host, ${sample.sessions} sessions/host, changed=${sample.changed}`,
      )
    }
  }
  if (!opt['no-tree'])
    for (const [t, r] of tools) {
      await spec.before?.()
      await freshBundle(t, r)
      assertLabUpFor(spec.inventory)
      s.tree[t] = await measureTree(r)
    }
  return s
}

async function timed(t: Tool, r: RunSpec, spec: SeriesSpec, s: Series): Promise<Sample> {
  await freshBundle(t, r)
  assertLabUpFor(spec.inventory)
  await sleep(300) // what `before` logged on the hosts reaches their journals first
  const from = Date.now()
  const m = await measure({ ...r, timeoutMs: 30 * 60_000 })
  const to = Date.now()
  await sleep(300)
  const c = perHost(await sshdCounts(spec.hosts, from, to))
  const recap = recapOf(t, m)
  const changed = [...recap.values()].reduce((a, x) => a + x.changed, 0)
  const expected = spec.expectChanged * spec.hosts.length
  if (m.code !== 0)
    s.problems.push(`${t} exited with ${m.code}: ${(m.stdout + m.stderr).trim().split('\n').slice(-4).join(' | ')}`)
  else if (recap.size !== spec.hosts.length || changed !== expected)
    s.problems.push(
      `${t} reported changed=${changed} on ${recap.size} host(s); expected ${expected} on ${spec.hosts.length}`,
    )
  return { ms: m.ms, maxRssKb: m.maxRssKb, ...c, changed, code: m.code }
}

/** An untimed run (warm-up, converge, mirror check). */
async function tool(t: Tool, r: RunSpec, inventory: string, timeoutMs = 30 * 60_000) {
  await freshBundle(t, r)
  assertLabUpFor(inventory)
  return run({ ...r, timeoutMs })
}

/** halab's bundle is rebuilt when a source changed: do that outside the timed run. */
async function freshBundle(t: Tool, r: RunSpec): Promise<void> {
  if (t !== 'halab') return
  await must({ argv: [process.execPath, join(REPO, 'bin', 'bundle.js'), '--if-stale', r.cwd ?? REPO] })
}

/** Per host ok/changed/failed: the recap halab and Ansible print, or pyinfra's per-operation lines (its log, on stderr). */
function recapOf(t: Tool, out: { stdout: string; stderr: string }): Map<string, RecapLine> {
  return t === 'pyinfra' ? parsePyinfraOutput(out.stdout + out.stderr) : parseRecap(out.stdout)
}

function sumChanged(t: Tool, out: { stdout: string; stderr: string }): number {
  return [...recapOf(t, out).values()].reduce((a, x) => a + x.changed, 0)
}

process.exitCode = await main().catch(async (e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`)
  await cleanup()
  return 1
})
