// How one case counts for the conflict and quota rules of the applicant's OTHER filings. Pure.
import type { ExistingReport } from '../rules/conflict.js'
import { expandSchedule, occurrencesBefore } from '../schedule.js'
import type { Occurrence, Routing, Terms } from '../types.js'
import { isInForce, type ReportState } from './state.js'

/** One set of terms of a case that counts, with the occurrences that count. */
export interface CountedTerms {
  terms: Terms
  routing: Routing
  occurrences: Occurrence[]
}

/**
 * The terms of a case that count for conflicts and quota: `inForce` = the approved terms (a cancelled case: only the
 * occurrences before its cancellation date), `underReview` = the terms of a registration or change under review.
 * A draft, a withdrawn case, a rejected registration and a RETURNED application count with nothing of their own.
 */
export const countedTermsOf = (s: ReportState): { inForce?: CountedTerms; underReview?: CountedTerms } => {
  if (!s.exists) return {}
  if (s.status === 'cancelled') {
    if (!s.approvedTerms || !s.cancelledFrom) return {}
    const kept = occurrencesBefore(expandSchedule(s.approvedTerms.schedule), s.cancelledFrom)
    return kept.length > 0 ? { inForce: { terms: s.approvedTerms, routing: s.approvedRouting ?? s.routing, occurrences: kept } } : {}
  }
  if (isInForce(s)) {
    const inForce = { terms: s.approvedTerms, routing: s.approvedRouting ?? s.routing, occurrences: expandSchedule(s.approvedTerms.schedule) }
    const change = s.status === 'under_review' && s.applicationType === 'change' && s.pendingTerms
    return change
      ? { inForce, underReview: { terms: change, routing: s.pendingRouting ?? s.routing, occurrences: expandSchedule(change.schedule) } }
      : { inForce }
  }
  if (s.status === 'under_review') return { underReview: { terms: s.terms, routing: s.routing, occurrences: expandSchedule(s.terms.schedule) } }
  return {}
}

/**
 * The case as an ExistingReport, or undefined when nothing of it counts (see countedTermsOf). Terms in force count;
 * a change under review counts with both terms; a cancelled case counts only with the occurrences before its
 * cancellation date.
 */
export const existingReportOf = (s: ReportState): ExistingReport | undefined => existingReportFrom(s, countedTermsOf(s))

/** existingReportOf, from the counted terms already derived. */
export const existingReportFrom = (s: ReportState, counted: ReturnType<typeof countedTermsOf>): ExistingReport | undefined => {
  if (!s.exists) return undefined
  const { inForce, underReview } = counted
  const base = { caseId: s.caseId, ...(s.caseNumber !== undefined ? { caseNumber: s.caseNumber } : {}), status: s.status }
  if (inForce) return { ...base, occurrences: inForce.occurrences, ...(underReview ? { pendingOccurrences: underReview.occurrences } : {}), inForce: true }
  if (underReview) return { ...base, occurrences: underReview.occurrences }
  return undefined
}
