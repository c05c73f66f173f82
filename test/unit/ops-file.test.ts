// The file op's write, as data: the candidate has its final owner and mode before any
// content is written; names that would become options and relative paths are refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { planFile } from '../../src/ops/file.ts'

const absent = { exists: false } as const
const present = { exists: true, type: 'file', sha256: 'x', owner: 'root', group: 'root', mode: '644' } as const

test('a new secret file is 0600 from its first byte: mode before content, never 644 on the way', () => {
  const [c] = planFile(
    absent as never,
    { path: '/etc/ha.d/authkeys', content: 's3cret', mode: '0600' },
    Buffer.from('s3cret'),
  )
  const steps = c.command!.split(' && ')
  const chmod = steps.indexOf('chmod -- 600 "$t"')
  assert.ok(chmod > 0, c.command)
  assert.ok(chmod < steps.indexOf('cat > "$t"'), 'the mode is set before the content is written')
  assert.equal(steps.filter((s) => /chmod 644/.test(s)).length, 0)
})

test('an existing file keeps its owner and mode from the start unless the spec says otherwise', () => {
  const [c] = planFile(present as never, { path: '/etc/x.conf', content: 'new' }, Buffer.from('new'))
  const steps = c.command!.split(' && ')
  assert.ok(steps.indexOf('chmod --reference=/etc/x.conf -- "$t"') < steps.indexOf('cat > "$t"'), c.command)
  assert.ok(steps.indexOf('chown --reference=/etc/x.conf -- "$t"') < steps.indexOf('cat > "$t"'), c.command)
})

test('an owner or group that would be an option of chown is refused, naming the file', () => {
  for (const owner of ['--reference=/etc/shadow', '-R', 'a b', 'root;id', '']) {
    assert.throws(
      () => planFile(absent as never, { path: '/etc/x', content: 'x', owner }, Buffer.from('x')),
      /owner of \/etc\/x: .* is not a user or group name/,
    )
    assert.throws(
      () => planFile(present as never, { path: '/etc/x', group: owner }, undefined),
      /group of \/etc\/x: .* is not a user or group name/,
    )
  }
  for (const ok of ['www-data', 'postgres', '_apt', '33', 'svc.user', 'machine$'])
    assert.doesNotThrow(() => planFile(present as never, { path: '/etc/x', owner: ok, group: ok }, undefined))
})

test("a relative path is refused: it would land in the remote login's home", () => {
  assert.throws(
    () => planFile(absent as never, { path: 'etc/x', content: 'x' }, Buffer.from('x')),
    /path "etc\/x" is not absolute/,
  )
})
