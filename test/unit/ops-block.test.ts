import { test } from 'node:test'
import assert from 'node:assert/strict'
import { editBlock, planBlock } from '../../src/ops/block.ts'
import { sha256 } from '../../src/ops/file.ts'
import type { FileState } from '../../src/facts/files.ts'

const existing = (content: string): FileState => ({
  exists: true,
  type: 'file',
  owner: 'root',
  group: 'root',
  mode: '644',
  sha256: sha256(content),
})
const spec = { path: '/etc/hosts', marker: 'cluster', content: '10.0.0.1 web1\n10.0.0.2 web2\n' }
const withBlock = '127.0.0.1 localhost\n# BEGIN halab cluster\n10.0.0.1 web1\n# END halab cluster\n::1 localhost\n'

test('a missing block is appended between its markers', () => {
  assert.equal(
    editBlock('127.0.0.1 localhost\n', spec),
    '127.0.0.1 localhost\n# BEGIN halab cluster\n10.0.0.1 web1\n10.0.0.2 web2\n# END halab cluster\n',
  )
})

test('an existing block is replaced in place, the rest of the file untouched', () => {
  assert.equal(
    editBlock(withBlock, spec),
    '127.0.0.1 localhost\n# BEGIN halab cluster\n10.0.0.1 web1\n10.0.0.2 web2\n# END halab cluster\n::1 localhost\n',
  )
})

test('absent removes the block and its markers only', () => {
  assert.equal(editBlock(withBlock, { ...spec, state: 'absent' }), '127.0.0.1 localhost\n::1 localhost\n')
})

test('the comment prefix follows the file syntax', () => {
  assert.equal(
    editBlock('', { path: '/etc/x.ini', marker: 'm', content: 'a=1', comment: ';' }),
    '; BEGIN halab m\na=1\n; END halab m\n',
  )
})

test('a BEGIN marker without its END is an error, not a guess', () => {
  assert.throws(() => editBlock('# BEGIN halab cluster\nx\n', spec), /has no "# END halab cluster" after it/)
})

test('planBlock writes through planFile with a diff; the same block again plans nothing', () => {
  const changes = planBlock(existing(withBlock), withBlock, spec)
  assert.deepEqual(
    changes.map((c) => c.summary),
    ['update /etc/hosts'],
  )
  assert.equal(changes[0].diff?.before, withBlock)
  const after = changes[0].diff?.after ?? ''
  assert.deepEqual(planBlock(existing(after), after, spec), [])
})

test('absent on a file without the block plans nothing', () => {
  const content = '127.0.0.1 localhost\n'
  assert.deepEqual(planBlock(existing(content), content, { ...spec, state: 'absent' }), [])
})
