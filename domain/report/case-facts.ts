// What a case means, derived once from its state: read models, pages, the back office and the services ask this
// instead of re-deriving it. Pure.
import type { ExistingReport } from '../rules/conflict.js'
import { addDays } from '../roc-date.js'
import { scheduleBounds } from '../schedule.js'
import type { ApplicationType, Instant, IsoDate, Routing, Status, Terms } from '../types.js'
import { isReturnableField, RETURNABLE_FIELD_LABEL, type ReturnableField } from './returnable-fields.js'
import { countedTermsOf, existingReportFrom, type CountedTerms } from './existing.js'
import { decisionRouting, isInForce, type ReportCase } from './state.js'

/** The application under review, or returned to its filer. */
export interface PendingApplication {
  type: ApplicationType
  /** New terms of a change; a registration's terms are the case's terms (`ReportCase.terms`); none for a cancellation. */
  terms?: Terms
  routing?: Routing
  /** A cancellation's effective date and reason. */
  effectiveDate?: IsoDate
  /** The change's or the cancellation's reason. */
  reason?: string
  /** The (re)submission now under review. */
  filedAt?: Instant
  /** First filing of this application (resubmissions keep it). */
  firstFiledAt?: Instant
}

/** The reviewer's last word the filer must act on: a refusal (未核准) or a return for correction (退回補正). */
export interface ReviewerDecision {
  outcome: 'rejected' | 'returned'
  /** Which application it decided (登錄, 變更 or 註銷). */
  applicationType: ApplicationType
  reason: string
  /** A return's fields to fix (known ones, in the form's order), with their zh-TW names. */
  fieldsToFix: ReturnableField[]
  fieldLabels: string[]
  decidedAt?: Instant
  /** The terms the decision refused or sent back, while the case still holds them (a return: the terms to fix; a
   * rejected registration: its terms). A rejected change or cancellation leaves only the approved terms. */
  terms?: Terms
}

export interface CaseFacts {
  status: Status
  applicationType: ApplicationType
  /** An approval stands now (also during a pending, returned or rejected change or cancellation). */
  inForce: boolean
  /** The last approved terms (kept after a cancellation: its head was in force). */
  approved?: { terms: Terms; routing: Routing }
  /** First and last day the approval is (or was) in force: the approved terms minus a cancelled tail. */
  inForcePeriod?: { from: IsoDate; to: IsoDate }
  pending?: PendingApplication
  /** The terms the case is about now: a change's new terms while it is pending, else the case's terms. */
  currentTerms: Terms
  /**
   * The terms the case is listed and counted under at institutions (support lists, status counts, days in force):
   * the last approved terms once an approval was given (also while a change is pending, returned or rejected, and
   * after a cancellation), else the terms filed or under review. One answer for every count of an institution.
   */
  listedTerms: Terms
  /** The routing that goes with listedTerms: the approved one once approved, else the current one. */
  listedRouting: Routing
  currentRouting: Routing
  /** The county that decides the current application. */
  decisionRouting: Routing
  /** Who may read the case: the applicant, these institutions, these counties (review and copied). */
  scope: { nationalId: string; institutions: string[]; counties: string[] }
  /** How the case counts for the applicant's other filings (conflict and quota), with the terms behind it. */
  existing?: ExistingReport
  counted: { inForce?: CountedTerms; underReview?: CountedTerms }
  /** The last approval number (登錄, 變更 or 註銷). */
  approvalNumber?: string
  /** Which application that approval number decided (an approval form prints it, also while a change is pending). */
  approvedApplicationType?: ApplicationType
  /** While the case stands rejected or returned: the reviewer's reason and (return) the fields to fix. */
  decision?: ReviewerDecision
}

