// A verification check: a named, timed assertion about the live cluster. A check whose
// precondition the hosts lack (a kernel feature) is "not run" with the reason — never
// reported as passed.
export type CheckStatus = 'pass' | 'fail' | 'not run'

export interface CheckResult {
  name: string
  status: CheckStatus
  ms: number
  detail: string
}

export class NotRun extends Error {}

export async function check(name: string, fn: () => Promise<string>): Promise<CheckResult> {
  const t0 = performance.now()
  try {
    const detail = await fn()
    return { name, status: 'pass', ms: Math.round(performance.now() - t0), detail }
  } catch (e) {
    const status = e instanceof NotRun ? 'not run' : 'fail'
    return { name, status, ms: Math.round(performance.now() - t0), detail: (e as Error).message }
  }
}

/** Poll `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  everyMs = 250,
): Promise<{ value: T; ms: number }> {
  const t0 = performance.now()
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return { value: v, ms: Math.round(performance.now() - t0) }
    } catch (e) {
      last = e
    }
    if (performance.now() - t0 > timeoutMs)
      throw new Error(
        `${what}: not ` +
          `within ${(timeoutMs / 1000).toFixed(0)} s${last ? ` (last error: ${(last as Error).message})` : ''}`,
      )
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
