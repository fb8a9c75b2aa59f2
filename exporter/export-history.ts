// The export stream of a day (`export-<yyyyMMdd>`): what was generated, delivered, and what failed. Source of truth
// for "already delivered?", the recorded created-at, and the next sequence number.
import { randomUUID } from 'node:crypto'
import type { EventStore, EventToAppend } from '../commands/event-store/port.js'
import type { EventMeta, ExportEvent, RosterDelivered, RosterDeliveryFailed, RosterGenerated } from '../domain/events.js'
import { exportStream } from '../domain/events.js'
import type { Actor, IsoDate } from '../domain/types.js'

export interface ExportHistory {
  day: IsoDate
  stream: string
  /** Stream version (expected version for the next append). */
  version: number
  generated: Map<number, RosterGenerated['data']>
  delivered: Map<number, RosterDelivered['data'] & { at: string }>
  failures: Array<RosterDeliveryFailed['data'] & { at: string }>
}

export async function readExportHistory(store: EventStore, day: IsoDate): Promise<ExportHistory> {
  const stream = exportStream(day)
  const events = await store.readStream(stream)
  const h: ExportHistory = { day, stream, version: events.at(-1)?.streamVersion ?? 0, generated: new Map(), delivered: new Map(), failures: [] }
  for (const e of events) {
    const ev = { type: e.type, data: e.data } as ExportEvent
    if (ev.type === 'RosterGenerated') h.generated.set(ev.data.sequence, ev.data)
    else if (ev.type === 'RosterDelivered') h.delivered.set(ev.data.sequence, { ...ev.data, at: e.meta.occurredAt })
    else if (ev.type === 'RosterDeliveryFailed') h.failures.push({ ...ev.data, at: e.meta.occurredAt })
  }
  return h
}

/** The day's created-at: the one recorded by its first generation, when there is one. */
export function recordedCreatedAt(h: ExportHistory): string | undefined {
  const first = Math.min(...h.generated.keys())
  return h.generated.get(first)?.createdAt
}

export const isDelivered = (h: ExportHistory) => h.delivered.size > 0

/** Failed attempts of one sequence since it was generated (for the attempt number). */
export const attemptsOf = (h: ExportHistory, sequence: number) => h.failures.filter((f) => f.sequence === sequence).length

export function exportEvent<E extends ExportEvent>(type: E['type'], data: E['data'], commandId: string, actor: Actor, now: Date): EventToAppend {
  const correlationId = randomUUID()
  const meta: EventMeta = { commandId, actor, correlationId, causationId: correlationId, occurredAt: now.toISOString() }
  return { type, data, meta }
}
