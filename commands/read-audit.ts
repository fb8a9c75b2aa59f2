// Reading is audited: every case or personal-data view by bureau staff is a fact, appended to the day's audit
// stream `audit-<yyyyMMdd>` (Asia/Taipei). Each view is its own command (fresh command id), so nothing is merged.
import { randomUUID } from 'node:crypto'
import type { RecordViewed } from '../domain/events.js'
import { taipeiDate } from '../domain/roc-date.js'
import type { Actor, Instant } from '../domain/types.js'
import type { AppendResult, EventStore } from './event-store/port.js'

export const AUDIT_STREAM_PREFIX = 'audit-'
/** '2024-03-01' (Taipei day) → 'audit-20240301'. */
export const auditStream = (isoDay: string) => `${AUDIT_STREAM_PREFIX}${isoDay.replaceAll('-', '')}`

export interface ViewToRecord {
  viewer: Actor
  subjects: readonly RecordViewed['data']['subject'][]
  via: string
  at: Instant
  correlationId?: string
}

/** Appends one RecordViewed per subject (one append, one command). Views by anyone but staff are not audited here. */
export async function recordView(store: EventStore, view: ViewToRecord): Promise<AppendResult | undefined> {
  if (view.subjects.length === 0) return undefined
  const commandId = randomUUID()
  const correlationId = view.correlationId ?? commandId
  const v = view.viewer
  const events = view.subjects.map((subject) => ({
    type: 'RecordViewed' as const,
    data: {
      viewer: v.id,
      ...(v.name ? { viewerName: v.name } : {}),
      role: v.role,
      ...(v.county ? { county: v.county } : {}),
      subject: { kind: subject.kind, id: subject.id },
      via: view.via,
    } satisfies RecordViewed['data'],
    meta: { commandId, actor: v, correlationId, causationId: correlationId, occurredAt: view.at },
  }))
  return store.append(auditStream(taipeiDate(view.at)), events, 'any')
}
