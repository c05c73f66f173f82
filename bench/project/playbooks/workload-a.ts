// Workload A (issue 7): pyinfra's 4-task performance workload on every host.
import { definePlaybook } from '../../../src/sdk.ts'

export default definePlaybook({ plays: [{ name: 'workload A', hosts: 'all', roles: ['workload-a'] }] })
