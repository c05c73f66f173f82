// `run-playbook lab …`: up, site, secrets, status, down, stop, start, ssh, exec, doctor. Actions print for people and
// throw a HalabError (LabError, InventoryError) on failure, which the CLI renders with its
// hint (exit 1). exec and ssh also set process.exitCode to the host command's own code,
// and a failed exec throws RemoteExitError carrying it (exitCode), so it is never lost.
import { dirname } from 'node:path'
import type { Command } from 'commander'
import { LabError, RemoteExitError } from './errors.js'
import { resolveInventory } from './topologies.js'

export { resolveInventory }

// The lab's modules (and zx) are imported by the command that needs them: a playbook run
// never loads them (measured: ~40 ms of every start, docs/bench.md).

const log = (line: string): void => void process.stderr.write(`lab: ${line}\n`)

export function registerLabCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description(
      'the local lab: throw-away Debian bookworm hosts for an inventory, on this machine (needs root): ' +
        'systemd-nspawn containers, or user-mode-linux guests with a kernel of their own',
    )
  registerBuildCommands(lab)
  registerPowerCommands(lab)
  registerHostCommands(lab)
}

/** up, site, secrets: from an inventory to running hosts (and a converged cluster). */
function registerBuildCommands(lab: Command): void {
  lab
    .command('up')
    .description(
      'start one host per inventory host, with its interfaces, addresses and disks; prints how to reach them',
    )
    .argument('[topology]', 'shorthand for -i inventory/<topology> (e.g. 2-node, 4-node)')
    .option('-i, --inventory <dir>', 'inventory directory (or its hosts.yml)')
    .option(
      '--kernel <kernel>',
      "what runs hosts without a lab_kernel var: nspawn (this machine's kernel, " +
        'the default) or uml (user-mode-linux: its own kernel, with ip_vs, drbd, ocfs2)',
    )
    .action(labUpAction)

  lab
    .command('site')
    .description(
      'the whole job for a topology: checks (inventory, secrets, root, routes, memory), then lab up → site → ' +
        'verify, each timed; a new .env with random secrets when there is none; each host on a container, or ' +
        "on a real-kernel guest when its roles need what this machine's kernel lacks",
    )
    .argument('[topology]', 'a topology name (default 4-node) or an inventory directory')
    .option('-i, --inventory <dir>', 'inventory directory (or its hosts.yml)')
    .option('--kernel <kernel>', 'put every host on this kernel instead of choosing: nspawn or uml')
    .option('--keep', 'when site or verify fails, leave the lab up to look at it (default: take it down)')
    .option('--load [seconds]', 'verify --load: also measure HTTP load through the VIP with ab')
    .action(labSiteAction)

  lab
    .command('secrets')
    .description(
      "random values for the inventory's ${NAME} secrets, each by the rules of the roles that read it: " +
        'writes .env (mode 0600) when there is none, else prints the lines it lacks or holds as placeholders',
    )
    .argument('[topology]', 'a topology name or an inventory directory')
    .option('-i, --inventory <dir>', 'inventory directory (or its hosts.yml)')
    .action(labSecretsAction)
}

/** status, down, stop, start: the lab as a whole and each host's power. */
function registerPowerCommands(lab: Command): void {
  lab
    .command('status')
    .description('the lab that is up, each host checked now; or what a crashed lab left behind')
    .action(labStatusAction)

  lab
    .command('down')
    .description('stop every host and remove everything the lab made (also after a crash; safe to repeat)')
    .action(labDownAction)

  lab
    .command('stop')
    .description('power a host off (a clean shutdown; --hard pulls the plug), keeping its root and disks for lab start')
    .argument('<host>', 'host name from the inventory')
    .option('--hard', 'kill it at once, as a crashed machine: its peers get no goodbye')
    .action(labStopAction)

  lab
    .command('start')
    .description('power a stopped host on again, with the root and disks it had, and wait for its sshd')
    .argument('<host>', 'host name from the inventory')
    .action(labStartAction)
}

/** ssh, exec, doctor: into a host, and whether this machine can run the lab. */
function registerHostCommands(lab: Command): void {
  lab
    .command('ssh')
    .description('log in to a lab host as root')
    .argument('<host>', 'host name from the inventory')
    .action((host: string) => run(async () => void (process.exitCode = await onHost(host, []))))

  lab
    .command('exec')
    .description("run a command on a lab host: lab exec HOST -- CMD [ARGS...] (exit code is the command's)")
    .argument('<host>', 'host name from the inventory')
    .argument('<command...>', 'the command and its arguments, after --')
    .allowUnknownOption()
    .action((host: string, command: string[]) =>
      run(async () => {
        const code = await onHost(host, command)
        process.exitCode = code
        if (code !== 0) throw new RemoteExitError(host, code)
      }),
    )

  lab
    .command('doctor')
    .description(
      "which kernel features the topologies' roles need (ip_vs, drbd, " +
        'ocfs2+configfs, md, nfsd) and whether this kernel has them; ' +
        'then boots one real-kernel (user-mode-linux) ' +
        'guest to its SSH banner and reports the time (needs root; builds its image once)',
    )
    .option('--no-boot', 'skip the real-kernel boot check')
    .action(labDoctorAction)
}

