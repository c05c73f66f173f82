// `run-playbook graph -i INVENTORY [-o FILE] [--format text|dot|svg|png] [--live]`: the
// topology drawn from the inventory and the site playbook (src/graph). Text on a terminal
// by default; with -o the format follows the file's extension. Without --live it reads no
// secret and connects nowhere, whether a lab is up or not (the same picture every time,
// which the docs' pictures rely on); with --live it asks every host, once, which addresses
// it holds now, and marks who holds each VIP and which hosts are down.
import { writeFileSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import type { Command } from 'commander'
import { loadPlaybook } from '../engine/prepare.js'
import { loadInventory } from '../inventory/load.js'
import { buildGraph, type TopologyGraph } from '../graph/model.js'
import { toDot } from '../graph/dot.js'
import { toText } from '../graph/text.js'
import { dotToSvg, svgToPng } from '../graph/render.js'
import { annotateLive } from '../graph/live.js'
import { DEFAULT_LIVE_TIMEOUT_MS, observeHosts } from '../graph/observe.js'
import { t } from '../i18n.js'
import { labConnectionFor } from '../lab/state.js'
import { EXIT_INVALID } from './run-command.js'
import { inventoryDirOf, loadHostsContext, projectRoot } from './context.js'

const FORMATS = ['text', 'dot', 'svg', 'png'] as const
type Format = (typeof FORMATS)[number]

export interface GraphOptions {
  inventory: string
  output?: string
  format?: string
  playbook?: string
  /** Ask the hosts now: who holds each VIP, which hosts are down. */
  live?: boolean
  /** --live: seconds to wait for each host (default 5). */
  timeout?: string
  acceptNewHosts?: boolean
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
  const seconds = o.timeout === undefined ? DEFAULT_LIVE_TIMEOUT_MS / 1000 : Number(o.timeout)
  if (!(seconds >= 1 && seconds <= 60)) {
    process.stderr.write(`${t('graph.liveTimeout', { value: String(o.timeout) })}\n`)
    return EXIT_INVALID
  }
  const graph = o.live ? await liveGraph(o, seconds * 1000) : await topologyGraph(o.inventory, o.playbook)
  if (!o.live && labConnectionFor(inventoryDirOf(o.inventory)))
    process.stderr.write(`${t('graph.labUp', { inventory: o.inventory })}\n`)
  const out = await renderGraph(graph, format)
  if (o.output) writeFileSync(o.output, out)
  else process.stdout.write(out)
  return 0
}

/** The inventory as its hosts run it (the lab's overlay when the lab is up for it), and what they answer now. */
export async function liveGraph(o: GraphOptions, timeoutMs: number): Promise<TopologyGraph> {
  const ctx = await loadHostsContext(o)
  const { playbook } = await loadPlaybook(ctx.root, o.playbook ?? 'site')
  const graph = buildGraph(basename(ctx.inventory.dir), ctx.inventory, playbook.plays)
  return annotateLive(graph, await observeHosts(ctx.inventory.hosts, ctx.connect, timeoutMs))
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
    .option(
      '--live',
      'ask the hosts now (one SSH round trip each, as verify connects; the lab when it is up for this ' +
        'inventory): mark who holds each VIP now (nobody, or two hosts: split brain) and which hosts are down. ' +
        'Never implied: without it graph connects nowhere, even when the lab is up',
    )
    .option(
      '--timeout <seconds>',
      `--live: how long to wait for each host before it counts as down`,
      String(DEFAULT_LIVE_TIMEOUT_MS / 1000),
    )
    .option('--accept-new-hosts', '--live: trust and record host keys seen for the first time')
    .action(async (opts) => setCode(await graphCommand(opts)))
}
