// mdadm: software RAID arrays from the inventory (seed 002: RAID 6 over the NAS's five
// disks, ext4 on /mnt/raid). Never loses data: an array is created only when none of its
// member disks carries an md superblock or any other signature; members that already
// belong to one array are assembled, never re-created; a running array — degraded too —
// is left as it is (a rerun after a failed disk touches nothing, and says so). The ARRAY
// line of mdadm.conf comes from the running array; mkfs only when blkid finds nothing.
import {
  blockDevice,
  defineRole,
  line,
  mount,
  packages,
  type Plan,
  requireKernel,
  sh,
  type Task,
  z,
} from '../../src/sdk.ts'
import { mdArray, mdScanLine, memberDisks, type MdArray, type MemberDisk } from './facts.ts'

const LEVEL_MODULE: Record<string, string> = {
  '0': 'raid0',
  '1': 'raid1',
  '4': 'raid456',
  '5': 'raid456',
  '6': 'raid456',
  '10': 'raid10',
}
const MIN_DEVICES: Record<string, number> = { '0': 2, '1': 2, '4': 3, '5': 3, '6': 4, '10': 2 }

const MdArraySpec = z
  .object({
    device: z
      .string()
      .regex(/^\/dev\/md[0-9]+$/, 'must be /dev/mdN')
      .describe("The array's device, /dev/mdN."),
    level: z
      .union([z.number(), z.string()])
      .transform(String)
      .pipe(z.enum(['0', '1', '4', '5', '6', '10']))
      .describe('RAID level: 0, 1, 4, 5, 6 or 10 (the seed: 6).'),
    devices: z
      .array(z.string().startsWith('/dev/'))
      .min(2)
      .describe('The member disks (at least two; RAID 6 needs four or more; the seed uses five).'),
    filesystem: z
      .string()
      .regex(/^[a-z0-9]+$/)
      .optional()
      .describe('Filesystem made on the array once, when blkid finds none (ext4 in the seed).'),
    mkfs_options: z
      .array(z.string())
      .default(['-q', '-E', 'nodiscard'])
      .describe('Options for mkfs when the filesystem is made.'),
    mountpoint: z
      .string()
      .startsWith('/')
      .optional()
      .describe('Mounted here now and at boot (fstab), when a filesystem is given.'),
    mount_options: z.string().default('defaults').describe('Mount options (fstab and the mount now).'),
  })
  .superRefine((a, ctx) => {
    if (a.devices.length < MIN_DEVICES[a.level])
      ctx.addIssue({
        code: 'custom',
        path: ['devices'],
        message: `RAID ${a.level} needs at least ${MIN_DEVICES[a.level]} devices (got ${a.devices.length})`,
      })
    if (new Set(a.devices).size !== a.devices.length)
      ctx.addIssue({ code: 'custom', path: ['devices'], message: 'a device is listed twice' })
    if (a.mountpoint && !a.filesystem)
      ctx.addIssue({
        code: 'custom',
        path: ['mountpoint'],
        message: 'a mountpoint needs the filesystem the array holds',
      })
  })
export type MdArraySpec = z.infer<typeof MdArraySpec>

/**
 * Create, assemble or leave the array, as data: `array` is what the kernel runs, `members`
 * what each member disk carries. Throws, changing nothing, when it cannot decide safely.
 */
export function planArray(spec: MdArraySpec, array: MdArray, members: MemberDisk[], host: string): Plan {
  const d = spec.device
  if (array.active) {
    const degraded = (array.failedDevices ?? 0) > 0 || (array.activeDevices ?? 0) < (array.raidDevices ?? 0)
    const noop =
      `${d} runs: RAID ${array.level?.replace(/^raid/, '')}, ${array.activeDevices}/${array.raidDevices} devices ` +
      `active, ${array.state}`
    if (!degraded) return { changes: [], noop }
    return {
      changes: [],
      noop,
      warnings: [
        `${d} is degraded (${array.state}; ${array.activeDevices} of ${array.raidDevices} devices active): ` +
          `halab leaves it as it is. Replace the disk by hand: mdadm ${d} --remove FAILED --add NEW`,
      ],
    }
  }
  const unreadable = members.filter((m) => !m.readable).map((m) => m.device)
  if (unreadable.length)
    throw new Error(
      `${d}: cannot read ${unreadable.join(', ')} on ${host}: ` +
        `whether they hold data is unknown, so ${d} is neither created nor assembled`,
    )
  const used = members.filter((m) => m.other)
  if (used.length)
    throw new Error(
      `${d}: ${used.map((m) => `${m.device} holds ${m.other}`).join(', ')} on ${host}: ` +
        `halab does not build an array over data. Wipe those disks (wipefs -a) ` +
        `if their data is not wanted, then run site again`,
    )
  const uuids = [...new Set(members.map((m) => m.arrayUuid).filter(Boolean))]
  const withSuperblock = members.filter((m) => m.arrayUuid)
  if (withSuperblock.length === 0) {
    const create =
      sh`mdadm --create ${d} --run ` +
      sh`--level=${spec.level} --raid-devices=${String(spec.devices.length)} ${spec.devices} </dev/null`
    return {
      changes: [
        {
          summary:
            `create RAID ${spec.level} ${d} over ${spec.devices.join(', ')} (no ` +
            `member holds an md superblock or any data)`,
          command: sh`modprobe ${LEVEL_MODULE[spec.level]} && ` + create,
        },
      ],
    }
  }
  if (uuids.length > 1)
    throw new Error(
      `${d}: the member disks on ${host} belong to different arrays (${uuids.join(', ')}): ` +
        `halab does not mix them; check with mdadm --examine`,
    )
  const missing = members.filter((m) => !m.arrayUuid).map((m) => m.device)
  // Members of one array: assemble it (degraded when some are missing), never re-create it.
  return {
    changes: [
      {
        summary:
          `assemble ${d} from the member disks that carry its superblock ` +
          `(array ${uuids[0]})${missing.length ? `, without ${missing.join(', ')} (no superblock)` : ''}`,
        command:
          sh`modprobe ${LEVEL_MODULE[spec.level]} && mdadm --assemble ` +
          sh`--run ${d} ${withSuperblock.map((m) => m.device)}`,
      },
    ],
  }
}

