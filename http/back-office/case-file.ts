// One case as a reviewer opens it, read from the log itself (not a read model, so never behind): the case view,
// its stream version (the version a decision is made against), its full history (every event with actor, card,
// time and a diff of what changed) and the findings recorded at each filing. With `asOf`, everything as it stood
// at that instant (time travel: events whose business time is at or before it).
import { isUuid } from '../../domain/name-uuid.js'
import type { EventStore, RecordedEvent } from '../../commands/event-store/port.js'
import { reportStream, type ReportEvent } from '../../domain/events.js'
import type { Actor, ApplicationType, FilingFindings, Instant } from '../../domain/types.js'
import type { ReportCase } from '../../domain/report/state.js'
import { evolveCase, viewOf, type CaseView } from '../../projections/case-view.js'
import { describeStep } from '../../projections/read-models/history.js'
import type { FieldChange } from '../../projections/terms-diff.js'

export interface HistoryEntry {
  seq: number
  type: string
  occurredAt: Instant
  recordedAt: Instant
  actor: Actor
  summary: string
  diff: FieldChange[]
  statusAfter: string | null
}

export interface FilingRecord {
  seq: number
  at: Instant
  applicationType: ApplicationType
  label: string
  findings: FilingFindings
}

export interface CaseFile {
  view: CaseView
  /** Stream version of the whole case (decisions are checked against it), whatever asOf says. */
  version: number
  /** Every event of the stream (whatever asOf says). */
  events: readonly RecordedEvent<ReportEvent>[]
  history: HistoryEntry[]
  filings: FilingRecord[]
  asOf?: Instant
}

export function buildCaseFile(events: readonly RecordedEvent<ReportEvent>[], asOf?: Instant): CaseFile | undefined {
  const limit = asOf ? Date.parse(asOf) : undefined
  const shown = limit === undefined ? events : events.filter((e) => Date.parse(e.meta.occurredAt) <= limit)
  let state: ReportCase | undefined
  let view: CaseView | undefined
  const history: HistoryEntry[] = []
  const filings: FilingRecord[] = []
  for (const event of shown) {
    const before = view
    state = evolveCase(state, event)
    view = viewOf(state)
    const { summary, diff } = describeStep({ event, before, after: view })
    history.push({
      seq: event.streamVersion,
      type: event.type,
      occurredAt: event.meta.occurredAt,
      recordedAt: event.recordedAt.toISOString(),
      actor: event.meta.actor,
      summary,
      diff,
      statusAfter: view?.status ?? null,
    })
    const e = event
    if (e.type === 'ReportSubmitted') filings.push({ seq: event.streamVersion, at: event.meta.occurredAt, applicationType: 'register', label: '送審（登錄）', findings: e.data.findings })
    if (e.type === 'ReportResubmitted') filings.push({ seq: event.streamVersion, at: event.meta.occurredAt, applicationType: view?.applicationType ?? 'register', label: '補正後重新送審', findings: e.data.findings })
    if (e.type === 'ChangeRequested') filings.push({ seq: event.streamVersion, at: event.meta.occurredAt, applicationType: 'change', label: '申請變更', findings: e.data.findings })
  }
  if (!view) return undefined
  return { view, version: events.length, events, history, filings, ...(asOf ? { asOf } : {}) }
}

/** The case file, or undefined when the case does not exist (or did not yet exist at `asOf`). */
export async function loadCaseFile(store: EventStore, caseId: string, asOf?: Instant): Promise<CaseFile | undefined> {
  if (!isUuid(caseId)) return undefined
  const events = await store.readStream<ReportEvent>(reportStream(caseId))
  return buildCaseFile(events, asOf)
}
