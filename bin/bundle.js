// halab's bundle: the CLI (src/cli.ts) together with one project's playbooks and roles,
// compiled by esbuild into one CommonJS file under dist/, and a V8 code cache beside it,
// so a run starts without transpiling TypeScript or compiling JavaScript it compiled
// before (tsx costs ~0.7 s per start, the bundle without a code cache ~0.1 s more than
// with it; see docs/bench.md).
//
// - `npm run build` (and `prepare`, so `npm ci` makes it) builds it for halab's own project.
// - A run from another project (a directory with playbooks/, as for the CLI itself) gets
//   its own bundle, built on first use (~0.3 s).
// - It is a cache: rebuilt when any compiled file, the set of playbooks/roles, or the
//   installed packages change (checked by mtime and size at every start, ~1 ms).
// - Playbooks and roles are evaluated when prepare.ts first needs them (src/engine/
//   precompiled.ts); src/ and the packages are in the file once, so there is one copy of
//   every class.
// - Anything that goes wrong here (no esbuild, a read-only checkout, a role that does not
//   compile) returns undefined: bin/run-playbook.js then runs the sources through tsx,
//   which reports errors in roles exactly as before.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import vm from 'node:vm'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const HALAB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const DIST = join(HALAB_ROOT, 'dist')
/** Bump when the bundle's layout changes: older bundles are then rebuilt. */
const FORMAT = 4
/** Loaded from node_modules at run time, not bundled: native bindings, or used by `lab` only. */
const EXTERNAL = ['ssh2', 'cpu-features', 'zx', '@resvg/resvg-js', '@hpcc-js/wasm-graphviz']

/** As src/cli/context.ts projectRoot(): the working directory when it has playbooks/, else halab. */
export function projectRootFor(cwd = process.cwd()) {
  return existsSync(join(cwd, 'playbooks')) ? cwd : HALAB_ROOT
}

/**
 * `{ main, saveCodeCache }` from a fresh bundle (built now if needed), or undefined.
 * saveCodeCache() after the run stores V8's code for every function the run compiled,
 * when there is no cache yet or V8 refused the old one (another node version).
 */
