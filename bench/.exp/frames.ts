import { spawn } from 'node:child_process'
import { RemoteShell } from './remote-shell2.ts'
import { fileState, pathExists } from '../../src/facts/files.ts'
const child = spawn('sh', [], { stdio: ['pipe', 'pipe', 'pipe'] })
const shell = new RemoteShell(child.stdin, child.stdout, child.stderr, 'local')
await shell.ready
const cmds = Array.from({ length: 20 }, (_, i) => ({ command: i % 2 ? fileState('/etc/hosts').command : pathExists('/etc/nope' + i).command }))
const empties = Array.from({ length: 20 }, () => ({ command: 'true' }))
for (const [label, batch] of [['20 facts', cmds], ['20 x true', empties]] as const) {
  for (let k = 0; k < 5; k++) {
    const t = performance.now()
    await Promise.all(shell.run(batch as any))
    console.log(label, (performance.now() - t).toFixed(1), 'ms')
  }
}
child.stdin.end()
