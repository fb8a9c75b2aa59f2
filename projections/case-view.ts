// The projections' view of one case, folded from its events: what read models need (the application under
// review, the terms in force, the times of filing and decisions). Pure; the command side's decider state is
// domain/report's business, this is the read side's.
import type { RecordedEvent } from '../commands/event-store/port.js'
import type { ReportEvent } from '../domain/events.js'
import { importedCaseInForce } from '../domain/report/state.js'
import type { ApplicantSnapshot, ApplicationType, Attachment, Instant, IsoDate, Routing, Status, Terms } from '../domain/types.js'
import { addDays } from '../domain/roc-date.js'
import { summarizeSchedule } from '../domain/schedule.js'

export interface PendingApplication {
  type: ApplicationType
  /** Time of the (re)submission now under review. */
  filedAt: Instant
  /** First filing of this application (resubmissions keep it). */
  firstFiledAt: Instant
  /** New terms of a change (a register application's terms are the case's terms). */
  terms?: Terms
  routing?: Routing
  effectiveDate?: IsoDate
  reason?: string
}

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
  /** Terms in force (approved), if any. */
  approved: { terms: Terms; routing: Routing } | null
  /** Application under review or returned to its filer. */
  pending: PendingApplication | null
  approvalNumber: string | null
  submittedAt: Instant | null
  approvedAt: Instant | null
  decidedAt: Instant | null
  cancelEffective: IsoDate | null
  attachments: Attachment[]
  createdAt: Instant
  updatedAt: Instant
  version: number
}

export const isReportEvent = (e: RecordedEvent): e is RecordedEvent & ReportEvent => e.stream.startsWith('report-')

export const caseIdOfStream = (stream: string) => stream.slice('report-'.length)

