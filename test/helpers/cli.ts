// Run the real CLI as a user would (a child process, no TTY) and collect its output.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

export const REPO = join(import.meta.dirname, '..', '..')
export const BIN = join(REPO, 'bin', 'run-playbook.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      // English unless a test asks for another language: the tests match English output.
      env: { ...process.env, NO_COLOR: '1', LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}
