#!/usr/bin/env node
// Launcher. Fast path: the CLI bundled with this project's playbooks and roles as plain
// JavaScript, with a V8 code cache (bin/bundle.js: made by `npm run build`, remade on the
// first run after a source changes). Fallback, and with HALAB_NO_BUNDLE=1: tsx
// transpiles the TypeScript sources (roles and playbooks are .ts files a user edits).
import { loadBundle } from './bundle.js'

const bundle = process.env.HALAB_NO_BUNDLE ? undefined : await loadBundle(process.argv)
let main = bundle?.main
if (!main) {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli.ts'))
}
process.exitCode = await main(process.argv)
bundle?.saveCodeCache()
