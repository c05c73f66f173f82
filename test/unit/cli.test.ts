// The CLI's pure parts: help requests, folded validation problems.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { foldProblems, formatProblem, InventoryError } from '../../src/errors.ts'
import { playbookAskingHelp, rewriteHelp } from '../../src/cli/help.ts'

const COMMANDS = ['verify', 'graph', 'lab']

describe('help requests', () => {
  it('`help` and `help X` become --help for the program or for X', () => {
    assert.deepEqual(rewriteHelp(['help']), ['--help'])
    assert.deepEqual(rewriteHelp(['help', 'lab', 'up']), ['lab', 'up', '--help'])
    assert.deepEqual(rewriteHelp(['site', '-i', 'x']), ['site', '-i', 'x'])
  })

  it('a playbook followed by --help (options anywhere) asks for that playbook’s help', () => {
    assert.equal(playbookAskingHelp(['site', '--help'], COMMANDS), 'site')
    assert.equal(playbookAskingHelp(['-i', 'inventory/4-node', 'site', '-h'], COMMANDS), 'site')
    assert.equal(playbookAskingHelp(['--lang', 'es', 'site', '--help'], COMMANDS), 'site')
    assert.equal(playbookAskingHelp(['site', '-vv', '--tags', 'config', '--help'], COMMANDS), 'site')
  })

  it('the program’s own help, a subcommand’s help and a run without --help are left to commander', () => {
    assert.equal(playbookAskingHelp(['--help'], COMMANDS), undefined)
    assert.equal(playbookAskingHelp(['verify', '--help'], COMMANDS), undefined)
    assert.equal(playbookAskingHelp(['lab', 'up', '--help'], COMMANDS), undefined)
    assert.equal(playbookAskingHelp(['site', '-i', 'inventory/2-node'], COMMANDS), undefined)
    assert.equal(playbookAskingHelp(['-i', '--help', 'site'], COMMANDS), undefined, '--help as the value of -i')
  })
})

describe('folded validation problems', () => {
  const p = (host: string, message = 'base: Invalid input: expected string') => ({
    file: 'group_vars/all.yml',
    line: 3,
    host,
    field: 'base_packages',
    message,
  })

  it('the same problem on several hosts is one line naming them all', () => {
    const folded = foldProblems([p('protoss'), p('terran'), p('zerg', 'other'), p('protoss')])
    assert.equal(folded.length, 2)
    assert.equal(
      formatProblem(folded[0]),
      'group_vars/all.yml:3, hosts protoss, terran, field base_packages: base: Invalid input: expected string',
    )
    assert.equal(formatProblem(folded[1]), 'group_vars/all.yml:3, host zerg, field base_packages: other')
  })

  it('the error counts and lists the folded problems, and keeps every original one', () => {
    const e = new InventoryError([p('a'), p('b'), p('c'), { field: '--limit', message: 'no host' }])
    assert.match(e.message, /^invalid input \(2 problems\)/)
    assert.match(e.message, /hosts a, b, c, field base_packages/)
    assert.equal(e.problems.length, 4)
  })
})
