// The benchmark's pure parts: the cost per added host (least squares over the host
// counts), the ratio of every peer to halab, pyinfra's output read as a recap, the pyinfra
// inventory the bench writes (loaded by Python itself), and the 2-node manifest's owners.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { benchHostName } from '../../bench/lib/inventory.ts'
import { parsePyinfraOutput, pyinfraInventory } from '../../bench/lib/peers.ts'
import {
  leastSquares,
  ratio,
  renderTable,
  slopes,
  type Results,
  type Sample,
  type Series,
  type Tool,
} from '../../bench/lib/report.ts'
import { idNames, siteManifest } from '../../bench/lib/site-manifest.ts'

const sample = (ms: number): Sample => ({
  ms,
  maxRssKb: 60_000,
  connections: 1,
  sessions: 1,
  maxConnections: 1,
  maxSessions: 1,
  changed: 0,
  code: 0,
})

/** A series where each tool took `ms[tool]` in every run (3 runs). */
function series(id: string, hosts: number, ms: Partial<Record<Tool, number>>): Series {
  const runs = { halab: [], ansible: [], mitogen: [], pyinfra: [] } as Record<Tool, Sample[]>
  for (const [t, x] of Object.entries(ms) as [Tool, number][]) runs[t] = [x, x * 1.1, x * 0.9].map(sample)
  return { id, title: 'A second run (no-op)', hosts, runs, tree: {}, problems: [], notes: [] }
}

test('leastSquares: the slope and intercept of the line through the points', () => {
  const line = leastSquares([
    [1, 520],
    [10, 700],
    [30, 1100],
    [100, 2500],
  ])
  assert.ok(line)
  assert.equal(Math.round(line.slope * 1000) / 1000, 20)
  assert.equal(Math.round(line.intercept), 500)
  assert.equal(line.points, 4)
  // Not exactly on a line: the least-squares fit, not the first-to-last slope.
  const fit = leastSquares([
    [1, 0],
    [2, 2],
    [3, 1],
  ])!
  assert.equal(fit.slope, 0.5)
  assert.equal(fit.intercept, 0)
  assert.equal(leastSquares([[10, 5]]), undefined, 'one host count has no slope')
  assert.equal(
    leastSquares([
      [10, 5],
      [10, 7],
    ]),
    undefined,
    'nor does one host count measured twice',
  )
})

test('slopes: per tool over the medians of the same run at each host count; ratios to halab per peer', () => {
  const res: Results = {
    startedAt: '2026-12-07 10:00:00 UTC',
    machine: {
      cpus: 2,
      cpuModel: 'x',
      memGiB: 4,
      kernel: '6.1',
      os: 'Debian',
      node: 'v20',
      halab: '0.1',
      ansibleCore: '2.14.18',
      python: '3.11',
      peers: 'pyinfra 3.5, mitogen 0.3.51',
    },
    settings: [],
    series: [
      series('A1-2', 1, { halab: 410, ansible: 3000, mitogen: 1500, pyinfra: 1200 }),
      series('A10-2', 10, { halab: 500, ansible: 5700, mitogen: 2400, pyinfra: 1650 }),
      series('A30-2', 30, { halab: 700, ansible: 11700, mitogen: 4400, pyinfra: 2650 }),
    ],
  }
  const byTool = new Map(slopes(res.series).map((l) => [l.tool, l]))
  assert.deepEqual([...byTool.keys()], ['halab', 'ansible', 'mitogen', 'pyinfra'])
  assert.equal(byTool.get('halab')!.slope.toFixed(1), '10.0')
  assert.equal(byTool.get('ansible')!.slope.toFixed(1), '300.0')
  assert.equal(byTool.get('pyinfra')!.slope.toFixed(1), '50.0')
  assert.deepEqual(byTool.get('mitogen')!.hosts, [1, 10, 30])
  assert.equal(ratio(res.series[2], 'pyinfra')!.ofMedians.toFixed(2), '3.79')
  assert.equal(ratio(res.series[2], 'mitogen')!.ofMedians.toFixed(2), '6.29')
  assert.equal(ratio(res.series[2])!.ofMedians.toFixed(2), '16.71', 'the default peer is plain Ansible')

  const table = renderTable(res)
  assert.match(table, /^versions: .*ansible-core 2\.14\.18.*pyinfra 3\.5, mitogen 0\.3\.51$/m)
  assert.match(table, /^A second run \(no-op\) +30 +halab +0\.70 s/m)
  assert.match(table, /^ +ansible\+mitogen +4\.40 s .* 6\.3× \(pairs 6\.3–6\.3\)/m)
  assert.match(table, /^ +pyinfra +50\.0 ms +1\.15 s +5\.0×/m, 'pyinfra costs 5× halab per added host')
  assert.match(table, /met +Workload A 30 hosts, no-op: halab ≥ 3× faster than pyinfra: 3\.8×/)
  assert.match(table, /met +Workload A 30 hosts, no-op: halab ≥ 5× faster than Ansible\+Mitogen: 6\.3×/)
  assert.match(table, /met +Workload A 30 hosts, no-op: halab ≥ 15× faster than Ansible: 16\.7×/)
  assert.match(table, /n\/a +Workload A 100 hosts, no-op: halab ≥ 3× faster than pyinfra: not measured/)
})

