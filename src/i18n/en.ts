// The English messages: the reference catalogue. Every key here must exist in es.ts with the
// same parameters (the type below enforces it, test/unit/i18n.test.ts checks it at run time).
// A message is a string, or a function of named parameters (strings and numbers only).

const s = (n: number): string => (n === 1 ? '' : 's')

/** A host's tallies in the recap. */
interface Counts {
  ok: number
  changed: number
  failed: number
  skipped: number
  unreachable: number
}

export const en = {
  // Progress, one line per event (plain) or per task (listr2).
  'run.hosts': (p: { hosts: string }) => `hosts: ${p.hosts}`,
  'run.checkMode': 'CHECK MODE (nothing is changed).',
  'run.checkModeShort': 'check mode',
  'run.play': (p: { play: string }) => `PLAY ${p.play}`,
  'run.playDone': (p: { play: string }) => `PLAY ${p.play} done`,
  'status.ok': 'ok',
  'status.changed': 'changed',
  'status.skipped': 'skipped',
  'status.failed': 'failed',
  'status.unreachable': 'unreachable',
  'task.handler': 'handler',
  'task.warning': (p: { warning: string }) => `warning: ${p.warning}`,
  'task.notRun': (p: { host: string; status: string }) => `not run: ${p.host} ${p.status}`,

  // The one dim line for the plays no host of the run is in, instead of empty PLAYs.
  'run.hostless': (p: { count: number; plays: string }) => `(${p.count} play(s) with no host in this run: ${p.plays})`,

  // The recap after a run.
  'recap.title': (p: { seconds: string }) => `RECAP (${p.seconds} s)`,
  'recap.counts': (p: Counts) =>
    `ok=${p.ok} changed=${p.changed} failed=${p.failed} skipped=${p.skipped} unreachable=${p.unreachable}`,
  'recap.note': (p: { note: string }) => `note: ${p.note}`,
  'recap.summary': (p: { hosts: number; unchanged: number; changed: number; failed: number; unreachable: number }) =>
    `${p.hosts} host${s(p.hosts)}: ${p.unchanged} unchanged, ${p.changed} changed, ` +
    `${p.failed} failed, ${p.unreachable} unreachable`,
  'recap.nextFailed': (p: { hosts: string }) =>
    `a task failed on ${p.hosts}: read its error above (task, command, exit code, output), fix the cause ` +
    'and run again; what is already right is not redone',
  'recap.nextUnreachable': (p: { hosts: string }) =>
    `could not reach ${p.hosts}: check that it is up and that SSH answers ` +
    '(for the local lab: run-playbook lab status), then run again',

  // The verification table.
  'verify.title': (p: { title: string }) => `VERIFY ${p.title}`,
  'verify.check': 'check',
  'verify.result': 'result',
  'verify.time': 'time',
  'verify.detail': 'detail',
  'verify.pass': 'pass',
  'verify.fail': 'FAIL',
  'verify.notRun': 'not run',
  'verify.summary': (p: { pass: number; fail: number; notRun: number }) =>
    `checks: ${p.pass} pass, ${p.fail} fail, ${p.notRun} not run`,
  'verify.suiteChecks': (p: { title: string }) => `${p.title} checks`,
  'verify.nothing': (p: { roles: string; inventory: string }) =>
    `nothing to verify: no role with live checks (${p.roles}) runs on ${p.inventory}`,
  'verify.loadInvalid': (p: { value: string }) => `--load: "${p.value}" is not a number of seconds from 1 to 600`,
  'verify.loadNoPair': (p: { inventory: string }) =>
    '--load: it measures through the VIP of an LVS-NAT pair under Pacemaker (inventory/6-node), ' +
    `and no host of ${p.inventory} runs one: no load measured`,
  'verify.roleNotOnHost': (p: { role: string; host: string }) => `${p.role} does not run on ${p.host}`,

  // Errors: what failed, where, and what to do next.
  'error.invalidInput': (p: { count: number }) => `invalid input (${p.count} problem${s(p.count)}), nothing was run:`,
  'error.fixProblems': 'fix the problems listed above and run again',
  'error.whereHost': (p: { host: string }) => `host ${p.host}`,
  'error.whereHosts': (p: { hosts: string }) => `hosts ${p.hosts}`,
  'error.whereField': (p: { field: string }) => `field ${p.field}`,
  'error.unreachable': (p: { host: string; message: string }) => `${p.host}: unreachable: ${p.message}`,
  'error.connectionLostHint': 'check the host (run-playbook lab status for the lab) and run again: the rerun converges',
  'error.command': 'command',
  'error.exitCode': 'exit code',
  'error.noExitCode': 'none (channel closed)',
  'error.output': 'output',
  'error.exit127': 'command not found',
  'error.exit126': 'not executable',
  'error.exit124': 'stopped at its timeout',
  'error.commandFailed': (p: { host: string }) => `command failed on ${p.host}`,
  'error.nextNotInstalled': (p: { host: string }) =>
    `the command is not installed on ${p.host}: add its package to an earlier task (or base_packages), then run again`,
  'error.nextConnectionLost': (p: { host: string }) =>
    `the connection to ${p.host} was lost: check the host (run-playbook lab status for the lab) and run again`,
  'error.nextFix': (p: { host: string }) =>
    `fix the cause shown above on ${p.host}, ` +
    `then run again (--limit ${p.host} reruns just this host; --check shows what would change)`,

  // Connecting over SSH.
  'ssh.noAnswer': (p: { address: string; seconds: number }) => `no answer from ${p.address} within ${p.seconds} s`,
  'ssh.noAnswerHint':
    'check that the host is up and the address/port in the inventory are right ' +
    '(for the local lab: run-playbook lab status)',
  'ssh.cannotConnect': (p: { address: string; reason: string }) => `cannot connect to ${p.address}: ${p.reason}`,
  'ssh.cannotConnectHint': 'check that the host is up, sshd is running and the address/port in the inventory are right',
  'ssh.sudoHint': (p: { user: string; host: string }) =>
    `give ${p.user} passwordless sudo (NOPASSWD) on ${p.host}, set ansible_become_password in .env, ` +
    'or connect as root',
  'ssh.becomePasswordHint': (p: { user: string; host: string }) =>
    `check ansible_become_password for ${p.host} (and that ${p.user} may use sudo there)`,
  'ssh.revoked': (p: { fingerprint: string; where: string }) =>
    `host key ${p.fingerprint} is marked @revoked in ${p.where}`,
  'ssh.revokedHint': 'do not connect to this host until its key is replaced',
  'ssh.keyChanged': (p: { name: string; key: string; where: string }) =>
    `HOST KEY CHANGED for ${p.name}: it now presents ${p.key}, but ${p.where} records another ` +
    'key. This can mean an attack, or a reinstalled host.',
  'ssh.keyChangedHint': (p: { command: string }) =>
    `if the host was really reinstalled, remove the old entry (${p.command}) and run again with --accept-new-hosts`,
  'ssh.or': 'or',
  'ssh.unknownKey': (p: { name: string; key: string; files: string }) =>
    `unknown host key for ${p.name}: ${p.key} (not in ${p.files})`,
  'ssh.unknownKeyHint': (p: { command: string; knownHosts: string }) =>
    `check the fingerprint on the host (${p.command}), ` +
    `then run again with --accept-new-hosts to record it in ${p.knownHosts}`,
  'ssh.readKey': (p: { path: string; reason: string }) => `cannot read the private key ${p.path}: ${p.reason}`,
  'ssh.readKeyHint': 'fix ansible_ssh_private_key_file in the inventory (or IdentityFile in ~/.ssh/config)',
  'ssh.noKey':
    'no SSH key or password: no ansible_ssh_private_key_file, no IdentityFile, no ~/.ssh/id_*, no ssh-agent ' +
    'and no ansible_password',
  'ssh.noKeyHint':
    'set ansible_ssh_private_key_file for this host, start ssh-agent with your key, or give ansible_password from .env',
  'ssh.defaultKeys': 'default keys/agent',
  'ssh.keyRefused': (p: { target: string; keys: string; password: boolean }) =>
    `${p.target} refused our ${p.password ? 'key and password (ansible_password)' : 'key'} (${p.keys})`,
  'ssh.keyRefusedHint': (p: { host: string; user: string; password: boolean }) =>
    `check ansible_user, ansible_ssh_private_key_file${p.password ? ' and ansible_password' : ''} for ${p.host}, ` +
    `and that the public key is in ${p.user}'s authorized_keys`,
  'ssh.throughJump': (p: { jump: string; detail: string }) => `through jump host ${p.jump}: ${p.detail}`,
  'ssh.jumpHint': (p: { jump: string; password: boolean }) =>
    `check User/IdentityFile for Host ${p.jump} in ~/.ssh/config, or the -J value` +
    `${p.password ? ', and ansible_password' : ''}; the jump host must have your public key in authorized_keys`,
  'ssh.jumpClosed': (p: { jump: string; detail: string }) =>
    `the connection to the jump host ${p.jump} closed (${p.detail})`,
  'ssh.jumpClosedHint': (p: { jump: string }) => `check that ${p.jump} is up (the next host logs in to it again)`,
  'ssh.otherPrompt': (p: { prompt: string }) => `the server asked '${p.prompt}', which halab cannot answer`,
  'ssh.otherPromptHint':
    'halab answers only password prompts with ansible_password: log in with a key ' +
    '(ansible_ssh_private_key_file), or let this user log in with the password alone',
  'ssh.handshakeTimeout': (p: { address: string }) => `SSH handshake with ${p.address} timed out`,
  'ssh.handshakeTimeoutHint': 'is sshd answering on that port? (ssh -v may tell more)',

  // Invalid input: the common problems a person meets first.
  'input.notHostOrGroup': (p: { name: string; inventory: string; groups: string }) =>
    `"${p.name}" is neither a host nor a group of the inventory ${p.inventory} (its groups: ${p.groups})`,
  'input.matchesNoHost': (p: { pattern: string; inventory: string; groups: string }) =>
    `"${p.pattern}" matches no host of the inventory ${p.inventory} (its groups: ${p.groups})`,
  'input.roleNotInPlaybook': (p: { role: string; roles: string }) =>
    `role "${p.role}" is not in this playbook (it has: ${p.roles})`,
  'input.noPlaybook': (p: { name: string }) => `no playbook "${p.name}" (playbooks are playbooks/<name>.ts)`,
  'input.noInventory': 'no such inventory (give a directory holding hosts.yml, or the file itself, with -i)',
  'input.noInventoryFile': (p: { files: string }) => `no inventory file in this directory (looked for ${p.files})`,
  'input.envOpen': (p: { mode: string; file: string }) =>
    `holds secrets but is open to group or others (mode ${p.mode}): run chmod 600 ${p.file}`,
  'input.envUnset': (p: { name: string }) =>
    `\${${p.name}} is not set: add ${p.name}=... to .env beside the inventory (see .env.example) or export it`,

  // --tags, --skip-tags and --start-at-task: a value that picks no task.
  'select.noTag': (p: { tag: string; tags: string }) =>
    `no task of this run has the tag "${p.tag}" (its tags: ${p.tags})`,
  'select.noTagMatches': (p: { pattern: string; tags: string }) =>
    `no tag of this run matches "${p.pattern}" (its tags: ${p.tags})`,
  'select.untagged': (p: { tag: string }) =>
    `no task of this run is "${p.tag}": each one is tagged with its role's name`,
  'select.noStartTask': (p: { name: string }) =>
    `no task of this run is named "${p.name}" (--list-tasks shows their names)`,

  // --list-hosts, --list-tasks, --list-tags and --syntax-check: what a run would do, nothing run.
  'list.playbook': (p: { playbook: string }) => `playbook: ${p.playbook}`,
  'list.play': (p: { number: number; play: string; pattern: string }) =>
    `PLAY #${p.number} ${p.play} (hosts: ${p.pattern})`,
  'list.hostCount': (p: { count: number }) => `${p.count} host${s(p.count)}`,
  'list.hostsOf': (p: { hosts: string }) => `hosts ${p.hosts}:`,
  'list.tags': (p: { tags: string }) => `TAGS: [${p.tags}]`,
  'list.taskTags': (p: { tags: string }) => `TASK TAGS: [${p.tags}]`,
  'list.hostless': (p: { count: number; plays: string }) => `no host in this run for ${p.count} play(s): ${p.plays}`,
  'list.syntaxOk': (p: { playbook: string; inventory: string; hosts: number; plays: number }) =>
    `playbook: ${p.playbook}: syntax and variables ok (inventory ${p.inventory}: ${p.hosts} host(s), ` +
    `${p.plays} play(s) with hosts); nothing was run`,

  // lab site: what it did and what to do next.
  'labSite.nothingStarted': 'nothing was started',
  'labSite.upFailed': 'lab up failed, and took down what it had started',
  'labSite.failedKept': (p: { phase: string; code: number }) =>
    `${p.phase} failed (exit ${p.code}); the lab is still up: look with lab ssh HOST, remove it with lab down`,
  'labSite.failedDown': (p: { phase: string; code: number }) =>
    `${p.phase} failed (exit ${p.code}): taking down the lab it made (run with --keep to leave it up for a look)`,
  'labSite.down': 'the lab is down: nothing is left running',
  'labSite.running': (p: { hosts: string; inventory: string; first: string }) =>
    `Running now: ${p.hosts} (${p.inventory}), converged and verified. ` +
    `Explore: sudo npx run-playbook lab ssh ${p.first} · sudo npx run-playbook verify -i ${p.inventory} · ` +
    'sudo npx run-playbook lab down',
  // The command line.
  'cli.noHosts': (p: { inventory: string; filters: string }) =>
    `no hosts matched (inventory ${p.inventory}${p.filters}): nothing to do`,
  'cli.forks': (p: { value: string }) =>
    `expected how many hosts run in parallel, a whole number 1 or more; got "${p.value}"`,
  'cli.graphFormat': (p: { format: string; formats: string }) =>
    `graph: unknown format "${p.format}" (${p.formats}; or -o FILE.svg|.png|.dot)`,
  'graph.liveTimeout': (p: { value: string }) =>
    `graph: --timeout expects how many seconds to wait for each host, a number from 1 to 60; got "${p.value}"`,
  'graph.liveNoAnswer': (p: { seconds: number }) => `no answer within ${p.seconds} s`,
  'graph.labUp': (p: { inventory: string }) =>
    `the lab is up for ${p.inventory}: add --live to see who holds each VIP now and which hosts are down`,
} satisfies Record<string, string | ((p: never) => string)>

export type Catalogue = typeof en
