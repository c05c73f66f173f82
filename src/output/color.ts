// Minimal ANSI colour, off when not on a TTY or when NO_COLOR is set.
const enabled = process.stdout.isTTY && !process.env.NO_COLOR
const wrap = (code: number) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s)
export const green = wrap(32)
export const yellow = wrap(33)
export const red = wrap(31)
export const cyan = wrap(36)
export const dim = wrap(2)
export const bold = wrap(1)
