// Which events are a reviewer's decision, with its outcome and the application it decided. Read models that list or
// count decisions (新通知, statistics) take it from here.
import type { ApplicationType } from '../types.js'

export type DecisionOutcome = 'approved' | 'rejected' | 'returned'

const DECISIONS: Readonly<Record<string, { outcome: DecisionOutcome; applicationType: ApplicationType }>> = {
  ReportApproved: { outcome: 'approved', applicationType: 'register' },
  ReportRejected: { outcome: 'rejected', applicationType: 'register' },
  ReportReturned: { outcome: 'returned', applicationType: 'register' },
  ChangeApproved: { outcome: 'approved', applicationType: 'change' },
  ChangeRejected: { outcome: 'rejected', applicationType: 'change' },
  ChangeReturned: { outcome: 'returned', applicationType: 'change' },
  CancellationApproved: { outcome: 'approved', applicationType: 'cancel' },
  CancellationRejected: { outcome: 'rejected', applicationType: 'cancel' },
}

/** The decision an event records, or undefined for any other event. */
export const decisionOfEvent = (e: { type: string }): { outcome: DecisionOutcome; applicationType: ApplicationType } | undefined => DECISIONS[e.type]

/** How a decision's outcome is named to the applicant (新通知, e-mail and SMS). */
export const DECISION_OUTCOME_LABEL: Readonly<Record<DecisionOutcome, string>> = { approved: '已核准', rejected: '未核准', returned: '退回補正' }

/**
 * Who is told of a decision on a case: the applicant, and the institutions that file for them (the applicant's home
 * institution, and the filing institution when an institution filed).
 */
export function decisionRecipients(c: { applicant: { nationalId: string; home: { code: string } }; filedBy: { role: 'professional' | 'institution'; id: string } }): { nationalId: string; institutions: string[] } {
  return { nationalId: c.applicant.nationalId, institutions: [...new Set([c.applicant.home.code, ...(c.filedBy.role === 'institution' ? [c.filedBy.id] : [])])] }
}
