import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
const require = createRequire('/work/main/package.json')
const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild')
const root = '/work/main'
const mods = ['playbooks/site.ts', ...['apache-php','base','dhcp-client','dhcp-server','drbd','heartbeat','keepalived','lvs'].map(r => `roles/${r}/index.ts`)].map(m => join(root, m))
writeFileSync('/work/main/bench/.exp/cjs-entry.js', [`export { main } from '/work/main/src/cli.ts'`, `import { precompiled } from '/work/main/src/engine/precompiled.ts'`, ...mods.map(m => `precompiled.set(${JSON.stringify(m)}, () => import(${JSON.stringify(m)}))`)].join('\n'))
await esbuild.build({ entryPoints: ['/work/main/bench/.exp/cjs-entry.js'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: '/work/main/bench/.exp/cjs/bundle.cjs', logLevel: 'warning',
  plugins: [{ name: 'ext', setup(b) { b.onResolve({ filter: /^(ssh2|cpu-features|zx)(\/.*)?$/ }, (a) => ({ path: require.resolve(a.path), external: true })) } },
   { name: 'meta', setup(b) { b.onLoad({ filter: /\.ts$/ }, (a) => a.path.includes('node_modules') ? undefined : ({ contents: readFileSync(a.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href)).replaceAll('import.meta.dirname', JSON.stringify(dirname(a.path))).replaceAll('import.meta.filename', JSON.stringify(a.path)), loader: 'ts' })) } }] })
console.log('ok')
