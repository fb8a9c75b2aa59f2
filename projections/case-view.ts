// The read side's view of one case: the DOMAIN state (folded with domain/report's evolve, stored by the case
// projections) and what domain/report's caseFacts derive from it, under the names read models, pages and PDFs use.
// A column mapping only: nothing here decides what a case means.
import type { RecordedEvent } from '../commands/event-store/port.js'
import { isReportStream, type ReportEvent } from '../domain/events.js'
import { caseFacts, type CaseFacts, type PendingApplication } from '../domain/report/case-facts.js'
import { evolve, initialState, type ReportCase, type ReportState } from '../domain/report/state.js'
import type { ApplicantSnapshot, ApplicationType, Attachment, Instant, IsoDate, Routing, Status, Terms } from '../domain/types.js'

export type { PendingApplication }

export interface CaseView {
  caseId: string
  caseNumber: string | null
  legacyNumber: string | null
  status: Status
  applicationType: ApplicationType
  applicant: ApplicantSnapshot
  filedBy: { role: 'professional' | 'institution'; id: string }
  /** Draft / registered terms, or the approved terms once approved. */
  terms: Terms
  routing: Routing
  /** The last approved terms, if any. */
  approved: { terms: Terms; routing: Routing } | null
  /** Application under review or returned to its filer. */
  pending: PendingApplication | null
  approvalNumber: string | null
  /** First filing of the current (or last) application. */
  submittedAt: Instant | null
  approvedAt: Instant | null
  decidedAt: Instant | null
  cancelEffective: IsoDate | null
  attachments: Attachment[]
  createdAt: Instant | null
  updatedAt: Instant | null
  version: number
  /** What the domain derives from the state. */
  facts: CaseFacts
  /** The domain state itself (for allowedCommands and the like). */
  state: ReportCase
}

export const isReportEvent = (e: RecordedEvent): e is RecordedEvent<ReportEvent> => isReportStream(e.stream)

// the last step folded for each event object: the case projections are handed the same event objects and (from
// case-states.ts) the same state objects, so the first of them folds a step and the others take its result (and with
// it the views memoized below) instead of folding it again
const steps = new WeakMap<RecordedEvent, { from: ReportCase | undefined; to: ReportCase | undefined }>()

/** The domain's evolve over a stored state (undefined before the case exists). */
export function evolveCase(state: ReportCase | undefined, event: RecordedEvent<ReportEvent>): ReportCase | undefined {
  const known = steps.get(event)
  if (known && known.from === state) return known.to
  const next = evolve(state ?? initialState(), event)
  const to = next.exists ? next : undefined
  steps.set(event, { from: state, to })
  return to
}

export const foldCase = (events: readonly RecordedEvent<ReportEvent>[], from?: ReportCase): ReportCase | undefined =>
  events.reduce<ReportCase | undefined>((s, e) => evolveCase(s, e), from)

// a state object is never changed (evolve makes a new one): its views are computed once (a batch hands each step's
// before and after to every read model)
const views = new WeakMap<ReportCase, CaseView>()

export function caseView(s: ReportCase): CaseView {
  const known = views.get(s)
  if (known) return known
  const facts = caseFacts(s)
  const view: CaseView = {
    caseId: s.caseId,
    caseNumber: s.caseNumber ?? null,
    legacyNumber: s.legacyNumber ?? null,
    status: s.status,
    applicationType: s.applicationType,
    applicant: s.applicant,
    filedBy: s.filedBy,
    terms: s.terms,
    routing: s.routing,
    approved: facts.approved ?? null,
    pending: facts.pending ?? null,
    approvalNumber: facts.approvalNumber ?? null,
    submittedAt: s.applicationFiledAt ?? null,
    approvedAt: s.approvedAt ?? null,
    decidedAt: s.lastDecisionAt ?? null,
    cancelEffective: s.cancelledFrom ?? null,
    attachments: s.attachments,
    createdAt: s.createdAt ?? null,
    updatedAt: s.updatedAt ?? null,
    version: s.version,
    facts,
    state: s,
  }
  views.set(s, view)
  return view
}

/** The view of a state, or undefined before the case exists. */
export const viewOf = (s: ReportState | undefined): CaseView | undefined => (s?.exists ? caseView(s) : undefined)
