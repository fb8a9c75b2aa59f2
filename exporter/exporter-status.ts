// The exporter's state from the log (for /status and `baobei export --status`): last day generated and delivered,
// deliveries failing now, the latest failure.
import type { EventStore } from '../commands/event-store/port.js'
import type { RosterDelivered, RosterDeliveryFailed, RosterGenerated } from '../domain/events.js'
import type { IsoDate } from '../domain/types.js'

export interface ExporterStatus {
  lastDelivered?: { day: IsoDate; sequence: number; fileName: string; remotePath: string; at: string }
  lastGenerated?: { day: IsoDate; sequence: number; fileName: string; total: number; at: string }
  deliveredDays: number
  /** Failed attempts of days not delivered since, oldest day first, the latest attempt of each. */
  failing: Array<{ day: IsoDate; sequence: number; reason: string; attempt: number; at: string }>
  /** The latest failed delivery in the log, whether its day was delivered since (resolved) or not. */
  lastFailure?: { day: IsoDate; sequence: number; reason: string; attempt: number; at: string; resolved: boolean }
}

export async function exporterStatus(store: EventStore): Promise<ExporterStatus> {
  const status: ExporterStatus = { deliveredDays: 0, failing: [] }
  const delivered = new Set<IsoDate>()
  const failing = new Map<IsoDate, ExporterStatus['failing'][number]>()
  let lastFailure: ExporterStatus['failing'][number] | undefined
  for await (const e of store.streamAll({ types: ['RosterGenerated', 'RosterDelivered', 'RosterDeliveryFailed'] })) {
    if (e.type === 'RosterDelivered') {
      const d = e.data as RosterDelivered['data']
      delivered.add(d.day)
      failing.delete(d.day)
      if (!status.lastDelivered || d.day >= status.lastDelivered.day) {
        status.lastDelivered = { day: d.day, sequence: d.sequence, fileName: d.fileName, remotePath: d.remotePath, at: e.meta.occurredAt }
      }
    } else if (e.type === 'RosterDeliveryFailed') {
      const d = e.data as RosterDeliveryFailed['data']
      const f = { day: d.day, sequence: d.sequence, reason: d.reason, attempt: d.attempt, at: e.meta.occurredAt }
      failing.set(d.day, f)
      lastFailure = f
    } else {
      const d = e.data as RosterGenerated['data']
      if (!status.lastGenerated || d.day >= status.lastGenerated.day) {
        status.lastGenerated = { day: d.day, sequence: d.sequence, fileName: d.fileName, total: d.counts.total, at: e.meta.occurredAt }
      }
    }
  }
  if (lastFailure) status.lastFailure = { ...lastFailure, resolved: failing.get(lastFailure.day) !== lastFailure }
  status.deliveredDays = delivered.size
  status.failing = [...failing.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
  return status
}
