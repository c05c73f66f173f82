// The whole cluster, for any topology: each play applies to the inventory groups that
// exist there (a group absent from an inventory simply matches no host).
import { definePlaybook } from '../src/sdk.ts'

export default definePlaybook({
  plays: [
    // Addresses first: nodes that take theirs from DHCP need the server, then their lease.
    { name: 'dhcp server', hosts: 'dhcp_server', roles: ['dhcp-server'] },
    { name: 'dhcp clients', hosts: 'dhcp_clients', roles: ['dhcp-client'] },
    { name: 'base', hosts: 'all', roles: ['base'] },
    { name: 'storage', hosts: 'drbd', roles: ['drbd'] },
    // The cluster filesystem on the (dual-primary) DRBD device, mounted on every node.
    { name: 'cluster filesystem', hosts: 'ocfs2', roles: ['ocfs2'] },
    // A NAS (seed 002): its RAID, then the share on it, then the clients that mount it.
    { name: 'raid', hosts: 'raid', roles: ['mdadm'] },
    { name: 'nfs server', hosts: 'nfs_server', roles: ['nfs-server'] },
    { name: 'nfs clients', hosts: 'nfs_clients', roles: ['nfs-client'] },
    { name: 'web', hosts: 'web', roles: ['apache-php'] },
    // After the packages made their directories: moved onto the cluster filesystem once,
    // bind-mounted back in place, services ordered after their mounts — before PostgreSQL
    // first starts and writes its data, so that the data lands on the shared volume.
    { name: 'shared state', hosts: 'shared_state', roles: ['shared-state'] },
    // One PostgreSQL server (postgresql_server_node) before the pages and the site that use it.
    { name: 'database', hosts: 'database', roles: ['postgresql'] },
    { name: 'drupal', hosts: 'drupal', roles: ['drupal'] },
    { name: 'sorry page', hosts: 'sorry_servers', roles: ['apache-php'] },
    { name: 'heartbeat pair', hosts: 'heartbeat', roles: ['heartbeat'] },
    // LVS-DR: real servers stop answering ARP for the VIPs and hold them on loopback
    // before the directors start sending them traffic.
    { name: 'real servers (LVS-DR)', hosts: 'realservers', roles: ['lvs'] },
    { name: 'directors', hosts: 'directors', roles: ['lvs', 'keepalived'] },
    // LVS-NAT under Pacemaker (seed 002): real servers route their replies through the
    // internal VIP; the directors' cluster holds both VIPs and runs ldirectord.
    { name: 'real servers (LVS-NAT)', hosts: 'nat_realservers', roles: ['lvs-nat'] },
    {
      name: 'directors (Pacemaker)',
      hosts: 'nat_directors',
      roles: ['lvs-nat', 'ldirectord', 'corosync', 'pacemaker'],
    },
  ],
  // `verify`: the failover checks (heartbeat, keepalived, Pacemaker) take services away and
  // put them back; the data tier is checked last, once every page is served again.
  verify: ['dhcp-server', 'heartbeat', 'ocfs2', 'mdadm', 'keepalived', 'pacemaker', 'postgresql'],
})
