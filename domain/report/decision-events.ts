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
