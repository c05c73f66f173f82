#!/usr/bin/env node
// Thin launcher: registers tsx so the TypeScript sources (roles and playbooks are .ts
// files a user edits) run without a build step, then hands over to the CLI.
import { register } from 'tsx/esm/api'
register()
const { main } = await import('../src/cli.ts')
process.exitCode = await main(process.argv)
