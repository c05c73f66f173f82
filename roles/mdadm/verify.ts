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

export async function verifyNas(nases: HostContext[], clients: HostContext[], env: VerifyEnv): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const nas of nases) {
    const arrays = mdadmRole.vars.parse(nas.vars).mdadm_arrays
    const detail = async (device: string): Promise<MdArray> =>
      parseMdDetail(0, (await nas.run(sh`mdadm --detail ${device}`)).stdout)
    const complete = (a: MdArray) =>
      a.activeDevices === a.raidDevices && !a.failedDevices && !/degraded|recovering|resyncing/.test(a.state ?? '')
    for (const array of arrays) {
      const d = array.device
      // The clients that mount this array's mount point from this NAS, and where.
      const mounts = clients.flatMap((c) =>
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
      /** A file written through the first client is read back on the other clients and on the NAS. */
      const shareServed = async (tag: string) => {
        if (!mounts.length || !array.mountpoint)
          throw new NotRun(`no nfs-client host mounts ${nas.name}:${array.mountpoint ?? d}`)
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
        return `written on ${mounts[0].client.name}, read on ${[...mounts.slice(1).map((m) => m.client.name), nas.name].join(', ')}`
      }

      results.push(
        await check(
          `${nas.name}: ${d} RAID ${array.level} runs with all ${array.devices.length} devices${array.mountpoint ? `, mounted on ${array.mountpoint}` : ''}`,
          async () => {
            // Right after creation the initial sync may still run: wait for it.
            const { value: a, ms } = await waitFor(
              `${d} complete and in sync on ${nas.name}`,
              REBUILD_LIMIT,
              async () => {
                const a = await detail(d)
                return complete(a) ? a : undefined
              },
              2000,
            )
            if (array.mountpoint) {
              const source = (
                await nas.run(sh`findmnt -n -o SOURCE --mountpoint ${array.mountpoint} || true`)
              ).stdout.trim()
              if (source !== d) throw new Error(`${array.mountpoint} holds ${source || 'nothing mounted'}, not ${d}`)
            }
            return `${a.level}, ${a.activeDevices}/${a.raidDevices} active, ${a.state}${ms > 2000 ? ` (after waiting ${(ms / 1000).toFixed(0)} s for its sync)` : ''}`
          },
        ),
      )
      if (array.mountpoint)
        results.push(
          await check(
            `the share ${nas.name}:${array.mountpoint} is served to ${mounts.map((m) => m.client.name).join(', ') || 'no client'}`,
            () => shareServed('share'),
          ),
        )

      const victim = array.devices[array.devices.length - 1]
      results.push(
        await check(
          `${d} survives a failed disk (mdadm --fail ${victim}): share served, a rerun leaves it alone, then it rebuilds`,
          async () => {
            if (!env.power)
              throw new NotRun('failing a disk costs a real NAS a full rebuild: this check runs on lab hosts only')
            const t0 = performance.now()
            await nas.run(sh`mdadm ${d} --fail ${victim}`)
            let rebuilt = false
            try {
              const { value: degraded } = await waitFor(`${d} degraded on ${nas.name}`, 30_000, async () => {
                const a = await detail(d)
                return (a.failedDevices ?? 0) > 0 ? a : undefined
              })
              const served = array.mountpoint ? await shareServed('degraded') : 'no mount point'
              const rerun = await env.wouldChange(nas.name, 'mdadm')
              if (rerun.changes.length)
                throw new Error(`a rerun of site would change the degraded array's host: ${rerun.changes.join('; ')}`)
              if (!rerun.notes.some((n) => n.includes(`${d} is degraded`)))
                throw new Error(`a rerun did not say ${d} is degraded: ${rerun.notes.join('; ') || 'no notes'}`)
              const uuidBefore = degraded.uuid
              // Put the disk back: the failed member out, then in again (as a fresh member when mdadm cannot re-add it).
              const t1 = performance.now()
              await nas.run(
                sh`mdadm ${d} --remove ${victim} && { mdadm ${d} --re-add ${victim} 2>/dev/null || { mdadm --zero-superblock ${victim} && mdadm ${d} --add ${victim}; }; }`,
              )
              const { value: after } = await waitFor(
                `${d} rebuilt on ${nas.name}`,
                REBUILD_LIMIT,
                async () => {
                  const a = await detail(d)
                  return complete(a) ? a : undefined
                },
                2000,
              )
              rebuilt = true
              if (after.uuid !== uuidBefore)
                throw new Error(`${d} has UUID ${after.uuid ?? '?'}, it had ${uuidBefore ?? '?'}`)
              return `degraded after ${((t1 - t0) / 1000).toFixed(1)} s (${degraded.activeDevices}/${degraded.raidDevices} active); share: ${served}; site --check: nothing to change, "${d} is degraded" said; ${victim} back in, rebuilt in ${((performance.now() - t1) / 1000).toFixed(1)} s (${after.state})`
            } finally {
              if (!rebuilt)
                await nas.run(
                  sh`mdadm ${d} --remove ${victim}; mdadm ${d} --re-add ${victim} || { mdadm --zero-superblock ${victim} && mdadm ${d} --add ${victim}; }`,
                  { allowFailure: true },
                )
            }
          },
        ),
      )
    }
  }
  return results
}
