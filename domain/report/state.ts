// The support-report state and its fold (Emmett-style evolve). Pure.
import type { EventMeta, ReportEvent } from '../events.js'
import type {
  ApplicantSnapshot, ApplicationType, Attachment, Instant, IsoDate, Routing, Status, Terms,
} from '../types.js'

/** Before the first event. */

/**
 * Whether an imported (migrated) case has terms in force: it was approved, or it is a change or cancellation of an
 * approved report that is still open or was refused (the approved terms stay in force meanwhile). A case the old
 * system cancelled (已註銷) has none: it counts for nothing (conflicts, quota, calendars, roster) and cannot be
 * changed or cancelled again.
 */
export const importedCaseInForce = (status: Status, applicationType: ApplicationType): boolean =>
  status === 'approved' || (applicationType !== 'register' && (status === 'under_review' || status === 'returned' || status === 'rejected'))

export interface NoReport {
  exists: false
  version: number
}

/**
 * A case that exists. `terms` = terms in force once approved, else the draft/registration terms. It holds what
 * decisions and the derived facts read; what a filing recorded (its conflict and quota findings) stays in the
 * filing's event, where the case file reads it (more than half of a state's bytes, read by nothing).
 */
export interface ReportCase {
  exists: true
  caseId: string
  caseNumber?: string
  legacyNumber?: string
  status: Status
  /** Type of the current (or last) application: 登錄, 變更 or 註銷. */
  applicationType: ApplicationType
  applicant: ApplicantSnapshot
  filedBy: { role: 'professional' | 'institution'; id: string }
  terms: Terms
  /** Routing of `terms`. */
  routing: Routing
  /** Terms in force (set by an approval; kept through a pending, returned or rejected change or cancellation). */
  approvedTerms?: Terms
  approvedRouting?: Routing
  /** A change under review or returned to the filer. */
  pendingTerms?: Terms
  pendingRouting?: Routing
  changeReason?: string
  /** A cancellation under review. */
  pendingCancellation?: { effectiveDate: IsoDate; reason: string }
  /** Set by CancellationApproved: the terms stop from this date. */
  cancelledFrom?: IsoDate
  attachments: Attachment[]
  approvalNumbers: string[]
  /** The application the last approval number decided (登錄, 變更 or 註銷): what an approval form prints. */
  approvedApplicationType?: ApplicationType
  copiedFrom?: string
  /** Filed by a reviewer on behalf of this party (後台代為申請). */
  onBehalfOf?: { role: 'professional' | 'institution'; id: string }
  /** Last reviewer reason (reject/return) and the fields to fix (return). */
  lastReason?: string
  fieldsToFix?: string[]
  draftedAt?: Instant
  /** Business time of the first and of the last event folded. */
  createdAt?: Instant
  updatedAt?: Instant
  /** First filing of the current (or last) application: 登錄 submission, 變更 or 註銷 request (resubmissions keep it). */
  applicationFiledAt?: Instant
  /** First submission. */
  submittedAt?: Instant
  lastSubmittedAt?: Instant
  /** Time of the last approval (登錄, 變更 or 註銷). */
  approvedAt?: Instant
  lastDecisionAt?: Instant
  imported?: true
  /** Number of events folded. */
  version: number
}

export type ReportState = NoReport | ReportCase

/** An event as the fold takes it: optionally with its metadata (RecordedEvent and EventToAppend both fit). */
export type FoldableEvent = ReportEvent & { meta?: Partial<Pick<EventMeta, 'occurredAt'>> }

export const initialState = (): ReportState => ({ exists: false, version: 0 })

/** True while approved terms are in force (also during a pending, returned or rejected change or cancellation). */
export const isInForce = <S extends NoReport | Pick<ReportCase, 'exists' | 'approvedTerms' | 'status'>>(s: S): s is Extract<S, { exists: true }> & { approvedTerms: Terms } =>
  s.exists && s.approvedTerms !== undefined && s.status !== 'cancelled' && s.status !== 'withdrawn'

/** The routing that decides the current application (a change is decided where its new terms route). */
export const decisionRouting = (s: Pick<ReportCase, 'applicationType' | 'pendingRouting' | 'routing'>): Routing =>
  s.applicationType === 'change' && s.pendingRouting ? s.pendingRouting : s.routing

