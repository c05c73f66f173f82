// The NAS of seed 002, live: each RAID array runs with all its devices and is mounted; the
// share is served (a file written through one NFS client is read on the others and on the
// NAS); and the array survives a failed disk: `mdadm --fail` on one member, the share still
// served, a rerun of site would leave the degraded array alone (the mdadm role planned in
// check mode), then the disk goes back in and the array rebuilds. Failing a disk costs a
// real NAS a full rebuild: that check runs on lab hosts only.
import mdadmRole from './index.ts'
import { parseMdDetail, type MdArray } from './facts.ts'
import nfsClientRole from '../nfs-client/index.ts'
import {
  check,
  type CheckResult,
  defineVerify,
  type HostContext,
  NotRun,
  sh,
  type VerifyEnv,
  waitFor,
} from '../../src/sdk.ts'

export default defineVerify({
  title: 'NAS: RAID and NFS',
  run: (env) => verifyNas(env.pick('mdadm'), env.pick('nfs-client'), env),
})

const REBUILD_LIMIT = 600_000

type ArraySpec = ReturnType<typeof mdadmRole.vars.parse>['mdadm_arrays'][number]

/** One array of one NAS, with the clients that mount its mount point from that NAS. */
interface NasArray {
  nas: HostContext
  array: ArraySpec
  mounts: { client: HostContext; path: string }[]
}

export async function verifyNas(nases: HostContext[], clients: HostContext[], env: VerifyEnv): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const nas of nases)
    for (const array of mdadmRole.vars.parse(nas.vars).mdadm_arrays) {
      const a: NasArray = { nas, array, mounts: mountsOf(nas, array, clients) }
      results.push(await arrayRuns(a))
      if (array.mountpoint) results.push(await shareIsServed(a))
      results.push(await survivesFailedDisk(a, env))
    }
  return results
}

/** The clients that mount this array's mount point from this NAS, and where. */
function mountsOf(nas: HostContext, array: ArraySpec, clients: HostContext[]): NasArray['mounts'] {
  return clients.flatMap((c) =>
    nfsClientRole.vars
      .parse(c.vars)
      .nfs_mounts.filter(
        (m) =>
          array.mountpoint &&
          m.src.endsWith(`:${array.mountpoint}`) &&
          [nas.name, nas.inventoryHost.vars.ansible_host].includes(m.src.split(':')[0]),
      )
      .map((m) => ({ client: c, path: m.path })),
  )
}

async function detail(nas: HostContext, device: string): Promise<MdArray> {
  return parseMdDetail(0, (await nas.run(sh`mdadm --detail ${device}`)).stdout)
}

const complete = (a: MdArray) =>
  a.activeDevices === a.raidDevices && !a.failedDevices && !/degraded|recovering|resyncing/.test(a.state ?? '')

/** Waits until the array has all its devices and no sync runs; returns its state and the time waited. */
function waitComplete(nas: HostContext, d: string, what: string) {
  return waitFor(
    what,
    REBUILD_LIMIT,
    async () => {
      const a = await detail(nas, d)
      return complete(a) ? a : undefined
    },
    2000,
  )
}

/** A file written through the first client is read back on the other clients and on the NAS. */
async function shareServed({ nas, array, mounts }: NasArray, tag: string): Promise<string> {
  if (!mounts.length || !array.mountpoint)
    throw new NotRun(`no nfs-client host mounts ${nas.name}:${array.mountpoint ?? array.device}`)
  const name = `.halab-verify-${tag}-${mounts[0].client.name}`
  const text = `${tag} written by ${mounts[0].client.name} at ${new Date().toISOString()}`
  await mounts[0].client.run(sh`echo ${text} > ${`${mounts[0].path}/${name}`} && sync`)
  try {
    for (const m of mounts.slice(1)) {
      const got = (await m.client.run(sh`cat ${`${m.path}/${name}`}`)).stdout.trim()
      if (got !== text) throw new Error(`${m.client.name} read "${got}" from ${m.path}/${name}`)
    }
    const onNas = (await nas.run(sh`cat ${`${array.mountpoint}/${name}`}`)).stdout.trim()
    if (onNas !== text) throw new Error(`${nas.name} read "${onNas}" from ${array.mountpoint}/${name}`)
  } finally {
    await mounts[0].client.run(sh`rm -f ${`${mounts[0].path}/${name}`}`, { allowFailure: true })
  }
  return (
    `written on ${mounts[0].client.name}, ` +
    `read on ${[...mounts.slice(1).map((m) => m.client.name), nas.name].join(', ')}`
  )
}

