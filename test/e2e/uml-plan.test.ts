// The user-mode-linux backend without a lab (no root needed): each host's kernel from
// --kernel and lab_kernel, the guest's command line (LAB.md's recipe), the per-host config
// disk (identity, keys, interface names by MAC, disks under the inventory's names), and
// which lab overlay the runner applies. The live clusters are in cluster-2node, cluster-lvs and uml-6node.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { InventoryError } from '../../src/errors.ts'
import { loadInventory } from '../../src/inventory/load.ts'
import { topologyFromInventory } from '../../src/lab/topology.ts'
import { labOverlayFile } from '../../src/lab/backend.ts'
import { prepareUmlHost, umlCommandLine, umlMac } from '../../src/lab/uml/host.ts'
import { REPO } from '../helpers/cli.ts'

const INV = 'inventory/2-node'

describe('user-mode-linux lab plan (no root needed)', () => {
  it("takes each host's kernel from --kernel, and lab_kernel per host wins", async () => {
    const inv = await loadInventory(join(REPO, INV), { skipSecrets: true })
    assert.deepEqual(
      topologyFromInventory(inv).hosts.map((h) => h.kernel),
      ['nspawn', 'nspawn'],
    )
    assert.deepEqual(
      topologyFromInventory(inv, { kernel: 'uml' }).hosts.map((h) => h.kernel),
      ['uml', 'uml'],
    )
    inv.hosts.get('nodo2')!.vars.lab_kernel = 'nspawn'
    assert.deepEqual(
      topologyFromInventory(inv, { kernel: 'uml' }).hosts.map((h) => [h.name, h.kernel]),
      [
        ['nodo1', 'uml'],
        ['nodo2', 'nspawn'],
      ],
    )
    inv.hosts.get('nodo2')!.vars.lab_kernel = 'qemu'
    assert.throws(
      () => topologyFromInventory(inv),
      (e: unknown) => {
        assert.ok(e instanceof InventoryError)
        assert.deepEqual(
          e.problems.map((p) => [p.host, p.field]),
          [['nodo2', 'lab_kernel']],
        )
        assert.match(e.message, /must be one of nspawn, uml \(got "qemu"\)/)
        return true
      },
    )
  })

  it("boots each guest with LAB.md's recipe: COW root, config disk, ubd disks, a tap per interface with gro=1", async () => {
    const topo = topologyFromInventory(await loadInventory(join(REPO, INV), { skipSecrets: true }), { kernel: 'uml' })
    const nodo1 = topo.hosts[0]
    const argv = umlCommandLine(nodo1, '/img/base.img', [{ file: '/d/sda6.img' }])
    assert.ok(argv.includes('ubd0=/var/lib/halab/lab/hosts/nodo1/root.cow,/img/base.img'), argv.join(' '))
    assert.ok(argv.includes('ubd1r=/var/lib/halab/lab/hosts/nodo1/config.tar'))
    assert.ok(argv.includes('ubd2=/d/sda6.img'))
    assert.ok(argv.includes(`vec0:transport=tap,ifname=halab-h0i0,mac=${umlMac('nodo1', nodo1.interfaces[0])},gro=1`))
    assert.ok(
      argv.includes('uml_dir=/var/lib/halab/lab/hosts/nodo1/uml'),
      'mconsole sockets live in the host directory lab down removes',
    )
    assert.notEqual(umlMac('nodo1', { name: 'eth0' }), umlMac('nodo2', { name: 'eth0' }))
    assert.equal(umlMac('nodo1', { name: 'eth0', mac: '52:54:00:aa:bb:cc' }), '52:54:00:aa:bb:cc')
  })

  it('applies lab.yml (configuration only) on nspawn labs only', () => {
    const dir = join(REPO, INV)
    assert.equal(labOverlayFile(dir, 'nspawn'), join(dir, 'lab.yml'))
    assert.equal(labOverlayFile(dir, 'uml'), join(dir, 'lab.uml.yml'), 'its own overlay for the real-kernel lab')
    assert.equal(labOverlayFile(dir, 'mixed'), undefined)
  })
})

describe('the config disk of a UML host', () => {
  it('carries identity, host keys, the lab key, eth0 by MAC, networkd and apt files, and /dev/sda6 → ubdc', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'halab-uml-'))
    try {
      const spec = topologyFromInventory(await loadInventory(join(REPO, INV), { skipSecrets: true }), { kernel: 'uml' })
        .hosts[0]
      const paths = {
        dir,
        upper: '',
        work: '',
        root: '',
        disks: join(dir, 'disks'),
        console: join(dir, 'console.log'),
        cow: join(dir, 'root.cow'),
        config: join(dir, 'config'),
        configTar: join(dir, 'config.tar'),
        umlDir: join(dir, 'uml'),
      }
      const r = await prepareUmlHost({
        spec,
        publicKey: 'ssh-ed25519 AAAAtest halab-lab',
        aptProxy: 'http://192.168.0.254:3142',
        paths,
      })
      assert.match(r.hostKey, /^ssh-ed25519 \S+$/)
      assert.deepEqual(
        r.disks.map((d) => [d.name, d.ubd, statSync(d.file).size]),
        [['/dev/sda6', '/dev/ubdc', 256 * 2 ** 20]],
      )
      const list = spawnSync('tar', ['-tf', paths.configTar], { encoding: 'utf8' }).stdout.split('\n')
      for (const f of [
        './etc/hostname',
        './etc/machine-id',
        './etc/ssh/ssh_host_ed25519_key',
        './root/.ssh/authorized_keys',
        './etc/systemd/network/10-halab-eth0.network',
        './etc/systemd/network/10-halab-eth0.link',
        './etc/udev/rules.d/60-halab-disks.rules',
        './etc/apt/apt.conf.d/01halab-proxy',
        './etc/halab-uml-net',
      ])
        assert.ok(list.includes(f), `${f} missing from the config disk:\n${list.join('\n')}`)
      const link = readFileSync(join(paths.config, 'etc/systemd/network/10-halab-eth0.link'), 'utf8')
      assert.match(
        link,
        new RegExp(`MACAddress=${umlMac('nodo1', spec.interfaces[0])}\nOriginalName=vec\\*\n\n\\[Link\\]\nName=eth0`),
      )
      assert.match(
        readFileSync(join(paths.config, 'etc/udev/rules.d/60-halab-disks.rules'), 'utf8'),
        /^KERNEL=="ubdc", SYMLINK\+="sda6"$/m,
      )
      assert.equal(readFileSync(join(paths.config, 'etc/hostname'), 'utf8'), 'nodo1\n')
      // The guest's init names and addresses vec0 before systemd starts (sshd answers early).
      assert.equal(
        readFileSync(join(paths.config, 'etc/halab-uml-net'), 'utf8'),
        'link set dev vec0 name eth0\nlink set dev eth0 up\naddress add 192.168.0.27/24 dev eth0\n',
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
