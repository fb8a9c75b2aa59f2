// How one case counts for the conflict and quota rules of the applicant's OTHER filings. Pure.
import type { ExistingReport } from '../rules/conflict.js'
import { expandSchedule, occurrencesBefore } from '../schedule.js'
import { isInForce, type ReportState } from './state.js'

/**
 * The case as an ExistingReport, or undefined when nothing of it counts (draft, withdrawn, never approved and not
 * under review). Terms in force count; a change under review counts with both terms; a cancelled case counts only
 * with the occurrences before its cancellation date.
 */
export const existingReportOf = (s: ReportState): ExistingReport | undefined => {
  if (!s.exists) return undefined
  const base = { caseId: s.caseId, ...(s.caseNumber !== undefined ? { caseNumber: s.caseNumber } : {}), status: s.status }
  if (s.status === 'cancelled') {
    if (!s.approvedTerms || !s.cancelledFrom) return undefined
    const kept = occurrencesBefore(expandSchedule(s.approvedTerms.schedule), s.cancelledFrom)
    return kept.length > 0 ? { ...base, occurrences: kept, inForce: true } : undefined
  }
  if (isInForce(s)) {
    const pending = s.status === 'under_review' && s.applicationType === 'change' && s.pendingTerms
    return {
      ...base,
      occurrences: expandSchedule(s.approvedTerms.schedule),
      ...(pending ? { pendingOccurrences: expandSchedule(pending.schedule) } : {}),
      inForce: true,
    }
  }
  if (s.status === 'under_review') return { ...base, occurrences: expandSchedule(s.terms.schedule) }
  return undefined
}
