// The whole cluster, for any topology: each play applies to the inventory groups that
// exist there (a group absent from an inventory simply matches no host).
import { definePlaybook } from '../src/engine/playbook.ts'

export default definePlaybook({
  plays: [
    { name: 'base', hosts: 'all', roles: ['base'] },
    { name: 'storage', hosts: 'drbd', roles: ['drbd'] },
    { name: 'web', hosts: 'web', roles: ['apache-php'] },
    { name: 'heartbeat pair', hosts: 'heartbeat', roles: ['heartbeat'] },
  ],
})
