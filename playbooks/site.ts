// The whole cluster, for any topology: each play applies to the inventory groups that
// exist there (a group absent from an inventory simply matches no host).
import { definePlaybook } from '../src/engine/playbook.ts'

export default definePlaybook({
  plays: [
    // Addresses first: nodes that take theirs from DHCP need the server, then their lease.
    { name: 'dhcp server', hosts: 'dhcp_server', roles: ['dhcp-server'] },
    { name: 'dhcp clients', hosts: 'dhcp_clients', roles: ['dhcp-client'] },
    { name: 'base', hosts: 'all', roles: ['base'] },
    { name: 'storage', hosts: 'drbd', roles: ['drbd'] },
    // The cluster filesystem on the (dual-primary) DRBD device, mounted on every node.
    { name: 'cluster filesystem', hosts: 'ocfs2', roles: ['ocfs2'] },
    { name: 'web', hosts: 'web', roles: ['apache-php'] },
    // After the packages made their directories: moved onto the cluster filesystem once,
    // bind-mounted back in place, services ordered after their mounts.
    { name: 'shared state', hosts: 'shared_state', roles: ['shared-state'] },
    { name: 'sorry page', hosts: 'sorry_servers', roles: ['apache-php'] },
    { name: 'heartbeat pair', hosts: 'heartbeat', roles: ['heartbeat'] },
    // LVS-DR: real servers stop answering ARP for the VIPs and hold them on loopback
    // before the directors start sending them traffic.
    { name: 'real servers (LVS-DR)', hosts: 'realservers', roles: ['lvs'] },
    { name: 'directors', hosts: 'directors', roles: ['lvs', 'keepalived'] },
  ],
})
