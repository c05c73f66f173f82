// What the user-mode-linux backend needs on this machine beyond the lab's own tools;
// `lab up` installs what is missing with apt-get and says so (deps.ts).
import type { Need } from '../deps.js'
import { UML_KERNEL } from './paths.js'

export const UML_HOST_PACKAGES: Need[] = [
  {
    what: UML_KERNEL,
    pkg: 'user-mode-linux',
    why: 'runs user-mode-linux hosts (their own 6.1 kernel and its modules)',
  },
  { what: 'mkfs.ext4', pkg: 'e2fsprogs', why: 'builds the UML image from a rootfs' },
  { what: 'tar', pkg: 'tar', why: "packs each UML host's config disk" },
  { what: 'chroot', pkg: 'coreutils', why: 'installs packages into the UML image' },
]
