// Time travel, straight from the log (not from a read model): what the system knew at an instant.
import type { EventStore, RecordedEvent } from '../commands/event-store/port.js'
import { REPORT_EVENT_TYPES, reportStream } from '../domain/events.js'
import { evolve, foldReport, initialState, type FoldableEvent, type ReportState } from '../domain/report/index.js'
import { scheduleBounds } from '../domain/schedule.js'
import type { Instant, IsoDate } from '../domain/types.js'
import { taipeiDate } from '../domain/roc-date.js'

const cutoff = (instant: Instant | Date) => new Date(new Date(instant).getTime() + 1) // events recorded at or before the instant

/** The case as it stood at `instant` (events recorded up to and including it), folded with the domain's evolve. */
export async function caseAsOf(store: EventStore, caseId: string, instant: Instant | Date): Promise<ReportState> {
  const events = await store.readStream(reportStream(caseId), { recordedBefore: cutoff(instant) })
  return foldReport(events as unknown as FoldableEvent[], initialState())
}

export interface SupportAsOf {
  caseId: string
  caseNumber: string | null
  nationalId: string
  name: string
  profession: string
  homeCode: string
  homeName: string
  supportedCode: string
  supportedName: string
  from: IsoDate
  to: IsoDate
  approvalNumber: string | null
  /** incoming: others' staff supporting this institution; outgoing: its staff supporting others. */
  direction: 'incoming' | 'outgoing'
}

/**
 * Supports in force where the institution is home or supported, as the log stood at `instant` (every report stream
 * folded up to the events recorded at or before it), on the Asia/Taipei day of the instant (or `options.day`:
 * "what did we know at instant X about day D").
 */
export async function validSupportsAsOf(
  store: EventStore,
  institutionCode: string,
  instant: Instant | Date,
  options: { day?: IsoDate } = {},
): Promise<SupportAsOf[]> {
  const limit = cutoff(instant)
  const day = options.day ?? taipeiDate(typeof instant === 'string' ? instant : instant.toISOString())
  const states = new Map<string, ReportState>()
  for await (const e of store.streamAll({ types: REPORT_EVENT_TYPES, pageSize: 2000 }) as AsyncIterable<RecordedEvent>) {
    if (e.recordedAt >= limit || !e.stream.startsWith('report-')) continue
    states.set(e.stream, evolve(states.get(e.stream) ?? initialState(), e as unknown as FoldableEvent))
  }
  const out: SupportAsOf[] = []
  for (const s of states.values()) {
    if (!s.exists || !s.approvedTerms || s.status === 'withdrawn') continue
    const terms = s.approvedTerms
    const home = s.applicant.home.code
    if (home !== institutionCode && terms.supported.code !== institutionCode) continue
    const { from, to } = scheduleBounds(terms.schedule)
    if (day < from || day > to || (s.cancelledFrom !== undefined && day >= s.cancelledFrom)) continue
    out.push({
      caseId: s.caseId,
      caseNumber: s.caseNumber ?? null,
      nationalId: s.applicant.nationalId,
      name: s.applicant.name,
      profession: s.applicant.profession,
      homeCode: home,
      homeName: s.applicant.home.name,
      supportedCode: terms.supported.code,
      supportedName: terms.supported.name,
      from,
      to: s.cancelledFrom !== undefined && s.cancelledFrom <= to ? new Date(Date.parse(s.cancelledFrom) - 86_400_000).toISOString().slice(0, 10) : to,
      approvalNumber: s.approvalNumbers[s.approvalNumbers.length - 1] ?? null,
      direction: terms.supported.code === institutionCode ? 'incoming' : 'outgoing',
    })
  }
  return out.sort((a, b) => (a.caseId < b.caseId ? -1 : 1))
}
