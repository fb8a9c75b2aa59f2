// Time travel, straight from the log (not from a read model): what the system knew at an instant.
import type { EventStore } from '../commands/event-store/port.js'
import { REPORT_EVENT_TYPES, isReportStream, reportStream, type ReportEvent } from '../domain/events.js'
import { caseFacts, evolve, foldReport, initialState, type ReportState } from '../domain/report/index.js'
import type { Instant, IsoDate } from '../domain/types.js'
import { taipeiDate } from '../domain/roc-date.js'

const cutoff = (instant: Instant | Date) => new Date(new Date(instant).getTime() + 1) // events recorded at or before the instant

/** The case as it stood at `instant` (events recorded up to and including it), folded with the domain's evolve. */
export async function caseAsOf(store: EventStore, caseId: string, instant: Instant | Date): Promise<ReportState> {
  const events = await store.readStream<ReportEvent>(reportStream(caseId), { recordedBefore: cutoff(instant) })
  return foldReport(events, initialState())
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
  for await (const e of store.streamAll<ReportEvent>({ types: REPORT_EVENT_TYPES, pageSize: 2000 })) {
    if (e.recordedAt >= limit || !isReportStream(e.stream)) continue
    states.set(e.stream, evolve(states.get(e.stream) ?? initialState(), e))
  }
  const out: SupportAsOf[] = []
  for (const s of states.values()) {
    if (!s.exists) continue
    const f = caseFacts(s)
    if (!f.approved || !f.inForcePeriod) continue
    const terms = f.approved.terms
    const home = s.applicant.home.code
    if (home !== institutionCode && terms.supported.code !== institutionCode) continue
    const { from, to } = f.inForcePeriod
    if (day < from || day > to) continue
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
      to,
      approvalNumber: f.approvalNumber ?? null,
      direction: terms.supported.code === institutionCode ? 'incoming' : 'outgoing',
    })
  }
  return out.sort((a, b) => (a.caseId < b.caseId ? -1 : 1))
}
