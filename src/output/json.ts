// --json: one JSON event per line on stdout (secrets masked by the sink).
import type { EngineEvent } from '../engine/events.js'
import type { Sink } from './sink.js'

export function jsonRenderer(sink: Sink) {
  const emit = (e: EngineEvent): void => sink.out(JSON.stringify({ ...e, time: new Date().toISOString() }) + '\n')
  return { emit, close: async () => {} }
}
