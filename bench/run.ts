// `npm run bench`: halab and ansible-playbook side by side on lab hosts (issue 7).
//
//   npm run bench                      everything: lab timings, workload A on 1/10/30 hosts, workload B
//   npm run bench -- --only a --hosts 1,10 --runs 7
//   npm run bench -- --smoke           one host, one run of each tool (the smoke test)
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
  closeMasters,
  ensureAnsible,
  parseRecap,
  writeAnsibleConfig,
  type AnsibleSetup,
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
import { renderTable, type LabFigures, type Results, type Sample, type Series, type Tool } from './lib/report.ts'
import { perHost, sshdCounts } from './lib/sshd-log.ts'
import { secretsFor, writeWorkloadAInventory } from './lib/inventory.ts'
import { DRUPAL10, realDrupalArchive, realDrupalMissing } from '../test/helpers/drupal-archive.ts'

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    hosts: { type: 'string', default: '1,10,30' },
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
const WITH_ANSIBLE = !opt['no-ansible']
const PROJECT = join(REPO, 'bench', 'project')

let ansible: AnsibleSetup | undefined
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
  const ansibleCore = WITH_ANSIBLE ? await ensureAnsible(log) : undefined
  const results: Results = {
    startedAt,
    machine: await describeMachine(ansibleCore),
    settings: [
      `${RUNS} timed run(s) per tool and series, alternated halab, Ansible, halab, …; each series starts with one untimed warm-up run of each tool`,
      'halab: node bin/run-playbook.js (the bundle in dist/, built before timing), plain output, forks = all hosts',
      'Ansible: pipelining, ControlPersist=600s (masters kept warm across runs), forks ≥ hosts, gathering explicit, interpreter_python set, strict host keys',
    ],
    series: [],
  }
  try {
    if (WITH_ANSIBLE) ansible = writeAnsibleConfig(join(work, 'ansible'), Math.max(5, ...SIZES))
    if (ONLY.has('lab')) results.lab = await labSection()
    if (ONLY.has('a')) results.series.push(...(await workloadA(work, results)))
    if (ONLY.has('b')) results.series.push(...(await workloadB(results)))
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

async function cleanup(): Promise<void> {
  if (ansible) await closeMasters(ansible).catch(() => {})
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
// Workload A: pyinfra's four tasks on 1, 10, 30 hosts, first run and no-op second run.

async function workloadA(work: string, results: Results): Promise<Series[]> {
  const max = SIZES[SIZES.length - 1]
  const inv = writeWorkloadAInventory(join(work, 'inventory-a'), max, opt.subnet!, SIZES)
  await ensureInotify(max)
  log(`workload A: lab up for ${max} host(s) on ${opt.subnet}.0/24`)
  labOurs = true
  await labUp(inv)
  const all = assertLabUpFor(inv).sort((a, b) => a.name.localeCompare(b.name))
  await prepareHosts(all, { pythonApt: false, log })
  results.machine.targetPython = (await onHost(all[0], 'python3 --version')).trim()
  const out: Series[] = []
  for (const n of SIZES) {
    const hosts = all.slice(0, n)
    const halab: RunSpec = { argv: halabArgv('workload-a', '-i', inv, '-l', `n${n}`), cwd: PROJECT }
    const ans: RunSpec | undefined = ansible && {
      argv: ['ansible-playbook', '-i', join(inv, 'hosts.yml'), '-l', `n${n}`, join(ANSIBLE_DIR, 'workload-a.yml')],
      cwd: REPO,
      env: ansibleEnv(ansible),
    }
    const reset = () =>
      pool(hosts, 16, (h) =>
        onHost(h, 'userdel -r halabbench >/dev/null 2>&1; rm -f /var/log/halabbench.log; true'),
      ).then(() => {})
    if (!opt.smoke)
      out.push(
        await series({
          id: `A${n}-1`,
          title: 'A first run',
          hosts,
          inventory: inv,
          halab,
          ansible: ans,
          before: reset,
          expectChanged: 4,
        }),
      )
    await reset()
    await tool('halab', halab, inv) // converge: the second-run series starts from the wanted state
    out.push(
      await series({
        id: `A${n}-2`,
        title: 'A second run (no-op)',
        hosts,
        inventory: inv,
        halab,
        ansible: ans,
        expectChanged: 0,
      }),
    )
  }
  if (ansible) await closeMasters(ansible)
  labOurs = false
  await labDown()
  return out
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

async function workloadB(results: Results): Promise<Series[]> {
  const out: Series[] = []
  for (const topo of ['2-node', '4-node']) {
    const inv = join(REPO, 'inventory', topo)
    const mirror = join(ANSIBLE_DIR, `site-${topo.replace('-', '')}.yml`)
    const hasMirror = existsSync(mirror)
    if (!existsSync(inv)) continue
    if (topo === '4-node' && !hasMirror)
      log(
        'workload B 4-node: no bench/ansible/site-4node.yml (the 4-node roles have no Ansible mirror yet): halab alone',
      )
    log(`workload B ${topo}: lab up`)
    const secrets = secretsFor(inv)
    labOurs = true
    await labUp(inv, secrets)
    const hosts = assertLabUpFor(inv).sort((a, b) => a.name.localeCompare(b.name))
    await prepareHosts(hosts, { pythonApt: true, log })
    results.machine.targetPython ??= (await onHost(hosts[0], 'python3 --version')).trim()
    // 4-node installs Drupal: the real archive the tests use (no Drupal download here); skipped without it.
    const drupal = topo === '4-node' && !realDrupalMissing() ? realDrupalArchive(DRUPAL10) : undefined
    const halab: RunSpec = { argv: halabArgv('site', '-i', inv, ...(drupal?.extraVars ?? [])), cwd: REPO, env: secrets }
    const overlay = join(inv, 'lab.yml')
    const ans: RunSpec | undefined =
      ansible && hasMirror
        ? {
            argv: [
              'ansible-playbook',
              '-i',
              join(inv, 'hosts.yml'),
              ...(existsSync(overlay) ? ['-e', `@${overlay}`] : []),
              mirror,
            ],
            cwd: REPO,
            env: { ...secrets, ...ansibleEnv(ansible) },
          }
        : undefined
    log(`workload B ${topo}: converging with halab (not timed)`)
    const converge = await tool('halab', halab, inv, 30 * 60_000)
    const s: Series = emptySeries(`B${topo[0]}`, `B ${topo} no-op`, hosts.length)
    if (converge.code !== 0)
      s.problems.push(
        `halab could not converge ${topo} (exit ${converge.code}): ${converge.stdout
          .split('\n')
          .filter((l) => /FAILED|failed:/.test(l))
          .slice(0, 3)
          .join(' | ')}`,
      )
    if (ans) {
      // The mirror's guard: right after halab, Ansible changes nothing; right after Ansible, halab changes nothing.
      const a = await tool('ansible', ans, inv)
      const h = await tool('halab', halab, inv)
      const changedA = sumChanged(a.stdout)
      const changedH = sumChanged(h.stdout)
      if (a.code !== 0 || changedA !== 0)
        s.problems.push(
          `Ansible right after halab: exit ${a.code}, changed=${changedA} (the mirror ${mirror} does not converge to halab's state)`,
        )
      if (h.code !== 0 || changedH !== 0)
        s.problems.push(`halab right after Ansible: exit ${h.code}, changed=${changedH}`)
      if (!s.problems.length)
        s.notes.push(
          'alternating halab and Ansible: both report changed=0 (byte-identical files, same modes, packages and services)',
        )
    }
    out.push(
      await series({ id: s.id, title: s.title, hosts, inventory: inv, halab, ansible: ans, expectChanged: 0, into: s }),
    )
    if (ansible) await closeMasters(ansible)
    labOurs = false
    await labDown()
    if (drupal) rmSync(dirname(drupal.path), { recursive: true, force: true })
  }
  return out
}

// ---------------------------------------------------------------------------------------
// One series: warm-up, then RUNS alternated timed runs per tool, then one untimed run per
// tool sampled for memory.

interface SeriesSpec {
  id: string
  title: string
  hosts: LabHost[]
  inventory: string
  halab: RunSpec
  ansible?: RunSpec
  /** Run before every run of either tool (not timed): e.g. undo workload A for a first run. */
  before?: () => Promise<void>
  /** Tasks changed per host that a correct run reports. */
  expectChanged: number
  into?: Series
}

function emptySeries(id: string, title: string, hosts: number): Series {
  return { id, title, hosts, runs: { halab: [], ansible: [] }, tree: {}, problems: [], notes: [] }
}

async function series(spec: SeriesSpec): Promise<Series> {
  const s = spec.into ?? emptySeries(spec.id, spec.title, spec.hosts.length)
  const tools: [Tool, RunSpec][] = [
    ['halab', spec.halab],
    ...(spec.ansible ? [['ansible', spec.ansible] as [Tool, RunSpec]] : []),
  ]
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
  const recap = parseRecap(m.stdout)
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

function sumChanged(stdout: string): number {
  return [...parseRecap(stdout).values()].reduce((a, x) => a + x.changed, 0)
}

process.exitCode = await main().catch(async (e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`)
  await cleanup()
  return 1
})
