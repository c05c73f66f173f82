import { serviceState as oldFact } from '/tmp/services-old.ts'
import { serviceState as newFact } from '../../src/facts/services.ts'
import { execFileSync } from 'node:child_process'
const addr = process.argv[2]
const names = ['apache2', 'heartbeat', 'cron', 'ssh', 'nosuch', 'systemd-journald', 'dbus', 'getty@tty1', 'systemd-networkd.socket', 'apt-daily.timer', 'drbd']
for (const n of names) {
  const run = (cmd: string) => execFileSync('ssh', ['-F', '/dev/null', '-i', '/var/lib/halab/lab/id_ed25519', '-o', 'UserKnownHostsFile=/var/lib/halab/lab/known_hosts', `root@${addr}`, cmd], { encoding: 'utf8' })
  const o = oldFact(n).parse({ code: 0, stdout: run(oldFact(n).command), stderr: '' })
  const w = newFact(n).parse({ code: 0, stdout: run(newFact(n).command), stderr: '' })
  console.log(JSON.stringify(o) === JSON.stringify(w) ? 'same' : 'DIFF', n, JSON.stringify(o), JSON.stringify(w))
}
