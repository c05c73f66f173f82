// What the pacemaker role reads from the cluster: once a DC is elected, the live cluster
// objects and the wanted ones, both printed by `crm configure show` (the wanted ones from a
// shadow CIB, so formatting never counts as a difference), and the cluster properties.
import { type Fact, sh } from '../../src/sdk.ts'
import type { PacemakerVars } from './index.ts'

/** `k=v k=v`: crm shell's parameter and property lists. */
export const kv = (r: Record<string, string>): string =>
  Object.entries(r)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')

export interface CibComparison {
  /** The cluster answered (a DC is elected) within the timeout. */
  ready: boolean
  live: string
  wanted: string
  /** Cluster property → its live value ('' when unset). */
  properties: Record<string, string>
}

const MARK = '@@halab-cib@@'

const propertyLine = (v: Pick<PacemakerVars, 'pacemaker_properties'>): string =>
  Object.keys(v.pacemaker_properties).length ? `property ${kv(v.pacemaker_properties)}\n` : ''

/** Waits for the cluster, then prints the live objects, the shadow-rendered wanted ones and the properties. */
export function cibComparison(
  v: Pick<PacemakerVars, 'pacemaker_properties' | 'pacemaker_ready_timeout'>,
  text: string,
  ids: string[],
): Fact<CibComparison> {
  const props = Object.keys(v.pacemaker_properties)
  return {
    key: `pacemaker-cib:${text}`,
    command: [
      sh`t=${String(v.pacemaker_ready_timeout)}; ` +
        sh`while [ "$t" -gt 0 ] && ! crm_mon -1 2>/dev/null | grep -q 'Current DC: [^N]'; do sleep 2; t=$((t-2)); done`,
      sh`if [ "$t" -le 0 ]; then echo ${`${MARK}notready`}; exit 0; fi`,
      // The shadow gets the properties too: an empty CIB has STONITH on and crmsh's check
      // would refuse resources in it; -F commits to the shadow despite quorum warnings.
      sh`w=$(mktemp); printf '%s' ${propertyLine(v) + text} > "$w"`,
      sh`echo ${`${MARK}live`}; crm configure show ${ids} 2>/dev/null`,
      sh`crm -F cib new halab-wanted empty >/dev/null 2>&1 && crm ` +
        sh`-F -c halab-wanted configure load update "$w" >/dev/null 2>&1`,
      sh`echo ${`${MARK}wanted`}; crm -c halab-wanted configure show ${ids} 2>/dev/null; ` +
        sh`crm -F cib delete halab-wanted >/dev/null 2>&1; rm -f "$w"`,
      ...props.map(
        (p) =>
          sh`echo ${`${MARK}property ${p}`}; crm_attribute --type crm_config --name ${p} --query --quiet 2>/dev/null`,
      ),
    ].join('; '),
    parse: ({ stdout }) => parseCibComparison(stdout),
  }
}

export function parseCibComparison(stdout: string): CibComparison {
  const out: CibComparison = { ready: !stdout.includes(`${MARK}notready`), live: '', wanted: '', properties: {} }
  for (const part of stdout.split(MARK).slice(1)) {
    const nl = part.indexOf('\n')
    const head = nl < 0 ? part : part.slice(0, nl)
    const body = nl < 0 ? '' : part.slice(nl + 1).trim()
    if (head === 'live') out.live = body
    else if (head === 'wanted') out.wanted = body
    else if (head.startsWith('property ')) out.properties[head.slice('property '.length)] = body
  }
  return out
}
