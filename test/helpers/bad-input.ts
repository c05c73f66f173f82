// The bad-input corpus (test/fixtures/bad-input.yml): malformed inventories, variables,
// .env files and flags, each run through the real CLI in-process. Every case must end
// with exit 3 and one line naming its file, host and field, before any connection: the
// hosts point at a loopback port where a listener counts the connections made to it.
// Shared by test/unit/bad-input.test.ts and the figures script (bench/reliability.ts).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { main } from '../../src/cli.ts'
import { memorySink } from '../../src/output/sink.ts'
import { ENGLISH } from './cli.ts'

export const REPO = join(import.meta.dirname, '..', '..')
export const CORPUS_FILE = join(REPO, 'test', 'fixtures', 'bad-input.yml')
const FIXTURE_PROJECT = join(REPO, 'test', 'fixtures', 'project')

const Case = z.strictObject({
  name: z.string(),
  /** fixture: test/fixtures/project's playbooks; site: the real site playbook on a copy of inventory/4-node. */
  project: z.enum(['fixture', 'site']).default('fixture'),
  /** The fixture project's playbook (default demo). */
  playbook: z.enum(['demo', 'hang']).default('demo'),
  /** The base inventory written first (fixture projects): YAML, INI, or none at all. */
  base: z.enum(['yaml', 'ini', 'none']).default('yaml'),
  /** Files written over the base, relative to the inventory directory. */
  files: z.record(z.string(), z.string()).default({}),
  replace: z.array(z.strictObject({ file: z.string(), from: z.string(), to: z.string() })).default([]),
  /** The .env beside the inventory and its mode (default: the base's, 0600). */
  env: z.strictObject({ text: z.string(), mode: z.number().int() }).optional(),
  /** Given after `PLAYBOOK -i DIR`; `-i` here replaces the inventory. */
  args: z.array(z.string()).default([]),
  expect: z.strictObject({
    file: z.string().optional(),
    host: z.string().optional(),
    field: z.string().optional(),
    message: z.string(),
  }),
})
export type BadInputCase = z.output<typeof Case>

export function loadCorpus(file = CORPUS_FILE): BadInputCase[] {
  return z.array(Case).parse(parse(readFileSync(file, 'utf8')))
}

const FIXTURE_YAML = `all:
  vars:
    ansible_host: 127.0.0.1
    ansible_port: {{PORT}}
    ansible_ssh_private_key_file: {{DIR}}/id_test
  children:
    web:
      hosts:
        alpha: { demo_root: /srv/halab-bad-input/alpha }
        beta: { demo_root: /srv/halab-bad-input/beta }
`
const FIXTURE_INI = `[web]
alpha demo_root=/srv/halab-bad-input/alpha
beta demo_root=/srv/halab-bad-input/beta

[all:vars]
ansible_host=127.0.0.1
ansible_port={{PORT}}
ansible_ssh_private_key_file={{DIR}}/id_test
`

/** A TCP listener on loopback that only counts who connects: hosts of the corpus point at it. */
export async function connectionCounter(): Promise<{ port: number; count(): number; close(): Promise<void> }> {
  let n = 0
  const server: Server = createServer((s) => (n++, s.destroy()))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return { port, count: () => n, close: () => new Promise((r) => server.close(() => r())) }
}

export interface CaseResult {
  code: number
  output: string
  connections: number
  ms: number
}

/** Writes the case's inventory, runs the CLI in-process in its project, and removes it all. */
export async function runCase(c: BadInputCase, counter: { port: number; count(): number }): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'halab-bad-input-'))
  const fill = (s: string) => s.replaceAll('{{PORT}}', String(counter.port)).replaceAll('{{DIR}}', dir)
  const args = writeCase(c, dir, fill)
  const before = counter.count()
  const sink = memorySink()
  const cwd = process.cwd()
  const started = performance.now()
  let code: number
  try {
    process.chdir(c.project === 'site' ? REPO : FIXTURE_PROJECT)
    code = await main(['node', 'run-playbook', ...args], sink, { ...process.env, ...ENGLISH })
  } finally {
    process.chdir(cwd)
    rmSync(dir, { recursive: true, force: true })
  }
  const ms = performance.now() - started
  return { code, output: sink.text(), connections: counter.count() - before, ms }
}

