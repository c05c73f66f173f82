// The site installed once: the install driver's `status` (the siteState fact) says whether
// Drupal's `install_task` is done. Only `drupal_install_node` runs the installer, once,
// when the database holds no site; a half-finished installation is left for a person
// (rerunning over it would mix two); the other nodes only look, since a half-done site may
// be the install node at work.
import type { Plan, Task } from '../../src/sdk.ts'
import { type InstallDriver, php, siteState } from './facts.ts'

export interface InstallSpec extends InstallDriver {
  installNode: string
  /** Form values for Drupal's installer (site and admin account), sent on stdin. */
  form: Record<string, unknown>
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