async function labUpAction(topology: string | undefined, opts: { kernel?: string }, cmd: Command): Promise<void> {
  const inventory = resolveInventory(topology, givenInventory(cmd))
  const { LAB_KERNELS, isLabKernel } = await import('./backend.js')
  if (opts.kernel !== undefined && !isLabKernel(opts.kernel))
    throw new LabError(`--kernel ${opts.kernel}: unknown kernel`, `use --kernel ${LAB_KERNELS.join(' or --kernel ')}`)
  const { labUp } = await import('./up.js')
  const { renderLab } = await import('./table.js')
  const { kernelFeatures } = await import('./doctor.js')
  const r = await labUp({ inventory, log, kernel: opts.kernel })
  process.stdout.write(renderLab(r.state) + '\n')
  const phases = r.phases.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(', ')
  process.stdout.write(
    r.alreadyUp ? 'this lab was already up: nothing changed\n' : `lab up in ${r.seconds.toFixed(1)} s (${phases})\n`,
  )
  const lacking = (await kernelFeatures()).filter((f) => f.available !== 'yes')
  if (lacking.length && r.state.hosts.some((h) => h.kernel !== 'uml'))
    log(
      `this kernel lacks ${lacking.map((f) => f.feature).join(', ')}: ` +
        `roles needing them cannot start here (run-playbook lab doctor)`,
    )
}

/** The flagship topology: LVS-DR + keepalived, DRBD dual-primary + OCFS2, Apache/PHP, PostgreSQL. */
export const DEFAULT_SITE_TOPOLOGY = '4-node'

async function labSiteAction(
  topology: string | undefined,
  opts: { kernel?: string; keep?: boolean; load?: string | boolean },
  cmd: Command,
): Promise<void> {
  const { LAB_KERNELS, isLabKernel } = await import('./backend.js')
  if (opts.kernel !== undefined && !isLabKernel(opts.kernel)) {
    process.stderr.write(`--kernel ${opts.kernel}: unknown kernel (use ${LAB_KERNELS.join(' or ')})\n`)
    return void (process.exitCode = 3)
  }
  const { parseLoad } = await import('../cli/verify-command.js')
  if (parseLoad(opts.load) === null) {
    const { t } = await import('../i18n.js')
    process.stderr.write(`${t('verify.loadInvalid', { value: String(opts.load) })}\n`)
    return void (process.exitCode = 3)
  }
  const inventory = givenInventory(cmd)
  const { labSite } = await import('./site.js')
  process.exitCode = await labSite({
    topology: inventory ? undefined : (topology ?? DEFAULT_SITE_TOPOLOGY),
    inventory,
    kernel: opts.kernel,
    keep: opts.keep,
    load: opts.load,
  })
}

async function labSecretsAction(topology: string | undefined, _opts: unknown, cmd: Command): Promise<void> {
  const inventory = resolveInventory(topology, givenInventory(cmd))
  const { ensureSecrets } = await import('./secrets.js')
  const { envFileProblems } = await import('../inventory/env-file.js')
  const r = await ensureSecrets(inventory, (await import('../cli/context.js')).projectRoot())
  if ('written' in r)
    return void process.stdout.write(`wrote ${r.file} (mode 0600) with new random ${r.written.join(', ')}\n`)
  const unreadable = envFileProblems(dirname(r.file)).filter((p) => !p.field) // placeholders get fresh values below
  for (const p of unreadable) process.stderr.write(`${p.file}: ${p.message}\n`)
  if (!r.fresh.size) {
    process.stdout.write(`${r.file} already holds a real value for every secret the roles read: nothing to do\n`)
  } else {
    process.stdout.write(
      `${r.file} exists and is never overwritten. New random values that satisfy the roles, ` +
        `for the names it lacks or holds as placeholders: put these lines in it\n` +
        [...r.fresh].map(([k, v]) => `${k}=${v}`).join('\n') +
        '\n',
    )
  }
  if (unreadable.length) process.exitCode = 3
}

