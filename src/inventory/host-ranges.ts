// Ansible's host ranges in inventory host names: `web[01:03]` → web01, web02, web03 (a
// leading zero keeps the width), `db-[a:c]` → db-a, db-b, db-c, `node[1:9:2]` with a
// stride, several ranges in one name multiply. Written as Ansible's expand_hostname_range.

const RANGE = /\[([^\]:]*):([^\]:]*)(?::([^\]:]*))?\]/

/** The names a host pattern stands for; a pattern without `[a:b]` stands for itself. Throws a readable Error. */
export function expandHostRange(pattern: string): string[] {
  const m = RANGE.exec(pattern)
  if (!m) {
    if (/[[\]]/.test(pattern)) throw new Error(`"${pattern}": a host range is written [start:end] or [start:end:step]`)
    return [pattern]
  }
  const head = pattern.slice(0, m.index)
  const tail = pattern.slice(m.index + m[0].length)
  const items = rangeItems(pattern, m[1], m[2], m[3])
  return items.flatMap((item) => expandHostRange(`${head}${item}${tail}`))
}

function rangeItems(pattern: string, begin: string, end: string, stepText: string | undefined): string[] {
  const step = stepText === undefined || stepText === '' ? 1 : Number(stepText)
  if (!Number.isInteger(step) || step < 1)
    throw new Error(`"${pattern}": the step of a host range must be a whole number above 0, got "${stepText}"`)
  if (/^[a-zA-Z]$/.test(begin) && /^[a-zA-Z]$/.test(end)) return letters(pattern, begin, end, step)
  const from = begin === '' ? '0' : begin
  if (!/^\d+$/.test(from) || !/^\d+$/.test(end))
    throw new Error(
      `"${pattern}": a host range goes from number to number ([01:10]) or letter to letter ([a:f]), ` +
        `got [${begin}:${end}]`,
    )
  // As Ansible: a begin with a leading zero fixes the width, and the end must be as wide.
  const width = from.length > 1 && from.startsWith('0') ? from.length : 0
  if (width && end.length !== width)
    throw new Error(`"${pattern}": with a leading zero, begin and end are written as wide ([01:10], not [01:100])`)
  const [a, b] = [Number(from), Number(end)]
  if (a > b) throw new Error(`"${pattern}": a host range must go upwards, got [${begin}:${end}]`)
  const out: string[] = []
  for (let i = a; i <= b; i += step) out.push(String(i).padStart(width, '0'))
  return out
}

function letters(pattern: string, begin: string, end: string, step: number): string[] {
  const [a, b] = [begin.charCodeAt(0), end.charCodeAt(0)]
  if (a > b || /[a-z]/.test(begin) !== /[a-z]/.test(end))
    throw new Error(`"${pattern}": a letter range must go upwards in one case, got [${begin}:${end}]`)
  const out: string[] = []
  for (let c = a; c <= b; c += step) out.push(String.fromCharCode(c))
  return out
}
