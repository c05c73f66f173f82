// The machine and the versions a result was measured with, printed with every table.
import { readFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { REPO } from './lab.ts'
import { run } from './proc.ts'

export interface Machine {
  cpus: number
  cpuModel: string
  memGiB: number
  kernel: string
  os: string
  node: string
  halab: string
  ansibleCore?: string
  python: string
  targetPython?: string
  /** The peers' versions (pyinfra, Mitogen) when they ran. */
  peers?: string
}

export async function describeMachine(ansibleCore: string | undefined): Promise<Machine> {
  const pkg = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { version: string }
  const git = await run({ argv: ['git', '-C', REPO, 'describe', '--always', '--dirty'] })
  // The Python Ansible runs on (Debian's /usr/bin/python3), not whatever python3 is first on PATH.
  const python = await run({ argv: ['/usr/bin/python3', '--version'] })
  let os = 'unknown'
  try {
    os = /^PRETTY_NAME="?(.*?)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os
  } catch {
    /* keep unknown */
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: totalmem() / 2 ** 30,
    kernel: release(),
    os,
    node: process.version,
    halab: `${pkg.version}${git.code === 0 ? ` (git ${git.stdout.trim()})` : ''}`,
    ansibleCore,
    python: (python.stdout + python.stderr).trim().replace(/^Python /, ''),
  }
}
