// A lab host's boot console (hosts/NAME/console.log), written by systemd-nspawn or by the
// user-mode-linux kernel alike: lab up follows its growth and shows its end when a boot fails.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { hostPaths } from './paths.js'

/** The console's last lines, without terminal escapes. */
export function consoleTail(name: string, lines = 15): string {
  const file = hostPaths(name).console
  if (!existsSync(file)) return ''
  // eslint-disable-next-line no-control-regex
  const text = readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
  // systemd's progress spinner redraws one line with \r: keep only what stood last.
  const shown = text.split('\n').map((l) => l.split('\r').filter(Boolean).pop() ?? '')
  return shown.join('\n').trimEnd().split('\n').slice(-lines).join('\n')
}

/** The console log's size: it grows while the host boots. */
export function consoleSize(name: string): number {
  try {
    return statSync(hostPaths(name).console).size
  } catch {
    return 0
  }
}
