// DOT to SVG with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz: no system
// package), SVG to PNG with resvg (@resvg/resvg-js, prebuilt, the system's fonts). Both
// are loaded only when a picture is asked for, with require: the bundle (bin/bundle.js)
// runs from a V8 code cache, where Node 20 loses the callback import() needs.
// @hpcc-js/wasm-graphviz is an ES module: require() loads it from Node 20.19 on; before
// that, import() (which works outside the bundle).
import { createRequire } from 'node:module'

const load = createRequire(import.meta.url)

export async function dotToSvg(dot: string): Promise<string> {
  const { Graphviz } = await graphvizModule()
  const graphviz = await Graphviz.load()
  return graphviz.dot(dot, 'svg')
}

export function svgToPng(svg: string, zoom = 1.5): Buffer {
  const { Resvg } = load('@resvg/resvg-js') as typeof import('@resvg/resvg-js')
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
  return resvg.render().asPng()
}

type GraphvizModule = typeof import('@hpcc-js/wasm-graphviz')

async function graphvizModule(): Promise<GraphvizModule> {
  try {
    return load('@hpcc-js/wasm-graphviz') as GraphvizModule
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw e
    return import('@hpcc-js/wasm-graphviz')
  }
}
