// ansible-playbook's flags on the real CLI, against a loopback sshd: --version and help,
// --list-hosts/--list-tasks/--syntax-check touching no host, --tags/--skip-tags,
// --start-at-task, -v/-vv/-vvv (secrets masked), hidden plays, task and play times, the
// listr view of a failed host, and `--json | head` ending quietly.
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { freePort, sshdVarsYaml, useSshdWork, type TestSshd } from '../helpers/sshd.ts'
import { BIN, REPO, runCli, type CliResult } from '../helpers/cli.ts'

const PROJECT = join(REPO, 'test', 'fixtures', 'project')
const SECRET = 'Sw0rdfish-halab-cli-secret'
let sshd: TestSshd
let work: string

useSshdWork('halab-cli-', (s, w) => ((sshd = s), (work = w)))

/** alpha and beta on the sshd (web), each with its own root; `hosts` adds more lines under web. */
function inventory(name: string, vars = '', hosts = ''): string {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'hosts.yml'),
    `all:
  vars:
${sshdVarsYaml(sshd)}    demo_secret: "\${CLI_SECRET}"
${vars}  children:
    web:
      hosts:
        alpha: { demo_root: ${join(dir, 'alpha')} }
        beta: { demo_root: ${join(dir, 'beta')} }
${hosts}`,
  )
  writeFileSync(join(dir, '.env'), `CLI_SECRET=${SECRET}\n`, { mode: 0o600 })
  copyFileSync(sshd.knownHostsPath, join(dir, 'known_hosts'))
  return dir
}

const run = (args: string[]): Promise<CliResult> => runCli(args, { cwd: PROJECT })

/** A host whose port nothing listens on: any attempt to reach it would show. */
async function unreachableHost(): Promise<string> {
  return `        gamma: { demo_root: /nonexistent, ansible_port: ${await freePort()} }\n`
}

