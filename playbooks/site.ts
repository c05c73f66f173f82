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
    // One PostgreSQL server (postgresql_server_node) before the pages and the site that use it.
    { name: 'database', hosts: 'database', roles: ['postgresql'] },
    { name: 'web', hosts: 'web', roles: ['apache-php'] },
    { name: 'drupal', hosts: 'drupal', roles: ['drupal'] },
    { name: 'heartbeat pair', hosts: 'heartbeat', roles: ['heartbeat'] },
    // LVS-DR: real servers stop answering ARP for the VIPs and hold them on loopback
    // before the directors start sending them traffic.
    { name: 'real servers (LVS-DR)', hosts: 'realservers', roles: ['lvs'] },
    { name: 'directors', hosts: 'directors', roles: ['lvs', 'keepalived'] },
  ],
})
