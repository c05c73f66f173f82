// Whether the site is installed, asked the way Drupal itself decides it: its state
// `install_task` is `done` in the database settings.php points to (drupal-site.php status).
// Only `drupal_install_node` runs the installer, once, when the database holds no site; a
// half-finished installation is left for a person (rerunning over it would mix two); the
// other nodes only look, since a half-done site may be the install node at work.
import { type Fact, type Plan, sh, type Task } from '../../src/sdk.ts'

export type SiteState = 'installed' | 'not-installed' | 'incomplete'

export interface InstallSpec {
  documentRoot: string
  driver: string
  owner: string
  installNode: string
  /** Form values for Drupal's installer (site and admin account), sent on stdin. */
  form: Record<string, unknown>
}

export function parseSiteState(stdout: string): SiteState {
  const s = stdout.trim().split('\n').pop() ?? ''
  if (s === 'installed' || s === 'not-installed' || s === 'incomplete') return s
  throw new Error(`unexpected answer from the install driver: ${stdout.trim() || '(nothing)'}`)
}

const php = (spec: InstallSpec, action: string): string =>
  sh`cd ${spec.documentRoot} && runuser -u ${spec.owner} -- php ${spec.driver} ${spec.documentRoot} ${action}`

/** The site's state: a fact, read ahead with the role's other probes. */
function siteState(spec: InstallSpec): Fact<SiteState> {
  return {
    key: `drupal-site:${spec.documentRoot}`,
    // Before the first run (or in --check) the driver or PHP may not be there yet: no site.
    command:
      sh`[ -f ${spec.driver} ] && command -v php >/dev/null && [ ` +
      sh`-f ${spec.documentRoot + '/sites/default/settings.php'} ] || { echo not-installed; exit 0; }; ` +
      php(spec, 'status'),
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot tell whether the site is installed: ${(stderr || stdout).trim()}`)
      return parseSiteState(stdout)
    },
  }
}

export function installTask(spec: InstallSpec): Task {
  return {
    name: `drupal site installed (by ${spec.installNode})`,
    facts: () => [siteState(spec)],
    async plan(host): Promise<Plan> {
      const state = await host.fact(siteState(spec))
      if (state === 'installed') return { changes: [], noop: 'the site is installed (install_task done)' }
      // Another node only looks: what it sees half done may be the install node at work now.
      if (host.name !== spec.installNode)
        return {
          changes: [],
          noop:
            `${state === 'incomplete' ? 'being installed, or cut short' : 'not installed yet'}: ` +
            `${spec.installNode} runs the installer and reports it`,
        }
      if (state === 'incomplete')
        throw new Error(
          'the database holds a half-installed site (install_task is not done): ' +
            'drop its tables (or restore a backup) and run again; halab never installs over it',
        )
      return {
        changes: [
          {
            summary: "install the site with Drupal's installer (install_drupal, non-interactive)",
            command: php(spec, 'install') + ' && ' + php(spec, 'status') + ' | grep -qx installed',
            stdin: JSON.stringify(spec.form),
            display: `php ${spec.driver} ${spec.documentRoot} install (form values on stdin)`,
          },
        ],
      }
    },
  }
}