/** The inventory directory's files; returns the CLI's arguments. */
function writeCase(c: BadInputCase, dir: string, fill: (s: string) => string): string[] {
  const put = (path: string, text: string, mode = 0o644) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), fill(text))
    chmodSync(join(dir, path), mode)
  }
  // A key file (never a valid key): a run that got past validation would reach the listener.
  put('id_test', 'not a key\n', 0o600)
  const base = c.project === 'site' ? siteBase(dir, put) : fixtureBase(c, put)
  for (const [path, text] of Object.entries(c.files)) put(path, text)
  for (const r of c.replace) {
    const text = readFileSync(join(dir, r.file), 'utf8')
    if (!text.includes(r.from)) throw new Error(`${c.name}: ${r.file} has no "${r.from}" to replace`)
    put(r.file, text.replace(r.from, r.to))
  }
  if (c.env) put('.env', c.env.text, c.env.mode)
  const args = c.args.map(fill)
  return [base.playbook, ...(args.includes('-i') ? [] : ['-i', dir]), ...base.args, ...args]
}

type Put = (path: string, text: string, mode?: number) => void

function fixtureBase(c: BadInputCase, put: Put): { playbook: string; args: string[] } {
  if (c.base === 'yaml') put('hosts.yml', FIXTURE_YAML)
  if (c.base === 'ini') put('hosts', FIXTURE_INI)
  put('.env', 'DEMO_SECRET=demo-secret-value\n', 0o600)
  return { playbook: c.playbook, args: [] }
}

/** inventory/4-node with valid secrets, every host sent to the counter's port on loopback (-e wins). */
function siteBase(dir: string, put: Put): { playbook: string; args: string[] } {
  cpSync(join(REPO, 'inventory', '4-node'), dir, { recursive: true })
  rmSync(join(dir, 'lab.yml'), { force: true })
  // Valid secrets: each example value with its letters swapped for digits keeps its length
  // and alphabet (so the roles' rules still hold) but is no placeholder any more.
  const example = readFileSync(join(REPO, 'inventory', '4-node', '.env.example'), 'utf8')
  put(
    '.env',
    example.replace(/^([A-Z_]+)=(.*)$/gm, (_l, k: string, v: string) => `${k}=${v.replace(/e/g, '3')}`),
    0o600,
  )
  put(
    'overrides.yml',
    'ansible_host: 127.0.0.1\nansible_port: {{PORT}}\nansible_ssh_private_key_file: {{DIR}}/id_test\n' +
      'drupal_archive_url: https://drupal.invalid/drupal.tar.gz\n' +
      `drupal_archive_sha256: "${'a'.repeat(64)}"\n`,
  )
  return { playbook: 'site', args: ['-e', `@${join(dir, 'overrides.yml')}`] }
}

/** What is wrong with a case's result; empty when it passes. */
export function verdict(c: BadInputCase, r: CaseResult): string[] {
  const wrong: string[] = []
  if (r.code !== 3) wrong.push(`exit ${r.code}, not 3`)
  if (r.connections) wrong.push(`${r.connections} connection(s) made: input was not checked first`)
  if (/unreachable|ECONNREFUSED|cannot connect|handshake|^\s+at .*:\d+:\d+\)?$/im.test(r.output))
    wrong.push('a connection error or a stack trace in the output')
  const { file, host, field, message } = c.expect
  const parts = [file, host && `host ${host}`, field && `field ${field}`].filter((p): p is string => !!p)
  const re = new RegExp(message)
  // The same problem on several hosts is one line: "hosts alpha, beta, field ...".
  const names = (l: string, p: string) =>
    l.includes(p) || (p === `host ${host}` && new RegExp(`hosts (?:[\\w.-]+, )*${host}(,|$)`).test(l))
  const line = r.output.split('\n').find((l) => parts.every((p) => names(l, p)) && re.test(l))
  if (!line) wrong.push(`no line names ${JSON.stringify(parts)} with /${message}/`)
  return wrong
}
