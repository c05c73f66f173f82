import { test } from 'node:test'
import assert from 'node:assert/strict'
import { interfaceWithAddress, parseIpOutput } from '../../src/facts/network.ts'

const links = [
  '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
  '2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0',
  '3: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:02 brd ff:ff:ff:ff:ff:ff',
].join('\n')
const addrs = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 192.0.2.100/24 scope global secondary eth0:vip\\       valid_lft forever preferred_lft forever',
].join('\n')

test('links and their IPv4 addresses, aliases labelled, interfaces without addresses kept', () => {
  const ifaces = parseIpOutput(links, addrs)
  assert.deepEqual(
    ifaces.map((i) => [i.name, i.up, i.state, i.mtu, i.addresses.map((a) => a.cidr)]),
    [
      ['lo', true, 'UNKNOWN', 65536, ['127.0.0.1/8']],
      ['eth0', true, 'UP', 1500, ['192.0.2.2/24', '192.0.2.100/24']],
      ['eth1', false, 'DOWN', 1500, []],
    ],
  )
  assert.equal(ifaces[1].mac, '02:fc:00:00:00:01')
  assert.deepEqual(ifaces[1].addresses[1], {
    address: '192.0.2.100',
    prefix: 24,
    cidr: '192.0.2.100/24',
    scope: 'global',
    label: 'eth0:vip',
    secondary: true,
  })
  assert.equal(ifaces[0].addresses[0].scope, 'host')
})

test('who holds an address (a VIP)', () => {
  assert.equal(interfaceWithAddress(parseIpOutput(links, addrs), '192.0.2.100')?.name, 'eth0')
  assert.equal(interfaceWithAddress(parseIpOutput(links, addrs), '192.0.2.9'), undefined)
})
