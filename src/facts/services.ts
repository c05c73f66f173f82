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
      // One `systemctl show` answers all three (measured: 7 ms instead of 26 ms for cat,
      // is-active and is-enabled, docs/bench.md). A unit generated from an init script says
      // "generated" there: only is-enabled reads its rc links, so it is asked then.
      sh`n=${name}; if [ -d /run/systemd/system ]; then echo systemd; ` +
      `ex=; gen=; for kv in $(systemctl show -p LoadState -p ActiveState ` +
      `-p UnitFileState -- "$n" 2>/dev/null); do case "$kv" in ` +
      `LoadState=not-found|LoadState=) ;; LoadState=*) ex=1;; ` +
      `ActiveState=active|ActiveState=reloading) echo active;; ` +
      `UnitFileState=enabled|UnitFileState=enabled-runtime|UnitFileState=alias|UnitFileState=indirect) ` +
      `echo enabled;; UnitFileState=generated) gen=1;; esac; done; ` +
      `[ -n "$ex" ] && echo exists; [ -n "$gen" ] && case "$(systemctl is-enabled -- "$n" ` +
      `2>/dev/null)" in enabled|enabled-runtime|alias|generated|indirect) echo enabled;; esac; ` +
      `else echo sysv; [ -x "/etc/init.d/$n" ] && echo exists ` +
      `&& { service "$n" status >/dev/null 2>&1 && echo active; ` +
      `ls /etc/rc[2345].d/S??"$n" >/dev/null 2>&1 && echo enabled; }; fi; true`,
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