function arrayRuns({ nas, array }: NasArray): Promise<CheckResult> {
  const d = array.device
  const mounted = array.mountpoint ? `, mounted on ${array.mountpoint}` : ''
  return check(
    `${nas.name}: ${d} RAID ${array.level} runs with all ${array.devices.length} devices${mounted}`,
    async () => {
      // Right after creation the initial sync may still run: wait for it.
      const { value: a, ms } = await waitComplete(nas, d, `${d} complete and in sync on ${nas.name}`)
      if (array.mountpoint) {
        const source = (await nas.run(sh`findmnt -n -o SOURCE --mountpoint ${array.mountpoint} || true`)).stdout.trim()
        if (source !== d) throw new Error(`${array.mountpoint} holds ${source || 'nothing mounted'}, not ${d}`)
      }
      const waited = ms > 2000 ? ` (after waiting ${(ms / 1000).toFixed(0)} s for its sync)` : ''
      return `${a.level}, ${a.activeDevices}/${a.raidDevices} active, ${a.state}${waited}`
    },
  )
}

function shareIsServed(a: NasArray): Promise<CheckResult> {
  const to = a.mounts.map((m) => m.client.name).join(', ') || 'no client'
  return check(`the share ${a.nas.name}:${a.array.mountpoint} is served to ${to}`, () => shareServed(a, 'share'))
}

function survivesFailedDisk(a: NasArray, env: VerifyEnv): Promise<CheckResult> {
  const { nas, array } = a
  const d = array.device
  const victim = array.devices[array.devices.length - 1]
  return check(
    `${d} survives a failed disk (mdadm --fail ${victim}): share served, a rerun leaves it alone, then it rebuilds`,
    async () => {
      if (!env.power)
        throw new NotRun('failing a disk costs a real NAS a full rebuild: this check runs on lab hosts only')
      const t0 = performance.now()
      await nas.run(sh`mdadm ${d} --fail ${victim}`)
      let rebuilt = false
      try {
        const { value: degraded } = await waitFor(`${d} degraded on ${nas.name}`, 30_000, async () => {
          const a = await detail(nas, d)
          return (a.failedDevices ?? 0) > 0 ? a : undefined
        })
        const served = array.mountpoint ? await shareServed(a, 'degraded') : 'no mount point'
        await rerunLeavesDegradedAlone(nas, d, env)
        const uuidBefore = degraded.uuid
        // Put the disk back: the failed member out, then in again (as a fresh member when mdadm cannot re-add it).
        const t1 = performance.now()
        await nas.run(
          sh`mdadm ${d} --remove ${victim} && { mdadm ${d} --re-add ${victim} 2>/dev/null || ` +
            sh`{ mdadm --zero-superblock ${victim} && mdadm ${d} --add ${victim}; }; }`,
        )
        const { value: after } = await waitComplete(nas, d, `${d} rebuilt on ${nas.name}`)
        rebuilt = true
        if (after.uuid !== uuidBefore)
          throw new Error(`${d} has UUID ${after.uuid ?? '?'}, it had ${uuidBefore ?? '?'}`)
        const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1)
        return (
          `degraded after ${seconds(t0, t1)} s (${degraded.activeDevices}/${degraded.raidDevices} active); ` +
          `share: ${served}; site --check: nothing to change, "${d} is degraded" said; ` +
          `${victim} back in, rebuilt in ${seconds(t1, performance.now())} s (${after.state})`
        )
      } finally {
        if (!rebuilt)
          await nas.run(
            sh`mdadm ${d} --remove ${victim}; mdadm ${d} --re-add ${victim} || ` +
              sh`{ mdadm --zero-superblock ${victim} && mdadm ${d} --add ${victim}; }`,
            { allowFailure: true },
          )
      }
    },
  )
}

/** A rerun of the mdadm role (check mode) changes nothing on the degraded array's host and says it is degraded. */
async function rerunLeavesDegradedAlone(nas: HostContext, d: string, env: VerifyEnv): Promise<void> {
  const rerun = await env.wouldChange(nas.name, 'mdadm')
  if (rerun.changes.length)
    throw new Error(`a rerun of site would change the degraded array's host: ${rerun.changes.join('; ')}`)
  if (!rerun.notes.some((n) => n.includes(`${d} is degraded`)))
    throw new Error(`a rerun did not say ${d} is degraded: ${rerun.notes.join('; ') || 'no notes'}`)
}