/** Applies one event; returns a new view (undefined before the case exists). Unknown events leave it unchanged. */
export function evolveCaseView(view: CaseView | undefined, event: RecordedEvent): CaseView | undefined {
  const e = event as unknown as ReportEvent
  const at = event.meta.occurredAt
  if (e.type === 'ReportDrafted') {
    const d = e.data
    return {
      caseId: d.caseId,
      caseNumber: null,
      legacyNumber: null,
      status: 'draft',
      applicationType: 'register',
      applicant: d.applicant,
      filedBy: d.filedBy,
      terms: d.terms,
      routing: d.routing,
      approved: null,
      pending: null,
      approvalNumber: null,
      submittedAt: null,
      approvedAt: null,
      decidedAt: null,
      cancelEffective: null,
      attachments: d.attachments ?? [],
      createdAt: at,
      updatedAt: at,
      version: event.streamVersion,
    }
  }
  if (e.type === 'ReportImported') {
    const d = e.data
    const inForce = importedCaseInForce(d.status, d.applicationType)
    const approved = inForce ? { terms: d.terms, routing: d.routing } : null
    return {
      caseId: d.caseId,
      caseNumber: d.caseNumber,
      legacyNumber: d.legacyNumber,
      status: d.status,
      applicationType: d.applicationType,
      applicant: d.applicant,
      filedBy: { role: 'professional', id: d.applicant.nationalId },
      terms: d.terms,
      routing: d.routing,
      approved,
      pending:
        d.status === 'under_review' || d.status === 'returned'
          ? { type: d.applicationType, filedAt: d.submittedAt ?? at, firstFiledAt: d.submittedAt ?? at }
          : null,
      approvalNumber: d.approvalNumber ?? null,
      submittedAt: d.submittedAt ?? null,
      approvedAt: d.approvedAt ?? null,
      decidedAt: d.approvedAt ?? null,
      cancelEffective: null,
      attachments: [],
      createdAt: at,
      updatedAt: at,
      version: event.streamVersion,
    }
  }
  if (!view) return undefined
  const v: CaseView = { ...view, updatedAt: at, version: event.streamVersion }
  const decided = () => {
    v.decidedAt = at
  }
  switch (e.type) {
    case 'DraftEdited':
      v.terms = e.data.terms
      v.routing = e.data.routing
      break
    case 'ReportSubmitted':
      v.caseNumber = e.data.caseNumber
      v.status = 'under_review'
      v.applicationType = 'register'
      v.submittedAt = at
      v.pending = { type: 'register', filedAt: at, firstFiledAt: at }
      break
    case 'ReportResubmitted':
      v.status = 'under_review'
      if (v.pending?.type === 'change') v.pending = { ...v.pending, terms: e.data.terms, routing: e.data.routing, filedAt: at }
      else {
        v.terms = e.data.terms
        v.routing = e.data.routing
        v.pending = { type: v.pending?.type ?? 'register', filedAt: at, firstFiledAt: v.pending?.firstFiledAt ?? at }
      }
      break
    case 'ReportApproved':
      v.status = 'approved'
      v.approved = { terms: v.terms, routing: v.routing }
      v.approvalNumber = e.data.approvalNumber
      v.approvedAt = at
      v.pending = null
      decided()
      break
    case 'ReportRejected':
      v.status = 'rejected'
      v.pending = null
      decided()
      break
    case 'ReportReturned':
    case 'ChangeReturned':
      v.status = 'returned'
      decided()
      break
    case 'ChangeRequested':
      v.status = 'under_review'
      v.applicationType = 'change'
      v.submittedAt = at
      v.pending = { type: 'change', filedAt: at, firstFiledAt: at, terms: e.data.terms, routing: e.data.routing, reason: e.data.reason }
      break
    case 'ChangeApproved':
      if (v.pending?.terms) {
        v.terms = v.pending.terms
        v.routing = v.pending.routing ?? v.routing
      }
      v.approved = { terms: v.terms, routing: v.routing }
      v.status = 'approved'
      v.approvalNumber = e.data.approvalNumber
      v.approvedAt = at
      v.pending = null
      decided()
      break
    case 'ChangeRejected':
    case 'CancellationRejected':
      // the application is refused (status 未核准, as domain/report); the approval in force stays
      v.status = 'rejected'
      v.pending = null
      decided()
      break
    case 'CancellationRequested':
      v.status = 'under_review'
      v.applicationType = 'cancel'
      v.submittedAt = at
      v.pending = { type: 'cancel', filedAt: at, firstFiledAt: at, effectiveDate: e.data.effectiveDate, reason: e.data.reason }
      break
    case 'CancellationApproved':
      v.status = 'cancelled'
      v.cancelEffective = v.pending?.effectiveDate ?? null
      v.approvalNumber = e.data.approvalNumber
      v.approvedAt = at
      v.pending = null
      decided()
      break
    case 'ReportWithdrawn':
      if (e.data.applicationType === 'register' || !v.approved) {
        v.status = 'withdrawn'
      } else {
        v.status = 'approved'
      }
      v.pending = null
      break
    case 'AttachmentAdded':
      v.attachments = [...v.attachments.filter((a) => a.hash !== e.data.attachment.hash), e.data.attachment]
      break
    case 'AttachmentRemoved':
      v.attachments = v.attachments.filter((a) => a.hash !== e.data.hash)
      break
    default:
      return view
  }
  return v
}

export const foldCaseView = (events: readonly RecordedEvent[], from?: CaseView): CaseView | undefined =>
  events.reduce<CaseView | undefined>((s, e) => evolveCaseView(s, e), from)

/** Terms of the application currently asked for (a pending change's new terms), else the case's terms. */
export const displayTerms = (v: CaseView): Terms => v.pending?.terms ?? v.terms
export const displayRouting = (v: CaseView): Routing => v.pending?.routing ?? v.routing

/** First and last day the approval is in force (null when nothing is approved or the cancellation took all of it). */
export function inForcePeriod(v: CaseView): { from: IsoDate; to: IsoDate } | null {
  if (!v.approved) return null
  const s = summarizeSchedule(v.approved.terms.schedule)
  if (!s.from || !s.to) return null
  const to = v.cancelEffective && v.cancelEffective <= s.to ? addDays(v.cancelEffective, -1) : s.to
  return to < s.from ? null : { from: s.from, to }
}

/** Institutions and counties that may see this case (scope columns). */
export function scopeOf(v: CaseView): { nationalId: string; institutions: string[]; counties: string[] } {
  const inst = new Set<string>([v.applicant.home.code, v.terms.supported.code])
  if (v.filedBy.role === 'institution') inst.add(v.filedBy.id)
  if (v.pending?.terms) inst.add(v.pending.terms.supported.code)
  const counties = new Set<string>([v.routing.reviewCounty, ...v.routing.copiedCounties])
  if (v.pending?.routing) for (const c of [v.pending.routing.reviewCounty, ...v.pending.routing.copiedCounties]) counties.add(c)
  return { nationalId: v.applicant.nationalId, institutions: [...inst], counties: [...counties] }
}
