// `run-playbook graph -i INVENTORY [-o FILE] [--format text|dot|svg|png]`: the topology
// drawn from the inventory and the site playbook (src/graph). Text on a terminal by
// default; with -o the format follows the file's extension. Reads no secret, connects
// nowhere.
import { writeFileSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import type { Command } from 'commander'
import { loadPlaybook } from '../engine/prepare.js'
import { loadInventory } from '../inventory/load.js'
import { buildGraph, type TopologyGraph } from '../graph/model.js'
import { toDot } from '../graph/dot.js'
import { toText } from '../graph/text.js'
import { dotToSvg, svgToPng } from '../graph/render.js'
import { t } from '../i18n.js'
import { EXIT_INVALID } from './run-command.js'
import { projectRoot } from './context.js'

const FORMATS = ['text', 'dot', 'svg', 'png'] as const
type Format = (typeof FORMATS)[number]

export interface GraphOptions {
  inventory: string
  output?: string
  format?: string
  playbook?: string
}

export async function topologyGraph(inventoryPath: string, playbookName = 'site'): Promise<TopologyGraph> {
  const inventory = await loadInventory(resolve(inventoryPath), { skipSecrets: true })
  const { playbook } = await loadPlaybook(projectRoot(), playbookName)
  return buildGraph(basename(inventory.dir), inventory, playbook.plays)
}

export async function renderGraph(graph: TopologyGraph, format: Format): Promise<string | Buffer> {
  if (format === 'text') return toText(graph)
  const dot = toDot(graph)
  if (format === 'dot') return dot
  const svg = await dotToSvg(dot)
  return format === 'svg' ? svg : svgToPng(svg)
}

export async function graphCommand(o: GraphOptions): Promise<number> {
  const format = (o.format ?? (o.output ? extname(o.output).slice(1).toLowerCase() : 'text')) as Format
  if (!FORMATS.includes(format)) {
    process.stderr.write(`${t('cli.graphFormat', { format, formats: FORMATS.join(', ') })}\n`)
    return EXIT_INVALID
  }
  const out = await renderGraph(await topologyGraph(o.inventory, o.playbook), format)
  if (o.output) writeFileSync(o.output, out)
  else process.stdout.write(out)
  return 0
}

export function registerGraphCommand(program: Command, setCode: (code: number) => void): void {
  program
    .command('graph')
    .description(
      'draw the topology from the inventory: hosts and their roles, networks, VIPs and who holds them, ' +
        'DRBD/OCFS2, NFS and DHCP links (text on the terminal, or DOT/SVG/PNG)',
    )
    .option('-i, --inventory <path>', 'inventory directory or file', 'inventory/2-node')
    .option('-o, --output <file>', 'write to this file; the format follows its extension (.svg, .png, .dot, .txt)')
    .option('--format <format>', `one of ${FORMATS.join(', ')} (default: text, or the output file's extension)`)
    .option('--playbook <name>', 'the playbook whose plays give each host its roles', 'site')
    .action(async (opts) => setCode(await graphCommand(opts)))
}
