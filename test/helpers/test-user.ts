// A throw-away local user with a password, for password logins and sudo with a password on
// a loopback sshd. Root only. Its sudoers drop-in is checked with visudo before it is
// installed; remove() deletes both, and the user's home.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { renameSync, rmSync, writeFileSync } from 'node:fs'

export interface TestUser {
  name: string
  password: string
  /** Write (or rewrite) the user's sudoers drop-in: sudo with a password, or NOPASSWD. */
  sudo(kind: 'password' | 'nopasswd'): void
  remove(): void
}

export function testUserUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (creates a throw-away user)'
  for (const tool of ['/usr/sbin/useradd', '/usr/sbin/chpasswd', '/usr/sbin/visudo', '/usr/bin/sudo'])
    if (spawnSync('test', ['-x', tool]).status !== 0) return `${tool} is not installed (apt-get install sudo passwd)`
  return undefined
}

function run(cmd: string, args: string[], input?: string): void {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.status}`)
}

export function createTestUser(password: string): TestUser {
  const name = `halabt${randomBytes(3).toString('hex')}`
  const dropIn = `/etc/sudoers.d/${name}`
  run('/usr/sbin/useradd', ['-m', '-s', '/bin/sh', name])
  run('/usr/sbin/chpasswd', [], `${name}:${password}\n`)
  return {
    name,
    password,
    sudo(kind) {
      const rule = `${name} ALL=(ALL:ALL) ${kind === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`
      const candidate = `${dropIn}.tmp`
      writeFileSync(candidate, rule, { mode: 0o440 })
      try {
        run('/usr/sbin/visudo', ['-cqf', candidate])
      } catch (e) {
        rmSync(candidate, { force: true })
        throw e
      }
      // sudo ignores drop-ins with a dot in their name, so the candidate was never live.
      renameSync(candidate, dropIn)
    },
    remove() {
      rmSync(dropIn, { force: true })
      rmSync(`${dropIn}.tmp`, { force: true })
      // Its last sessions may take a moment to end after their connections closed.
      for (let i = 0; i < 40; i++) {
        const r = spawnSync('/usr/sbin/userdel', ['-r', name], { encoding: 'utf8' })
        if (r.status === 0 || r.status === 6 || r.status === 12) return // 6: no such user; 12: no mail spool
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
      }
      throw new Error(`could not remove the test user ${name}: userdel -r ${name} by hand`)
    },
  }
}