async function labStatusAction(): Promise<void> {
  const { labStatus } = await import('./status.js')
  const { renderLab } = await import('./table.js')
  const s = await labStatus()
  if (!s.state) {
    if (!s.leftovers.length) return void process.stdout.write('no lab is up\n')
    process.stdout.write(`no lab is up, but an earlier lab left:\n${s.leftovers.map((l) => `  - ${l}`).join('\n')}\n`)
    throw new LabError('leftovers of an earlier lab are on this machine', 'run `run-playbook lab down` to remove them')
  }
  process.stdout.write(renderLab(s.state, s.hosts) + '\n')
  if (s.state.phase !== 'up')
    throw new LabError(
      'this lab is still starting, or its lab up did not finish',
      'wait for lab up, or run `run-playbook lab down`',
    )
  // Hosts powered off by `lab stop` are a state the user chose, not a fault.
  const poweredOff = s.state.hosts.filter((h) => h.status === 'stopped').map((h) => h.name)
  if (poweredOff.length)
    process.stdout.write(`powered off by lab stop: ${poweredOff.join(', ')} (run-playbook lab start HOST)\n`)
  const notUp = [...s.hosts].filter(([k, v]) => v !== 'up' && !poweredOff.includes(k)).map(([k, v]) => `${k} (${v})`)
  if (notUp.length) throw new LabError(`not up: ${notUp.join(', ')}`, 'run `run-playbook lab down`, then lab up again')
}

async function labDownAction(): Promise<void> {
  const { requireRoot } = await import('./safety.js')
  requireRoot('lab down')
  const { ensureSbinOnPath } = await import('./deps.js')
  ensureSbinOnPath()
  const { withLabLock } = await import('./state.js')
  const { teardown } = await import('./down.js')
  const r = await withLabLock(teardown)
  if (!r.stopped.length && !r.removed.length) return void process.stdout.write('no lab was up: nothing to remove\n')
  process.stdout.write(
    `lab down in ${r.seconds.toFixed(1)} s: ` +
      `stopped ${r.stopped.length} process(es), removed ${r.removed.length} item(s)\n`,
  )
}

async function labStopAction(host: string, opts: { hard?: boolean }): Promise<void> {
  const { requireRoot } = await import('./safety.js')
  requireRoot(`lab stop ${host}`)
  const { labStop } = await import('./power.js')
  const r = await labStop(host, opts)
  process.stdout.write(
    r.already
      ? `${host} was already stopped\n`
      : `${host} stopped${opts.hard ? ' (hard)' : ''} in ${r.seconds.toFixed(1)} s; ` +
          `\`run-playbook lab start ${host}\` powers it on again\n`,
  )
}

async function labStartAction(host: string): Promise<void> {
  const { requireRoot } = await import('./safety.js')
  requireRoot(`lab start ${host}`)
  const { ensureSbinOnPath } = await import('./deps.js')
  ensureSbinOnPath()
  const { labStart } = await import('./power.js')
  const r = await labStart(host)
  process.stdout.write(
    r.already
      ? `${host} was already running\n`
      : `${host} up again: ssh answered ${r.seconds.toFixed(1)} s after the start\n`,
  )
}

async function labDoctorAction(opts: { boot: boolean }): Promise<void> {
  const { ensureSbinOnPath } = await import('./deps.js')
  ensureSbinOnPath()
  const { kernelFeatures, labPrerequisites, renderDoctor } = await import('./doctor.js')
  const prerequisites = labPrerequisites()
  process.stdout.write(renderDoctor(await kernelFeatures(), prerequisites) + '\n')
  if (prerequisites.some((p) => !p.startsWith('packages') && !p.startsWith('loop'))) process.exitCode = 1
  if (!opts.boot) return
  const { checkRealKernelBoot, renderBootCheck } = await import('./doctor-boot.js')
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return void process.stdout.write(
      renderBootCheck({ skipped: 'it needs root (sudo npx run-playbook lab doctor)' }) + '\n',
    )
  const r = await checkRealKernelBoot(log)
  process.stdout.write(renderBootCheck(r) + '\n')
  if ('ok' in r && !r.ok) process.exitCode = 1
}

/** -i given on the command line, to `lab up` or to the program (whose own -i has a default). */
function givenInventory(cmd: Command): string | undefined {
  for (let c: Command | null = cmd; c; c = c.parent)
    if (c.getOptionValueSource('inventory') === 'cli') return c.getOptionValue('inventory') as string
  return undefined
}

async function onHost(name: string, argv: string[]): Promise<number> {
  const { requireRoot } = await import('./safety.js')
  requireRoot(argv.length ? `lab exec ${name} -- ${argv.join(' ')}` : `lab ssh ${name}`)
  const { findHost, runOnHost } = await import('./ssh.js')
  const host = findHost(name)
  return (await runOnHost(host, argv)).code
}

const run = (fn: () => Promise<void>): Promise<void> => fn()