test('--version, help, help COMMAND and PLAYBOOK --help each print what was asked (exit 0)', async () => {
  const version = await run(['--version'])
  assert.equal(version.code, 0)
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
  const help = await run(['help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /Usage: run-playbook \[options\] \[command\] \[playbook\]/)
  const verify = await run(['help', 'verify'])
  assert.equal(verify.code, 0)
  assert.match(verify.stdout, /Usage: run-playbook verify/)
  const site = await run(['plays', '--help'])
  assert.equal(site.code, 0)
  assert.match(site.stdout, /Usage: run-playbook plays \[options\]/)
  assert.match(site.stdout, /--start-at-task <name>/)
  assert.match(site.stdout, /2\. demo: hosts web → demo/)
  assert.doesNotMatch(site.stdout, /Commands:/, 'not the general help')
})

test('--list-hosts, --list-tasks, --list-tags, --syntax-check connect nowhere; bad input still exits 3', async () => {
  const inv = inventory('list', '', await unreachableHost())
  const hosts = await run(['plays', '-i', inv, '--list-hosts'])
  assert.equal(hosts.code, 0, hosts.stderr)
  assert.match(hosts.stdout, /PLAY #2 demo \(hosts: web\): 3 hosts\n\s+alpha\n\s+beta\n\s+gamma\n/)
  assert.match(hosts.stdout, /no host in this run for 1 play\(s\): nobody here/)
  const tasks = await run(['plays', '-i', inv, '--list-tasks'])
  assert.equal(tasks.code, 0, tasks.stderr)
  assert.match(tasks.stdout, /hosts alpha:\n\s+demo : directory \S+alpha  TAGS: \[demo, config\]/)
  assert.match(
    tasks.stdout,
    /PLAY #3 after \(hosts: all\)\n\s+hosts alpha, beta, gamma:\n\s+hang : hang  TAGS: \[hang\]/,
  )
  const tags = await run(['plays', '-i', inv, '--list-tags'])
  assert.equal(tags.code, 0, tags.stderr)
  assert.equal(
    tags.stdout,
    'playbook: plays\n\n  PLAY #2 demo (hosts: web)\n      TASK TAGS: [config, demo]\n' +
      '  PLAY #3 after (hosts: all)\n      TASK TAGS: [hang]\n\n  no host in this run for 1 play(s): nobody here\n',
  )
  const hangOnly = await run(['plays', '-i', inv, '--list-tags', '--tags', 'hang'])
  assert.match(hangOnly.stdout, /^playbook: plays\n\n {2}PLAY #3 after \(hosts: all\)\n {6}TASK TAGS: \[hang\]\n\n/)
  const ok = await run(['plays', '-i', inv, '--syntax-check'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /syntax and variables ok .*3 host\(s\), 2 play\(s\) with hosts\); nothing was run/)
  const es = await run(['plays', '-i', inv, '--syntax-check', '--lang', 'es'])
  assert.match(es.stdout, /sintaxis y variables correctas .*3 hosts, 2 plays con hosts\); no se ha ejecutado nada/)
  const bad = await run(['plays', '-i', inventory('list-bad', '    demo_port: not-a-number\n'), '--syntax-check'])
  assert.equal(bad.code, 3)
  assert.match(bad.stderr, /hosts alpha, beta, field demo_port: demo: Invalid input: expected number/)
  for (const r of [hosts, tasks, tags, ok, es]) assert.doesNotMatch(r.stdout + r.stderr, /UNREACHABLE|ECONNREFUSED/)
  assert.equal(existsSync(join(inv, 'alpha')), false, 'nothing ran on any host')
})

test('--tags and --skip-tags keep the tasks with a tag; a tag no task has is invalid input', async () => {
  const inv = inventory('tags')
  const only = await run(['plays', '-i', inv, '--tags', 'hang'])
  assert.equal(only.code, 0, only.stdout + only.stderr)
  assert.doesNotMatch(only.stdout, /PLAY demo|\| directory/)
  assert.match(only.stdout, /\[alpha\] hang \| after: changed/)
  assert.equal(existsSync(join(inv, 'alpha')), false, 'the demo role did not run')
  const skip = await run(['plays', '-i', inv, '--skip-tags', 'hang', '--limit', 'alpha'])
  assert.equal(skip.code, 0, skip.stderr)
  assert.match(skip.stdout, /\[alpha\] demo \| directory \S+: changed/)
  assert.doesNotMatch(skip.stdout, /\| hang \||PLAY after/)
  const typo = await run(['plays', '-i', inv, '--tags', 'packagse'])
  assert.equal(typo.code, 3)
  assert.match(typo.stderr, /--tags: no task of this run has the tag "packagse" \(its tags: config, demo, hang\)/)
  const glob = await run(['plays', '-i', inv, '--tags', 'con*', '--list-tags'])
  assert.equal(glob.code, 0, glob.stderr)
  assert.match(glob.stdout, /PLAY #2 demo \(hosts: web\)\n\s+TASK TAGS: \[config, demo\]\n\n/, 'the hang play left out')
  const none = await run(['plays', '-i', inv, '--skip-tags', 'h*x,untagged'])
  assert.equal(none.code, 3)
  assert.match(none.stderr, /--skip-tags: no tag of this run matches "h\*x" \(its tags: config, demo, hang\)/)
  assert.match(none.stderr, /--skip-tags: no task of this run is "untagged"/)
})

test('--start-at-task leaves out every task before it, across plays', async () => {
  const inv = inventory('start')
  const r = await run(['plays', '-i', inv, '--start-at-task', 'hang : after'])
  assert.equal(r.code, 0, r.stdout + r.stderr)
  const ran = r.stdout
    .split('\n')
    .filter((l) => / \| /.test(l))
    .map((l) => l.replace(/: changed.*/, ''))
  assert.deepEqual(ran.sort(), ['[alpha] hang | after', '[beta] hang | after'], r.stdout)
  const none = await run(['plays', '-i', inv, '--start-at-task', 'no such task'])
  assert.equal(none.code, 3)
  assert.match(none.stderr, /--start-at-task: no task of this run is named "no such task"/)
})

test('plain output: no empty PLAY, a dim line for them, each task and play timed', async () => {
  const r = await run(['plays', '-i', inventory('plain')])
  assert.equal(r.code, 0, r.stderr)
  assert.doesNotMatch(r.stdout, /PLAY nobody here/)
  assert.match(r.stdout, /\(1 play\(s\) with no host in this run: nobody here\)/)
  assert.match(r.stdout, /\[alpha\] demo \| directory \S+: changed \(create directory \S+\) \[\d+\.\d s\]\n/)
  assert.match(r.stdout, /PLAY demo done \[\d+\.\d s\]\n/)
})

test('-v says why a task is unchanged, -vv the commands, -vvv their output; secrets masked', async () => {
  const inv = inventory('verbose', `    hang_command: 'echo said-$(cat ${join(work, 'said')}); echo oops >&2'\n`)
  writeFileSync(join(work, 'said'), SECRET)
  assert.equal((await run(['plays', '-i', inv])).code, 0)
  const v = await run(['plays', '-i', inv, '--limit', 'alpha', '-v'])
  assert.match(v.stdout, /\[alpha\] demo \| directory \S+: ok \(.+\) \[/)
  assert.doesNotMatch(v.stdout, /\$ echo/)
  const vv = await run(['plays', '-i', inv, '--limit', 'alpha', '-vv'])
  assert.match(vv.stdout, /\[alpha\] hang \| hang: changed .*\n\s+\$ echo said-/)
  assert.doesNotMatch(vv.stdout, /said-\*|\| said/)
  const vvv = await run(['plays', '-i', inv, '--limit', 'alpha', '-vvv'])
  assert.match(vvv.stdout, /\$ echo said-.*\n\s+\| said-\*{8}\n\s+! oops\n/)
  for (const r of [v, vv, vvv]) assert.equal((r.stdout + r.stderr).includes(SECRET), false, 'the secret is masked')
})

/** The CLI on a terminal (script(1) gives it one), its screen without escape sequences. */
function onTerminal(args: string): string {
  const r = spawnSync('script', ['-qec', `stty cols 160 rows 60; ${process.execPath} ${BIN} ${args}`, '/dev/null'], {
    cwd: PROJECT,
    encoding: 'utf8',
    env: { ...process.env, TERM: 'xterm' },
    timeout: 60_000,
  })
  return r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')
}

test('on a terminal: a failed or unreachable host is never a green check; tasks timed; -vv shows commands', async () => {
  const inv = inventory('listr', '', `        delta: { demo_root: /proc/halab-cannot }\n${await unreachableHost()}`)
  const screen = onTerminal(`plays -i ${inv} -vv`)
  const demo = screen.lastIndexOf('PLAY demo')
  const last = screen.slice(demo, screen.indexOf('PLAY after', demo))
  assert.match(last, /✔ directory \S+alpha → create directory \S+ \[\d+\.\d s\]\n\s+› \$ mkdir/)
  for (const h of ['delta', 'gamma']) assert.doesNotMatch(screen, new RegExp(`✔ ${h}`), `${h} shown as a success`)
  assert.match(last, /✖ directory \/proc\/halab-cannot/)
  // Lost before its line started (skipped, with why) or while it waited (failed): either way not a success.
  assert.match(last, /✖ directory \/nonexistent\n\s+› unreachable|↓ gamma: not run \(unreachable\)/)
  const next = screen.slice(screen.lastIndexOf('PLAY after'))
  assert.match(next, /↓ delta: not run \(failed\)/, 'the failed host is skipped in the next play')
  assert.match(next, /↓ gamma: not run \(unreachable\)/)
  assert.doesNotMatch(screen, /PLAY nobody here/)
  assert.match(screen, /PLAY demo \[\d+\.\d s\]/)
  const again = onTerminal(`plays -i ${inv} --limit alpha -v`)
  const unchanged = again.slice(again.lastIndexOf('PLAY demo'))
  assert.match(unchanged, /✔ directory \S+alpha \[\d+\.\d s\]\n\s+› .*alpha/, '-v: why the task had nothing to do')
  assert.doesNotMatch(unchanged, /› \$ /, '-v lists no commands')
})

test('`--json | head -1` ends quietly with 141 once head is gone, no stack trace', () => {
  const inv = inventory('pipe')
  const r = spawnSync(
    'bash',
    ['-c', `${process.execPath} ${BIN} plays -i ${inv} --json | head -c 10 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`],
    { cwd: PROJECT, encoding: 'utf8', timeout: 60_000 },
  )
  assert.match(r.stdout, /exit=141/, r.stdout + r.stderr)
  assert.doesNotMatch(r.stderr, /EPIPE|at .*:\d+:\d+/)
})
