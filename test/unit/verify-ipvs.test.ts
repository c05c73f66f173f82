// What verify reads from ipvsadm, and when a spread of requests matches the weights.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ipvsDestinations, spreadByWeight } from '../../src/verify/ipvs.ts'

test('ipvsadm -Ln: one destination per "->" line, header lines ignored', () => {
  const out = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  10.0.0.4:80 wrr',
    '  -> 192.168.10.2:80              Route   2      0          3',
    '  -> 192.168.10.3:80              Route   1      1          0',
    '  -> 127.0.0.1:80                 Local   1      0          0',
  ].join('\n')
  assert.deepEqual(ipvsDestinations(out), [
    { address: '192.168.10.2:80', forward: 'Route', weight: 2 },
    { address: '192.168.10.3:80', forward: 'Route', weight: 1 },
    { address: '127.0.0.1:80', forward: 'Local', weight: 1 },
  ])
})

test('a spread matches the weights within one request, and only real servers answer', () => {
  const want = new Map([
    ['protoss', 8],
    ['terran', 4],
  ])
  assert.equal(
    spreadByWeight(
      new Map([
        ['protoss', 8],
        ['terran', 4],
      ]),
      want,
    ),
    undefined,
  )
  assert.equal(
    spreadByWeight(
      new Map([
        ['protoss', 7],
        ['terran', 5],
      ]),
      want,
    ),
    undefined,
  )
  assert.match(
    spreadByWeight(
      new Map([
        ['protoss', 6],
        ['terran', 6],
      ]),
      want,
    ) ?? '',
    /expected protoss 8, terran 4; got protoss 6, terran 6/,
  )
  assert.match(spreadByWeight(new Map([['protoss', 12]]), want) ?? '', /got protoss 12, terran 0/)
  assert.match(spreadByWeight(new Map([['zerg', 12]]), want) ?? '', /answers from zerg/)
})