const decisionOf = (s: ReportCase): ReviewerDecision | undefined => {
  if (s.status !== 'rejected' && s.status !== 'returned') return undefined
  const asked = new Set(s.status === 'returned' ? s.fieldsToFix ?? [] : [])
  const fieldsToFix = Object.keys(RETURNABLE_FIELD_LABEL).filter((f): f is ReturnableField => isReturnableField(f) && asked.has(f))
  return {
    outcome: s.status,
    applicationType: s.applicationType,
    reason: s.lastReason ?? '',
    fieldsToFix,
    fieldLabels: fieldsToFix.map((f) => RETURNABLE_FIELD_LABEL[f]),
    ...(s.lastDecisionAt !== undefined ? { decidedAt: s.lastDecisionAt } : {}),
    ...(s.status === 'returned' ? { terms: s.pendingTerms ?? s.terms } : s.applicationType === 'register' ? { terms: s.terms } : {}),
  }
}

const pendingOf = (s: ReportCase): PendingApplication | undefined => {
  if (s.status !== 'under_review' && s.status !== 'returned') return undefined
  const times = { ...(s.lastSubmittedAt ? { filedAt: s.lastSubmittedAt } : {}), ...(s.applicationFiledAt ? { firstFiledAt: s.applicationFiledAt } : {}) }
  if (s.applicationType === 'change') {
    return {
      type: 'change', ...(s.pendingTerms ? { terms: s.pendingTerms } : {}), ...(s.pendingRouting ? { routing: s.pendingRouting } : {}),
      ...(s.changeReason !== undefined ? { reason: s.changeReason } : {}), ...times,
    }
  }
  if (s.applicationType === 'cancel') {
    return { type: 'cancel', ...(s.pendingCancellation ? { effectiveDate: s.pendingCancellation.effectiveDate, reason: s.pendingCancellation.reason } : {}), ...times }
  }
  return { type: 'register', ...times }
}

const inForcePeriodOf = (s: ReportCase): { from: IsoDate; to: IsoDate } | undefined => {
  if (!s.approvedTerms || s.status === 'withdrawn') return undefined
  const { from, to } = scheduleBounds(s.approvedTerms.schedule)
  const end = s.cancelledFrom && s.cancelledFrom <= to ? addDays(s.cancelledFrom, -1) : to
  return end < from ? undefined : { from, to: end }
}

export function caseFacts(s: ReportCase): CaseFacts {
  const currentTerms = s.pendingTerms ?? s.terms
  const currentRouting = s.pendingRouting ?? s.routing
  const institutions = new Set<string>([s.applicant.home.code, s.terms.supported.code])
  if (s.filedBy.role === 'institution') institutions.add(s.filedBy.id)
  if (s.pendingTerms) institutions.add(s.pendingTerms.supported.code)
  const counties = new Set<string>([s.routing.reviewCounty, ...s.routing.copiedCounties])
  if (s.pendingRouting) for (const c of [s.pendingRouting.reviewCounty, ...s.pendingRouting.copiedCounties]) counties.add(c)
  const pending = pendingOf(s)
  const inForcePeriod = inForcePeriodOf(s)
  const counted = countedTermsOf(s)
  const existing = existingReportFrom(s, counted)
  const approvalNumber = s.approvalNumbers.at(-1)
  const decision = decisionOf(s)
  const approved = s.approvedTerms ? { terms: s.approvedTerms, routing: s.approvedRouting ?? s.routing } : undefined
  return {
    status: s.status,
    applicationType: s.applicationType,
    inForce: isInForce(s),
    ...(approved ? { approved } : {}),
    ...(inForcePeriod ? { inForcePeriod } : {}),
    ...(pending ? { pending } : {}),
    currentTerms,
    listedTerms: approved?.terms ?? currentTerms,
    listedRouting: approved?.routing ?? currentRouting,
    currentRouting,
    decisionRouting: decisionRouting(s),
    scope: { nationalId: s.applicant.nationalId, institutions: [...institutions], counties: [...counties] },
    ...(existing ? { existing } : {}),
    counted,
    ...(approvalNumber !== undefined ? { approvalNumber } : {}),
    ...(s.approvedApplicationType !== undefined ? { approvedApplicationType: s.approvedApplicationType } : {}),
    ...(decision ? { decision } : {}),
  }
}
