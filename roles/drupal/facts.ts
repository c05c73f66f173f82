// What the drupal role reads on a host: whether the site is installed, asked the way Drupal
// itself decides it: its state `install_task` is `done` in the database settings.php points
// to (the install driver's `status`).
import { type Fact, sh } from '../../src/sdk.ts'

export type SiteState = 'installed' | 'not-installed' | 'incomplete'

/** The install driver (drupal-site.php) and the site it runs for, as the web server's user. */
export interface InstallDriver {
  documentRoot: string
  driver: string
  owner: string
  /** The oldest PHP the code base runs on: the driver refuses an older one, saying so. */
  phpMin: string
}

/** The driver's command line for `status` or `install`. */
export const php = (spec: InstallDriver, action: string): string =>
  sh`cd ${spec.documentRoot} && runuser -u ${spec.owner} -- php ${spec.driver} ${spec.documentRoot} ${action} ` +
  sh`${spec.phpMin}`

export function parseSiteState(stdout: string): SiteState {
  const s = stdout.trim().split('\n').pop() ?? ''
  if (s === 'installed' || s === 'not-installed' || s === 'incomplete') return s
  throw new Error(`unexpected answer from the install driver: ${stdout.trim() || '(nothing)'}`)
}

/** The site's state: a fact, read ahead with the role's other probes. */
export function siteState(spec: InstallDriver): Fact<SiteState> {
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
