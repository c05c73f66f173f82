// The 4-node storage checks of seed 001, live: every DRBD resource of the cluster
// filesystem's nodes is Connected and UpToDate on both (Primary on both when dual
// primary), the OCFS2 volume is mounted on every node, and a file written there on one
// node is read, identical, on the others. Where drbd/ocfs2 are configuration only (a
// container lab, whose kernel lacks them) these are "not run" with the reason.
import drbdRole from '../drbd/index.ts'
import ocfs2Role from './index.ts'
import {
  check,
  type CheckResult,
  defineVerify,
  type HostContext,
  isConfigurationOnly,
  NotRun,
  sh,
  waitFor,
} from '../../src/sdk.ts'

export default defineVerify({ title: 'DRBD + OCFS2', run: ({ pick }) => verifyStorage(pick('ocfs2')) })

export async function verifyStorage(nodes: HostContext[]): Promise<CheckResult[]> {
  const fsVars = ocfs2Role.vars.parse(nodes[0].vars)
  const drbd = drbdRole.vars.safeParse(nodes[0].vars)
  const resources = drbd.success ? drbd.data.drbd_resources.filter((r) => r.device === fsVars.ocfs2_device) : []
  const configOnly = (role: string) =>
    isConfigurationOnly(nodes[0].vars, role)
      ? new NotRun(`${role} is configuration only on these hosts (their kernel lacks it)`)
      : undefined
  const names = nodes.map((n) => n.name).join(', ')
  const mountpoint = fsVars.ocfs2_mountpoint
  const results: CheckResult[] = []

  for (const res of resources) results.push(await drbdInSync(res, nodes, configOnly('drbd')))
  results.push(
    await check(`OCFS2 ${fsVars.ocfs2_device} mounted on ${mountpoint} on ${names}`, async () => {
      const notRun = configOnly('ocfs2')
      if (notRun) throw notRun
      for (const n of nodes) {
        const out = (
          await n.run(sh`findmnt -n -o FSTYPE,SOURCE --target ${mountpoint}`, { allowFailure: true })
        ).stdout.trim()
        if (!/^ocfs2\s/.test(out)) throw new Error(`${n.name}: ${mountpoint} is ${out || 'not mounted'}`)
      }
      return `ocfs2 on every node (cluster ${fsVars.ocfs2_cluster_name})`
    }),
  )
  const [writer, ...readers] = nodes
  results.push(
    await check(
      `a file written under ${mountpoint} on ${writer.name} is read on ${readers.map((r) => r.name).join(', ')}`,
      async () => {
        const notRun = configOnly('ocfs2')
        if (notRun) throw notRun
        if (!readers.length) throw new NotRun('one node only')
        const file = `${mountpoint}/.halab-verify-${writer.name}`
        const marker = `written on ${writer.name} at ${new Date().toISOString()}`
        await writer.run(sh`printf '%s\n' ${marker} > ${file} && sync`)
        try {
          for (const r of readers) {
            const got = (await r.run(sh`cat ${file}`)).stdout.trim()
            if (got !== marker) throw new Error(`${r.name} read "${got}", ${writer.name} wrote "${marker}"`)
          }
        } finally {
          await writer.run(sh`rm -f ${file}`, { allowFailure: true })
        }
        return 'same content on every node'
      },
    ),
  )
  return results
}

type DrbdResource = ReturnType<typeof drbdRole.vars.parse>['drbd_resources'][number]

/** Every node has the resource Connected and UpToDate (and Primary when dual primary). */
function drbdInSync(res: DrbdResource, nodes: HostContext[], notRun: NotRun | undefined): Promise<CheckResult> {
  const names = nodes.map((n) => n.name).join(', ')
  return check(
    `DRBD ${res.name}: Connected, UpToDate/UpToDate${res.dual_primary ? ', Primary/Primary' : ''} on ${names}`,
    async () => {
      if (notRun) throw notRun
      const states: string[] = []
      for (const n of nodes) states.push(`${n.name} ${await inSyncOn(res, n)}`)
      return states.join('; ')
    },
  )
}

/**
 * Waits (120 s: a resync after a rerun or reboot is short) until `n` has the resource Connected, UpToDate on both
 * sides (and Primary on both when dual primary); its `cstate dstate role` then. Otherwise fails with the last
 * state seen and the kernel's last DRBD/OCFS2 lines, which say why (a ping that timed out, a split brain...).
 */
async function inSyncOn(res: DrbdResource, n: HostContext): Promise<string> {
  let last = ''
  try {
    const { value } = await waitFor(
      `${res.name} Connected and UpToDate on ${n.name}`,
      120_000,
      async () => {
        const cmd = sh`echo "$(drbdadm cstate ${res.name}) $(drbdadm dstate ${res.name}) $(drbdadm role ${res.name})"`
        last = (await n.run(cmd)).stdout.trim()
        const ok = /^Connected UpToDate\/UpToDate /.test(last) && (!res.dual_primary || / Primary\/Primary$/.test(last))
        return ok ? last : undefined
      },
      1000,
    )
    return value
  } catch (e) {
    const kernel = await n.run("dmesg | grep -iE 'drbd|ocfs2|o2net|o2hb' | tail -n 8", { allowFailure: true })
    throw new Error(`${(e as Error).message}; last state: ${last || '?'}; kernel:\n${kernel.stdout.trim()}`)
  }
}