test('parsePyinfraOutput: per host, Success is a change, No changes is not, errors and unreachable hosts count', () => {
  const out = [
    '--> Connecting to hosts...',
    '    [bench01] Connected',
    '    [bench03] Could not connect ([Errno None] Unable to connect to port 22 on 10.251.0.3)',
    '    [bench01] Ready: workload_a.py',
    '--> Starting operation: user ',
    '    \x1b[32m[bench01]\x1b[0m Success',
    '    [bench02] No changes',
    '--> Starting operation: file log ',
    '    [bench01] No changes',
    '    [bench02] Error: executed 0 commands',
    '    Operation     Hosts   Success   Error   No Change',
  ].join('\n')
  const r = parsePyinfraOutput(out)
  assert.deepEqual(Object.fromEntries(r), {
    bench01: { ok: 2, changed: 1, failed: 0, unreachable: 0 },
    bench02: { ok: 1, changed: 0, failed: 1, unreachable: 0 },
    bench03: { ok: 0, changed: 0, failed: 0, unreachable: 1 },
  })
})

test('pyinfraInventory: Python reads every host with its SSH settings and one group per size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halab-pyinv-'))
  try {
    const host = (i: number) => ({
      name: benchHostName(i, 100),
      address: `10.251.0.${i}`,
      user: 'root',
      key: '/k',
      knownHosts: '/kh',
      data: { note: `it's "quoted" \\ ${i}` },
    })
    const file = join(dir, 'inventory.py')
    writeFileSync(
      file,
      pyinfraInventory([host(1), host(2), host(100)], { n1: ['bench001'], n100: ['bench001', 'bench002', 'bench100'] }),
    )
    const py = spawnSync('/usr/bin/python3', [
      '-c',
      'import json,runpy,sys; g=runpy.run_path(sys.argv[1]); print(json.dumps({k: g[k] for k in ("n1","n100")}))',
      file,
    ])
    assert.equal(py.status, 0, py.stderr.toString())
    const groups = JSON.parse(py.stdout.toString())
    assert.deepEqual(
      groups.n100.map((h: [string, unknown]) => h[0]),
      ['bench001', 'bench002', 'bench100'],
    )
    assert.deepEqual(groups.n1[0][1], {
      ssh_hostname: '10.251.0.1',
      ssh_user: 'root',
      ssh_key: '/k',
      ssh_known_hosts_file: '/kh',
      ssh_strict_host_key_checking: 'yes',
      note: `it's "quoted" \\ 1`,
    })
    assert.throws(() => pyinfraInventory([host(1)], { n2: ['bench001', 'bench002'] }), /not in the inventory: bench002/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('benchHostName sorts as numbers past 99 hosts; idNames maps ids to names', () => {
  assert.equal(benchHostName(7, 30), 'bench07')
  const names = Array.from({ length: 100 }, (_, i) => benchHostName(i + 1, 100))
  assert.deepEqual([...names].sort(), names)
  const ids = idNames('root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\nbad line\n')
  assert.deepEqual(
    [...ids],
    [
      [0, 'root'],
      [33, 'www-data'],
    ],
  )
})

test("siteManifest: a converged host's files (copied, owner, group, mode), links, init-script services", () => {
  const dir = mkdtempSync(join(tmpdir(), 'halab-manifest-'))
  try {
    const root = join(dir, 'root')
    const put = (path: string, text: string, mode = 0o644) => {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), text, { mode })
    }
    put('/etc/passwd', 'root:x:0:0::/root:/bin/sh\n')
    put('/etc/group', 'root:x:0:\nwww-data:x:33:\n')
    put('/etc/ha.d/authkeys', 'auth 1\n', 0o600)
    put('/etc/identity.php', '<?php\n', 0o640)
    chownSync(join(root, '/etc/identity.php'), 0, 33)
    put('/etc/init.d/heartbeat', '#!/bin/sh\n', 0o755)
    put('/lib/systemd/system/apache2.service', '[Unit]\n')
    put('/etc/init.d/apache2', '#!/bin/sh\n', 0o755)
    mkdirSync(join(root, '/etc/apache2/sites-enabled'), { recursive: true })
    symlinkSync('../sites-available/ha.conf', join(root, '/etc/apache2/sites-enabled/000-ha.conf'))
    const spec = {
      files: ['/etc/ha.d/authkeys', '/etc/identity.php'],
      links: ['/etc/apache2/sites-enabled/000-ha.conf'],
      absent: ['/etc/apache2/sites-enabled/000-default.conf'],
      packages: ['heartbeat'],
      services: [
        { name: 'heartbeat', running: true, enabled: true },
        { name: 'apache2', enabled: false },
      ],
    }
    const host = { name: 'nodo1', sshAddress: '10.0.0.1', root }
    const m = siteManifest(host, spec, join(dir, 'copies'))
    assert.deepEqual(
      m.files.map((f) => [f.path, f.user, f.group, f.mode, readFileSync(f.src, 'utf8')]),
      [
        ['/etc/ha.d/authkeys', 'root', 'root', '600', 'auth 1\n'],
        ['/etc/identity.php', 'root', 'www-data', '640', '<?php\n'],
      ],
    )
    assert.deepEqual(m.links, [
      { path: '/etc/apache2/sites-enabled/000-ha.conf', target: '../sites-available/ha.conf' },
    ])
    assert.deepEqual(
      m.services.map((s) => [s.name, s.sysv]),
      [
        ['heartbeat', true],
        ['apache2', false],
      ],
    )
    assert.throws(
      () => siteManifest(host, { ...spec, files: ['/etc/ha.d/ha.cf'] }, join(dir, 'copies')),
      /nodo1: halab's site left no \/etc\/ha.d\/ha.cf/,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
