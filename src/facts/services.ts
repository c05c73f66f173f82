// Services: running and enabled state, through systemd when PID 1 is systemd, else
// through the init scripts (`service`, update-rc.d links).
import { sh } from '../transport/quote.js'
import type { Fact } from '../engine/types.js'

export interface ServiceState {
  manager: 'systemd' | 'sysv'
  /** The unit or init script exists on the host. */
  exists: boolean
  active: boolean
  enabled: boolean
}

export function serviceState(name: string): Fact<ServiceState> {
  return {
    key: `service:${name}`,
    command:
      sh`n=${name}; if [ -d /run/systemd/system ]; then echo systemd; ` +
      `if systemctl cat -- "$n.service" >/dev/null 2>&1 || systemctl cat -- "$n" >/dev/null 2>&1; then echo exists; fi; ` +
      `systemctl is-active --quiet -- "$n" && echo active; s=$(systemctl is-enabled -- "$n" 2>/dev/null); case "$s" in enabled|enabled-runtime|static|alias|generated|indirect) [ "$s" = static ] || echo enabled;; esac; ` +
      `else echo sysv; [ -x "/etc/init.d/$n" ] && echo exists && { service "$n" status >/dev/null 2>&1 && echo active; ls /etc/rc[2345].d/S??"$n" >/dev/null 2>&1 && echo enabled; }; fi; true`,
    parse: ({ stdout }) => {
      const words = new Set(stdout.split('\n').map((l) => l.trim()))
      return {
        manager: words.has('systemd') ? 'systemd' : 'sysv',
        exists: words.has('exists'),
        active: words.has('active'),
        enabled: words.has('enabled'),
      }
    },
  }
}
