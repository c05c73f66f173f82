// pyinfra's performance workload (github.com/Fizzadar/pyinfra-performance), with the
// real halab operations: a user, a file with content, a copied file, and a shell command
// with a guard. bench/ansible/workload-a.yml does the same four things.
import { join } from 'node:path'
import { command, defineRole, file, user, z } from '../../../../src/sdk.ts'

const FILES = join(import.meta.dirname, '..', '..', 'files')

export default defineRole({
  name: 'workload-a',
  vars: z.object({
    workload_user: z.string().default('halabbench'),
    workload_log: z.string().default('/var/log/halabbench.log'),
  }),
  tasks: ({ vars }) => {
    const home = `/home/${vars.workload_user}`
    return [
      user({ user: vars.workload_user, home, shell: '/bin/bash' }),
      file({ path: vars.workload_log, content: 'halab benchmark log\n', owner: vars.workload_user, mode: '0644' }),
      file({
        path: `${home}/test_file.txt`,
        src: join(FILES, 'test_file.txt'),
        owner: vars.workload_user,
        mode: '0644',
      }),
      command({ name: 'command echo hi', command: `echo "hi!" > ${home}/shell-ran`, creates: `${home}/shell-ran` }),
    ]
  },
})
