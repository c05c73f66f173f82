import vm from 'node:vm'
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
const file = '/work/main/bench/.exp/cjs/bundle.cjs'
const useCache = process.env.NOCACHE !== '1'
const cached = useCache && existsSync(file + '.v8') ? readFileSync(file + '.v8') : undefined
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, { filename: file, cachedData: cached, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })
const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(file), module, file, '/work/main/bench/.exp/cjs')
const code = await module.exports.main(process.argv)
if (useCache && (!cached || script.cachedDataRejected)) writeFileSync(file + '.v8', script.createCachedData())
process.exitCode = code