const without = <T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> => {
  const c = { ...o }
  for (const k of keys) delete c[k]
  return c
}

export const evolve = (state: ReportState, event: FoldableEvent): ReportState => {
  const at = event.meta?.occurredAt
  const version = state.version + 1
  if (event.type === 'ReportDrafted') {
    const d = event.data
    return {
      exists: true,
      caseId: d.caseId,
      status: 'draft',
      applicationType: 'register',
      applicant: d.applicant,
      filedBy: d.filedBy,
      terms: d.terms,
      routing: d.routing,
      attachments: [...d.attachments],
      approvalNumbers: [],
      ...(d.copiedFrom !== undefined ? { copiedFrom: d.copiedFrom } : {}),
      ...(d.onBehalfOf !== undefined ? { onBehalfOf: d.onBehalfOf } : {}),
      ...(at !== undefined ? { draftedAt: at, createdAt: at, updatedAt: at } : {}),
      version,
    }
  }
  if (event.type === 'ReportImported') {
    const d = event.data
    const inForce = importedCaseInForce(d.status, d.applicationType)
    return {
      exists: true,
      caseId: d.caseId,
      caseNumber: d.caseNumber,
      legacyNumber: d.legacyNumber,
      status: d.status,
      applicationType: d.applicationType,
      applicant: d.applicant,
      filedBy: { role: 'professional', id: d.applicant.nationalId },
      terms: d.terms,
      routing: d.routing,
      ...(inForce ? { approvedTerms: d.terms, approvedRouting: d.routing } : {}),
      ...(d.applicationType === 'change' && (d.status === 'under_review' || d.status === 'returned')
        ? { pendingTerms: d.terms, pendingRouting: d.routing }
        : {}),
      attachments: [],
      approvalNumbers: d.approvalNumber !== undefined ? [d.approvalNumber] : [],
      // the legacy row carries one approval: a cancelled case's is the cancellation's, an approved case's its own
      // application's; a case pending again carries the approval that put it in force (the legacy file has no more)
      ...(d.approvalNumber !== undefined
        ? { approvedApplicationType: d.status === 'cancelled' ? 'cancel' as const : d.status === 'approved' ? d.applicationType : 'register' as const }
        : {}),
      ...(d.submittedAt !== undefined ? { submittedAt: d.submittedAt, lastSubmittedAt: d.submittedAt } : {}),
      ...(d.approvedAt !== undefined ? { approvedAt: d.approvedAt, lastDecisionAt: d.approvedAt } : {}),
      ...(d.submittedAt !== undefined ? { applicationFiledAt: d.submittedAt } : {}),
      // cancelled in the old system: shown with its date; without approved terms it counts for nothing here
      ...(d.status === 'cancelled' && d.cancelledOn !== undefined ? { cancelledFrom: d.cancelledOn } : {}),
      // a cancellation pending at cut-over: decided here, it takes effect from the date it asked for
      ...(d.applicationType === 'cancel' && (d.status === 'under_review' || d.status === 'returned') && d.cancelledOn !== undefined
        ? { pendingCancellation: { effectiveDate: d.cancelledOn, reason: '' } }
        : {}),
      ...(at !== undefined ? { createdAt: at, updatedAt: at } : {}),
      imported: true,
      version,
    }
  }
  if (!state.exists) return { ...state, version } // a stream never starts otherwise; ignore defensively
  const s: ReportCase = { ...state, version, ...(at !== undefined ? { updatedAt: at } : {}) }
  const decided = (): Partial<ReportCase> => (at !== undefined ? { lastDecisionAt: at } : {})
  switch (event.type) {
    case 'DraftEdited':
      return { ...s, terms: event.data.terms, routing: event.data.routing }
    case 'ReportSubmitted':
      return {
        ...s,
        status: 'under_review',
        applicationType: 'register',
        caseNumber: event.data.caseNumber,
        ...(at !== undefined ? { submittedAt: s.submittedAt ?? at, lastSubmittedAt: at, applicationFiledAt: at } : {}),
      }
    case 'ReportApproved':
      return {
        ...without(s, 'lastReason', 'fieldsToFix'),
        status: 'approved',
        approvedTerms: s.terms,
        approvedRouting: s.routing,
        approvalNumbers: [...s.approvalNumbers, event.data.approvalNumber],
        approvedApplicationType: 'register',
        ...(at !== undefined ? { approvedAt: at } : {}),
        ...decided(),
      }
    case 'ReportRejected':
      return { ...s, status: 'rejected', lastReason: event.data.reason, ...decided() }
    case 'ReportReturned':
      return { ...s, status: 'returned', lastReason: event.data.reason, fieldsToFix: [...event.data.fieldsToFix], ...decided() }
    case 'ReportResubmitted': {
      const base = { ...without(s, 'fieldsToFix'), status: 'under_review' as const, ...(at !== undefined ? { lastSubmittedAt: at } : {}) }
      return s.applicationType === 'change'
        ? { ...base, pendingTerms: event.data.terms, pendingRouting: event.data.routing }
        : { ...base, terms: event.data.terms, routing: event.data.routing }
    }
    case 'ChangeRequested':
      return {
        ...without(s, 'lastReason', 'fieldsToFix', 'pendingCancellation'),
        status: 'under_review',
        applicationType: 'change',
        pendingTerms: event.data.terms,
        pendingRouting: event.data.routing,
        changeReason: event.data.reason,
        ...(at !== undefined ? { lastSubmittedAt: at, applicationFiledAt: at } : {}),
      }
    case 'ChangeApproved': {
      const terms = s.pendingTerms ?? s.terms
      const routing = s.pendingRouting ?? s.routing
      return {
        ...without(s, 'pendingTerms', 'pendingRouting', 'changeReason', 'lastReason', 'fieldsToFix'),
        status: 'approved',
        terms,
        routing,
        approvedTerms: terms,
        approvedRouting: routing,
        approvalNumbers: [...s.approvalNumbers, event.data.approvalNumber],
        approvedApplicationType: 'change',
        ...(at !== undefined ? { approvedAt: at } : {}),
        ...decided(),
      }
    }
    case 'ChangeRejected':
      return { ...without(s, 'pendingTerms', 'pendingRouting', 'changeReason'), status: 'rejected', lastReason: event.data.reason, ...decided() }
    case 'ChangeReturned':
      return { ...s, status: 'returned', lastReason: event.data.reason, fieldsToFix: [...event.data.fieldsToFix], ...decided() }
    case 'CancellationRequested':
      return {
        ...without(s, 'lastReason', 'fieldsToFix'),
        status: 'under_review',
        applicationType: 'cancel',
        pendingCancellation: { effectiveDate: event.data.effectiveDate, reason: event.data.reason },
        ...(at !== undefined ? { lastSubmittedAt: at, applicationFiledAt: at } : {}),
      }
    case 'CancellationApproved':
      return {
        ...without(s, 'pendingCancellation', 'lastReason'),
        status: 'cancelled',
        ...(s.pendingCancellation ? { cancelledFrom: s.pendingCancellation.effectiveDate } : {}),
        approvalNumbers: [...s.approvalNumbers, event.data.approvalNumber],
        approvedApplicationType: 'cancel',
        ...(at !== undefined ? { approvedAt: at } : {}),
        ...decided(),
      }
    case 'CancellationRejected':
      return { ...without(s, 'pendingCancellation'), status: 'rejected', lastReason: event.data.reason, ...decided() }
    case 'ReportWithdrawn':
      if (event.data.applicationType === 'register') return { ...s, status: 'withdrawn' }
      // a pending or returned change/cancellation pulled back: the approved terms stay in force
      return {
        ...without(s, 'pendingTerms', 'pendingRouting', 'changeReason', 'pendingCancellation', 'fieldsToFix', 'lastReason'),
        status: 'approved',
      }
    case 'AttachmentAdded':
      return { ...s, attachments: [...s.attachments, event.data.attachment] }
    case 'AttachmentRemoved':
      return { ...s, attachments: s.attachments.filter((a) => a.hash !== event.data.hash) }
    default: {
      const never: never = event
      return never
    }
  }
}

/** Folds events from the initial state. */
export const foldReport = (events: readonly FoldableEvent[], from: ReportState = initialState()): ReportState =>
  events.reduce(evolve, from)
