export { main } from '/work/main/src/cli.ts'
import { precompiled } from '/work/main/src/engine/precompiled.ts'
precompiled.set("/work/main/playbooks/site.ts", () => import("/work/main/playbooks/site.ts"))
precompiled.set("/work/main/roles/apache-php/index.ts", () => import("/work/main/roles/apache-php/index.ts"))
precompiled.set("/work/main/roles/base/index.ts", () => import("/work/main/roles/base/index.ts"))
precompiled.set("/work/main/roles/dhcp-client/index.ts", () => import("/work/main/roles/dhcp-client/index.ts"))
precompiled.set("/work/main/roles/dhcp-server/index.ts", () => import("/work/main/roles/dhcp-server/index.ts"))
precompiled.set("/work/main/roles/drbd/index.ts", () => import("/work/main/roles/drbd/index.ts"))
precompiled.set("/work/main/roles/heartbeat/index.ts", () => import("/work/main/roles/heartbeat/index.ts"))
precompiled.set("/work/main/roles/keepalived/index.ts", () => import("/work/main/roles/keepalived/index.ts"))
precompiled.set("/work/main/roles/lvs/index.ts", () => import("/work/main/roles/lvs/index.ts"))