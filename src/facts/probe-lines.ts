// The answers of shell probes that print `key=value` lines (readable=yes, blkid=2, type=ext4).

/** A reader of such an answer: the trimmed value of the first line `key=…`, or undefined. */
export function probeFields(stdout: string): (key: string) => string | undefined {
  const lines = stdout.split('\n')
  return (key) =>
    lines
      .find((l) => l.startsWith(`${key}=`))
      ?.slice(key.length + 1)
      .trim()
}