export async function loadBundle(argv = process.argv, log = () => {}) {
  // A playbook given as a path to a .ts file is not in any bundle.
  if (argv.slice(2).some((a) => /\.[cm]?ts$/.test(a))) return undefined
  try {
    const root = projectRootFor()
    let manifest = freshManifest(root)
    if (!manifest) manifest = await buildBundle(root, log)
    // The sources did not compile (a role being edited): tsx reports it, until they change.
    if (manifest.failed) return undefined
    const file = join(bundleDir(root), manifest.build, 'bundle.cjs')
    const cacheFile = `${file}.v8cache`
    let cachedData
    try {
      cachedData = readFileSync(cacheFile)
    } catch {
      /* first run of this build */
    }
    const source = readFileSync(file, 'utf8')
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    })
    const module = { exports: {} }
    script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file))
    const saveCodeCache = () => {
      if (cachedData && !script.cachedDataRejected) return
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`
        writeFileSync(tmp, script.createCachedData())
        renameSync(tmp, cacheFile)
      } catch {
        /* read-only: the next run compiles again */
      }
    }
    return { main: module.exports.main, saveCodeCache }
  } catch (e) {
    if (process.env.HALAB_DEBUG_BUNDLE) process.stderr.write(`halab bundle: ${e?.stack ?? e}\n`)
    return undefined
  }
}

export function bundleDir(root) {
  const id = root === HALAB_ROOT ? 'halab' : `project-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`
  return join(DIST, id)
}

/**
 * Playbooks (playbooks/*.ts), roles (roles/NAME/index.ts) and their live checks
 * (roles/NAME/verify.ts): what prepare.ts and the verify command may import.
 */
function projectModules(root) {
  const modules = []
  for (const f of list(join(root, 'playbooks'))) if (/\.ts$/.test(f)) modules.push(join(root, 'playbooks', f))
  for (const r of list(join(root, 'roles')))
    for (const f of ['index.ts', 'verify.ts'])
      if (existsSync(join(root, 'roles', r, f))) modules.push(join(root, 'roles', r, f))
  return modules.sort()
}

function list(dir) {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function stamp(file) {
  try {
    const s = statSync(file)
    return `${s.mtimeMs}:${s.size}`
  } catch {
    return 'missing'
  }
}

/** What the installed packages look like: npm rewrites its hidden lockfile on every install. */
function packagesStamp() {
  return [
    join(HALAB_ROOT, 'node_modules', '.package-lock.json'),
    join(HALAB_ROOT, 'package.json'),
    fileURLToPath(import.meta.url),
  ]
    .map(stamp)
    .join(' ')
}

/** The manifest when the bundle matches every source it was built from, else undefined. */
export function freshManifest(root) {
  let manifest
  try {
    manifest = JSON.parse(readFileSync(join(bundleDir(root), 'manifest.json'), 'utf8'))
  } catch {
    return undefined
  }
  if (manifest.format !== FORMAT || manifest.root !== root || manifest.packages !== packagesStamp()) return undefined
  if (JSON.stringify(manifest.modules) !== JSON.stringify(projectModules(root))) return undefined
  for (const [file, s] of Object.entries(manifest.inputs)) if (stamp(file) !== s) return undefined
  if (!manifest.failed && !existsSync(join(bundleDir(root), manifest.build, 'bundle.cjs'))) return undefined
  return manifest
}

/** esbuild as tsx itself finds it (halab depends on tsx, tsx on esbuild). */
function loadEsbuild() {
  const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))
  return fromTsx('esbuild')
}

/** Build the bundle for a project, then switch the manifest to it (atomically). */
export async function buildBundle(root, log = () => {}) {
  const started = performance.now()
  const esbuild = loadEsbuild()
  const dir = bundleDir(root)
  const modules = projectModules(root)
  const build = `${Date.now().toString(36)}-${process.pid}`
  const out = join(dir, build)
  mkdirSync(out, { recursive: true })
  const entryFile = join(out, 'halab-entry.js')
  const src = (p) => JSON.stringify(join(HALAB_ROOT, 'src', p))
  writeFileSync(
    entryFile,
    [
      `export { main } from ${src('cli.ts')}`,
      `import { precompiled } from ${src('engine/precompiled.ts')}`,
      ...modules.map((m) => `precompiled.set(${JSON.stringify(m)}, () => import(${JSON.stringify(m)}))`),
    ].join('\n') + '\n',
  )
  const readStamps = new Map()
  let result
  try {
    result = await esbuild.build({
      entryPoints: [entryFile],
      absWorkingDir: '/',
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(out, 'bundle.cjs'),
      metafile: true,
      logLevel: 'silent',
      legalComments: 'none',
      plugins: plugins(readStamps),
    })
  } catch (e) {
    rememberFailure(root, { dir, out, build, modules }, e)
    throw e
  }
  const inputs = {}
  for (const rel of Object.keys(result.metafile.inputs)) {
    const file = resolve('/', rel)
    if (file.includes('/node_modules/') || file === entryFile || !existsSync(file)) continue
    inputs[file] = readStamps.get(file) ?? stamp(file)
  }
  const manifest = {
    format: FORMAT,
    root,
    build,
    modules,
    packages: packagesStamp(),
    inputs,
    builtAt: new Date().toISOString(),
  }
  writeManifest(dir, manifest)
  removeOldBuilds(dir, build)
  const ms = Math.round(performance.now() - started)
  log(`built ${out} (${modules.length} playbooks and roles, ${Object.keys(inputs).length} sources) in ${ms} ms`)
  return manifest
}

/**
 * The esbuild plugins: packages in EXTERNAL stay outside the bundle, and every source keeps its own
 * import.meta; `readStamps` gets the stamp of each source as it was read.
 */
function plugins(readStamps) {
  const require = createRequire(join(HALAB_ROOT, 'package.json'))
  return [
    {
      name: 'halab-external',
      setup(b) {
        // Externals by absolute path: the bundle may live where node_modules is not above it.
        const filter = new RegExp(`^(${EXTERNAL.join('|')})(/.*)?$`)
        b.onResolve({ filter }, (args) => ({ path: require.resolve(args.path), external: true }))
      },
    },
    {
      name: 'halab-import-meta',
      setup(b) {
        // Each source keeps its own import.meta.url/dirname/filename (templates, inventories
        // and the project root are found relative to the source file, not to the bundle).
        b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
          if (args.path.includes('/node_modules/')) return undefined
          // Stamped before reading: a source edited while the bundle builds then looks
          // changed to the next run, which rebuilds, instead of fresh with old content.
          readStamps.set(args.path, stamp(args.path))
          const text = readFileSync(args.path, 'utf8')
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
            .replaceAll('import.meta.filename', JSON.stringify(args.path))
          return { contents: text, loader: 'ts' }
        })
      },
    },
  ]
}

/**
 * A failed build, remembered with the stamps of every source it may have read, so that runs go
 * straight to tsx (which names the error) until one of them changes.
 */
function rememberFailure(root, { dir, out, build, modules }, e) {
  rmSync(out, { recursive: true, force: true })
  const inputs = Object.fromEntries(
    [...sourceFiles(join(HALAB_ROOT, 'src')), ...modules, ...sourceFiles(join(root, 'roles'))].map((f) => [
      f,
      stamp(f),
    ]),
  )
  writeManifest(dir, {
    format: FORMAT,
    root,
    build,
    modules,
    packages: packagesStamp(),
    inputs,
    failed: String(e?.message ?? e)
      .split('\n')
      .slice(0, 3)
      .join(' '),
  })
}

function writeManifest(dir, manifest) {
  mkdirSync(dir, { recursive: true })
  const tmp = join(dir, `manifest.json.${process.pid}.tmp`)
  writeFileSync(tmp, JSON.stringify(manifest, null, 1) + '\n')
  renameSync(tmp, join(dir, 'manifest.json'))
}

/** Every .ts file under a directory (the sources a failed build may have read). */
function sourceFiles(dir) {
  const out = []
  for (const e of (() => {
    try {
      return readdirSync(dir, { withFileTypes: true })
    } catch {
      return []
    }
  })()) {
    if (e.isDirectory()) out.push(...sourceFiles(join(dir, e.name)))
    else if (e.name.endsWith('.ts')) out.push(join(dir, e.name))
  }
  return out
}

/** Builds other than the current one, once no run can still be reading them (10 min). */
function removeOldBuilds(dir, keep) {
  for (const name of list(dir)) {
    const path = join(dir, name)
    if (name === keep || name === 'manifest.json') continue
    try {
      if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { recursive: true, force: true })
    } catch {
      /* another run removed it */
    }
  }
}

// `node bin/bundle.js [--if-stale] [PROJECT_DIR]` (npm run build; npm's `prepare`): build
// now (or only when a source changed). Never fails an install: without a bundle, runs go
// through tsx.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const ifStale = args.includes('--if-stale')
  const dir = args.find((a) => !a.startsWith('--'))
  const root = dir ? resolve(dir) : HALAB_ROOT
  try {
    if (!ifStale || !freshManifest(root)) await buildBundle(root, (line) => process.stdout.write(`halab: ${line}\n`))
  } catch (e) {
    process.stderr.write(`halab: no bundle (${e?.message ?? e}); runs will transpile the sources through tsx\n`)
    process.exitCode = process.env.HALAB_BUILD_STRICT ? 1 : 0
  }
}
