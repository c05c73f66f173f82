// Per-host files written into a host's overlay before it boots: identity, addresses
// (systemd-networkd, no gateway), root's authorized key, and apt through the lab proxy.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { LabHostSpec } from './topology.js'

export interface RootfsInput {
  root: string
  host: LabHostSpec
  publicKey: string
  /** http://ADDR:PORT of apt-cacher-ng on the host's first bridge. */
  aptProxy: string
}

export function writeHostFiles({ root, host, publicKey, aptProxy }: RootfsInput): void {
  const put = (path: string, text: string, mode = 0o644): void => {
    const full = join(root, path)
    mkdirSync(join(full, '..'), { recursive: true })
    writeFileSync(full, text, { mode })
    chmodSync(full, mode)
  }
  put('etc/hostname', `${host.name}\n`)
  put('etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${host.name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`)
  put('etc/machine-id', randomBytes(16).toString('hex') + '\n', 0o444)

  // 10-* wins over the image's 80-container-host0.network (LAB.md). No Gateway=: hosts get
  // no route off their subnets.
  for (const i of host.interfaces)
    put(
      `etc/systemd/network/10-halab-${i.name}.network`,
      `# written by halab's lab: ${i.name} on the lab bridge for its subnet\n` +
        `[Match]\nName=${i.name}\n\n` +
        `[Network]\nAddress=${i.address}/${i.prefix}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`,
    )

  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 })
  chmodSync(join(root, 'root/.ssh'), 0o700)
  put('root/.ssh/authorized_keys', publicKey + '\n', 0o600)

  put(
    'etc/apt/apt.conf.d/01halab-proxy',
    `// the lab's apt-cacher-ng: ` +
      `hosts have no route off the lab\nAcquire::http::Proxy "${aptProxy}";\nAcquire::Retries "3";\n`,
  )
  put(
    'etc/apt/sources.list',
    [
      'deb http://deb.debian.org/debian bookworm main',
      'deb http://deb.debian.org/debian bookworm-updates main',
      'deb http://deb.debian.org/debian-security bookworm-security main',
      '',
    ].join('\n'),
  )
}
