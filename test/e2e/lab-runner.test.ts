// The runner against real lab hosts (systemd, apt, sysctl): the package → config →
// service chain in --check mode, converge, no-op rerun, become through sudo for a
// non-root user, and a listr2 progress display on a real terminal.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BIN, ENGLISH, REPO, runCli } from '../helpers/cli.ts'
import { lab, labSkip, onHost, recapLine } from '../helpers/lab.ts'

const PROJECT = join(REPO, 'test', 'fixtures', 'project')
const INV = join(REPO, 'inventory', '2-node-web')
const HOST = 'slave-cluster'
let work: string

describe('runner on lab hosts', { skip: labSkip }, () => {
  before(async () => {
    await lab('down')
    const up = await lab('up', '-i', INV)
    assert.equal(up.code, 0, up.stdout + up.stderr)
    work = mkdtempSync(join(tmpdir(), 'halab-labrun-'))
  })
  after(async () => {
    await lab('down')
    rmSync(work, { recursive: true, force: true })
  })
  const run = (...args: string[]) =>
    runCli(['system', '-i', INV, '--limit', HOST, ...args], { cwd: PROJECT, env: { HEARTBEAT_SECRET: 'unused-here' } })

  it('--check on a bare host reports the whole chain (install, configure, start) without failing or changing anything', async () => {
    const before = await onHost(
      HOST,
      'dpkg -s cron >/dev/null 2>&1 && echo installed || echo absent; sysctl -n net.ipv4.conf.all.arp_ignore',
    )
    const r = await run('--check')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /package present: cron: changed \(.*would install cron\)/)
    assert.match(r.stdout, /service cron started, enabled: changed \(would start cron \(not installed yet\)/)
    assert.match(r.stdout, /sysctl net\.ipv4\.conf\.all\.arp_ignore.*changed \(would/)
    assert.equal(
      await onHost(
        HOST,
        'dpkg -s cron >/dev/null 2>&1 && echo installed || echo absent; sysctl -n net.ipv4.conf.all.arp_ignore',
      ),
      before,
    )
    assert.match(before, /^absent\n0\n$/)
  })

  it('converges (apt through the lab proxy, systemd, sysctl), then changes nothing', async () => {
    const r = await run()
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(recapLine(r, HOST), /changed=5 failed=0/)
    // apt started cron before its configuration changed: the handler restarts it.
    assert.match(r.stdout, /handler: service cron restarted: changed \(restart cron\)/)
    assert.equal(
      await onHost(
        HOST,
        'systemctl is-active cron; systemctl is-enabled cron; sysctl -n net.ipv4.conf.all.arp_ignore; cat /etc/sysctl.d/60-halab.conf',
      ),
      'active\nenabled\n1\nnet.ipv4.conf.all.arp_ignore = 1\n',
    )
    const again = await run()
    assert.match(recapLine(again, HOST), /changed=0 failed=0/)
  })

  it('become: a non-root user with passwordless sudo converges root-owned files; without become it fails clearly', async () => {
    await onHost(
      HOST,
      'apt-get install -y -q sudo >/dev/null && (id student || useradd -m -s /bin/sh student) && mkdir -p ~student/.ssh && cp /root/.ssh/authorized_keys ~student/.ssh/ && chown -R student ~student/.ssh && echo "student ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/student && rm -f /root/halab-become',
    )
    const asStudent = (...extra: string[]) =>
      run('-e', 'ansible_user=student', '-e', 'system_marker=/root/halab-become', ...extra)
    const denied = await asStudent('-e', 'ansible_become=false')
    assert.equal(denied.code, 2, denied.stdout)
    assert.match(denied.stdout, /FAILED/)
    assert.match(denied.stdout, /[Pp]ermission denied/)
    const r = await asStudent('-e', 'ansible_become=true')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(await onHost(HOST, 'stat -c %U:%a /root/halab-become'), 'root:600\n')
  })

  it('on a terminal, progress is a listr2 tree per host, role and task, then the recap', () => {
    const r = spawnSync(
      'script',
      ['-qec', `stty cols 120 rows 50; ${process.execPath} ${BIN} system -i ${INV} --limit ${HOST}`, '/dev/null'],
      {
        cwd: PROJECT,
        encoding: 'utf8',
        env: { ...process.env, ...ENGLISH, HEARTBEAT_SECRET: 'unused-here', TERM: 'xterm' },
        timeout: 60_000,
      },
    )
    const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    assert.match(screen, /✔ slave-cluster/)
    assert.match(screen, /✔ system/)
    assert.match(screen, /✔ package present: cron/)
    assert.match(screen, /RECAP/)
    assert.match(screen, /slave-cluster\s+: ok=5 changed=0/)
  })
})