/** mkfs on the array only when it is readable and blkid finds nothing there. */
export function planFilesystem(
  spec: MdArraySpec & { filesystem: string },
  dev: { exists: boolean; readable: boolean; fstype?: string },
  check: boolean,
): Plan {
  const d = spec.device
  if (!dev.exists) {
    if (check) return { changes: [{ summary: `mkfs.${spec.filesystem} ${d} once the array exists`, command: ':' }] }
    throw new Error(`${d} does not exist: the array did not start`)
  }
  if (!dev.readable)
    throw new Error(`${d} cannot be read: whether it holds a filesystem is unknown, so it is not formatted`)
  if (dev.fstype === spec.filesystem) return { changes: [], noop: `${d} holds ${dev.fstype}` }
  if (dev.fstype)
    return {
      changes: [],
      noop: `${d} holds ${dev.fstype}`,
      warnings: [`${d} holds ${dev.fstype}, not ${spec.filesystem}: halab does not reformat it`],
    }
  return {
    changes: [
      {
        summary: `mkfs.${spec.filesystem} ${d} (blkid finds nothing on it)`,
        // The same guard once more right before mkfs, on the device itself.
        command:
          sh`if blkid -p ${d} >/dev/null 2>&1; then echo ${`${d} already holds something: not formatting it`} >&2; ` +
          sh`exit 1; fi && mkfs -t ${spec.filesystem} ${spec.mkfs_options} ${d}`,
      },
    ],
  }
}

export default defineRole({
  name: 'mdadm',
  kernel: (vars) => (vars.mdadm_arrays.some((a) => LEVEL_MODULE[a.level] === 'raid456') ? ['raid456'] : []),
  vars: z.object({
    mdadm_arrays: z
      .array(MdArraySpec)
      .min(1)
      .describe(
        'The arrays to assemble (created once when their disks hold no array), record in mdadm.conf and mount.',
      ),
    mdadm_conf: z
      .string()
      .default('/etc/mdadm/mdadm.conf')
      .describe("Where the ARRAY lines go (the seed's `mdadm --detail --scan >> mdadm.conf`)."),
  }),
  tasks: ({ vars, configurationOnly, host }) => {
    const configOnly = configurationOnly('mdadm')
    const modules = [...new Set(vars.mdadm_arrays.map((a) => LEVEL_MODULE[a.level]))]
    const tasks: Task[] = [
      requireKernel({ role: 'mdadm', modules, configurationOnly: configOnly }),
      packages({ names: ['mdadm'] }),
    ]
    if (configOnly) return tasks
    for (const a of vars.mdadm_arrays) {
      tasks.push({
        name: `RAID ${a.level} ${a.device}`,
        facts: () => [mdArray(a.device), memberDisks(a.devices)],
        plan: async (ctx) =>
          planArray(a, await ctx.fact(mdArray(a.device)), await ctx.fact(memberDisks(a.devices)), host.name),
      })
      tasks.push({
        name: `${a.device} in ${vars.mdadm_conf}`,
        // Read after the array task: the ARRAY line exists only once the array runs.
        async plan(ctx) {
          const scan = await ctx.fact(mdScanLine(a.device))
          if (!scan) {
            if (ctx.mode.check)
              return {
                changes: [
                  { summary: `ARRAY ${a.device} line in ${vars.mdadm_conf} once the array runs`, command: ':' },
                ],
              }
            throw new Error(`${a.device} does not run: no ARRAY line to write`)
          }
          return line({
            path: vars.mdadm_conf,
            line: scan,
            regexp: `^ARRAY ${a.device.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`,
            mode: '0644',
          }).plan(ctx)
        },
      })
      if (!a.filesystem) continue
      const withFs = { ...a, filesystem: a.filesystem }
      tasks.push({
        name: `${a.filesystem} on ${a.device}`,
        plan: async (ctx) => planFilesystem(withFs, await ctx.fact(blockDevice(a.device)), ctx.mode.check),
      })
      if (a.mountpoint)
        tasks.push(mount({ src: a.device, path: a.mountpoint, fstype: a.filesystem, opts: a.mount_options }))
    }
    return tasks
  },
})
