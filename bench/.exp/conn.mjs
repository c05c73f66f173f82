import { Client } from 'ssh2'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
const host = process.argv[2]
for (let i = 0; i < 4; i++) {
  const t0 = performance.now()
  const sock = await new Promise((r) => { const s = connect(22, host, () => (s.setNoDelay(true), r(s))) })
  const t1 = performance.now()
  const c = new Client()
  await new Promise((res, rej) => { c.on('ready', res); c.on('error', rej); c.connect({ sock, username: 'root', privateKey: readFileSync('/var/lib/halab/lab/id_ed25519'), hostVerifier: () => true }) })
  const t2 = performance.now()
  const ch = await new Promise((res, rej) => c.exec('sh', (e, ch) => (e ? rej(e) : res(ch))))
  const t3 = performance.now()
  ch.write('echo ready\n')
  await new Promise((res) => ch.once('data', res))
  const t4 = performance.now()
  c.end()
  console.log(`tcp ${(t1 - t0).toFixed(1)} handshake+auth ${(t2 - t1).toFixed(1)} exec ${(t3 - t2).toFixed(1)} firstcmd ${(t4 - t3).toFixed(1)} total ${(t4 - t0).toFixed(1)}`)
}
