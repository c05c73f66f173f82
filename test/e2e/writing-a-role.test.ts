// docs/writing-a-role.md is real: its files, copied into an empty project (imports pointed
// at this checkout's src/sdk.ts), converge against an sshd on loopback, change nothing on a
// second run, and pass their own verify suite. Then the prepare-time errors the guide
// promises: a name unlike the folder, a notify naming no handler, a missing template.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { before, test } from 'node:test'
import { REPO, runCli, type CliResult } from '../helpers/cli.ts'
import { sshdVarsYaml, useSshdWork, type TestSshd } from '../helpers/sshd.ts'

let sshd: TestSshd
let work: string

useSshdWork('halab-guide-', (s, w) => ((sshd = s), (work = w)))

/** The guide's files (```lang file=PATH blocks), keyed by path. */
function guideFiles(): Map<string, string> {
  const doc = readFileSync(join(REPO, 'docs', 'writing-a-role.md'), 'utf8')
  return new Map([...doc.matchAll(/^```\w+ file=(\S+)\n([\s\S]*?)^```$/gm)].map((m) => [m[1], m[2]]))
}

/** A project with the guide's files, importing this checkout's SDK; `edit` may change a file first. */
function project(name: string, edit: (path: string, text: string) => string = (_, t) => t): string {
  const root = join(work, name)
  for (const [path, text] of guideFiles()) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(
      join(root, path),
      edit(path, text.replace(/'(\.\.\/)+src\/sdk\.ts'/g, `'${join(REPO, 'src', 'sdk.ts')}'`)),
    )
  }
  return root
}

/** An inventory with two hosts of group motd on the loopback sshd, each writing under its own directory. */
function inventory(root: string): string {
  const dir = join(root, 'inventory')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'hosts.yml'),
    `all:
  vars:
${sshdVarsYaml(sshd)}  children:
    motd:
      hosts:
        alpha: { motd_path: ${join(root, 'alpha-motd')} }
        beta: { motd_path: ${join(root, 'beta-motd')}, motd_text: Bienvenue }
`,
  )
  copyFileSync(sshd.knownHostsPath, join(dir, 'known_hosts'))
  return dir
}

const run = (root: string, args: string[]): Promise<CliResult> => runCli(args, { cwd: root })
const recap = (r: CliResult, host: string) =>
  r.stdout
    .split('\n')
    .find((l) => l.startsWith(host) && l.includes(' : ok='))
    ?.replace(/\s+/g, ' ') ?? ''

test("the guide's motd role converges, reruns with no change, and passes its verify suite", async () => {
  assert.deepEqual([...guideFiles().keys()].sort(), [
    'playbooks/site.ts',
    'roles/motd/index.ts',
    'roles/motd/templates/motd.ejs',
    'roles/motd/verify.ts',
  ])
  const root = project('motd')
  const inv = inventory(root)
  const first = await run(root, ['site', '-i', inv])
  assert.equal(first.code, 0, first.stdout + first.stderr)
  assert.match(recap(first, 'alpha'), /changed=1 /)
  assert.equal(readFileSync(join(root, 'beta-motd'), 'utf8'), 'Bienvenue\nThis is beta.\n')
  const second = await run(root, ['site', '-i', inv])
  assert.equal(second.code, 0, second.stdout + second.stderr)
  for (const h of ['alpha', 'beta']) assert.match(recap(second, h), /changed=0 /)
  const verify = await run(root, ['verify', '-i', inv])
  assert.equal(verify.code, 0, verify.stdout + verify.stderr)
  assert.match(verify.stdout, /VERIFY message of the day/)
  assert.match(verify.stdout, /checks: 2 pass, 0 fail, 0 not run/)
  const locales: Record<string, string>[] = [{ LANG: 'es_ES.UTF-8' }, { LANG: 'C.UTF-8', LC_ALL: 'es_AR.UTF-8' }]
  for (const env of locales) {
    const spanish = await runCli(['verify', '-i', inv], { cwd: root, env })
    assert.equal(spanish.code, 0, spanish.stdout + spanish.stderr)
    assert.match(spanish.stdout, /^VERIFICACIÓN message of the day$/m, JSON.stringify(env))
    assert.match(spanish.stdout, /^comprobación +resultado +tiempo +detalle$/m)
    assert.match(spanish.stdout, / correcto +\d+\.\d s /)
    assert.match(spanish.stdout, /^comprobaciones: 2 correctas, 0 fallidas, 0 sin ejecutar$/m)
  }
  const flag = await run(root, ['verify', '-i', inv, '--lang', 'es'])
  assert.match(flag.stdout, /^comprobaciones: 2 correctas, 0 fallidas, 0 sin ejecutar$/m)
  const english = await runCli(['verify', '-i', inv, '--lang', 'en'], { cwd: root, env: { LANG: 'es_ES.UTF-8' } })
  assert.match(english.stdout, /^checks: 2 pass, 0 fail, 0 not run$/m, '--lang en wins over the locale')
})

test('a role named unlike its folder, a notify naming no handler and a missing template stop the run before any connection (exit 3)', async () => {
  const cases: [string, (path: string, text: string) => string, RegExp][] = [
    [
      'misnamed',
      (p, t) => (p.endsWith('index.ts') ? t.replace("name: 'motd'", "name: 'banner'") : t),
      /defineRole\(\{ name: "banner" \}\) in the folder roles\/motd: a role's name is its folder's/,
    ],
    [
      'notify',
      (p, t) => (p.endsWith('index.ts') ? t.replace("mode: '0644' }", "mode: '0644', notify: ['restart motd'] }") : t),
      /notifies "restart motd", which is not a handler of the role \(it has: none\)/,
    ],
    [
      'template',
      (p, t) => (p.endsWith('index.ts') ? t.replace("render('motd.ejs')", "render('missing.ejs')") : t),
      /templates\/missing\.ejs cannot be read/,
    ],
  ]
  for (const [name, edit, message] of cases) {
    const root = project(name, edit)
    const r = await run(root, ['site', '-i', inventory(root)])
    assert.equal(r.code, 3, `${name}: ${r.stdout}${r.stderr}`)
    assert.match(r.stderr + r.stdout, message)
    assert.doesNotMatch(r.stdout, / : ok=/)
  }
})
