// The unit systemd makes for a mount point (`systemd-escape --path --suffix=mount`), so a
// drop-in can add dependencies to a mount that fstab defines.
export function mountUnitName(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '').replace(/\/+/g, '/')
  if (!trimmed) return '-.mount'
  const escaped = trimmed
    .split('/')
    .map((part) =>
      [...part]
        .map((ch, i) =>
          /[A-Za-z0-9:_]/.test(ch) || (ch === '.' && i > 0)
            ? ch
            : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
        )
        .join(''),
    )
    .join('-')
  return `${escaped}.mount`
}
