// A decision the old system made after cut-over on a case that was pending there (seed: 於舊系統執行審核/退回),
// brought in as a second ReportImported on the case's stream: the old system's record of the case after its
// decision. Not a ReportApproved: the old system reported it to the NHI itself, so the roster never re-sends it. Pure.
import { fail } from '../errors.js'
import type { ReportEvent, ReportImported } from '../events.js'
import type { Actor, Status } from '../types.js'
import { authorizeImport } from './authorize.js'
import type { LegacyDecision } from './legacy-row.js'
import { taipeiInstant } from '../roc-date.js'

/** The case's events so far must all be legacy records (nothing done in the new system yet) and the case pending. */
export function decideLegacyDecision(history: readonly ReportEvent[], d: LegacyDecision, actor: Actor): ReportImported[] {
  authorizeImport(actor)
  if (history.length === 0) return fail('REPORT_NOT_FOUND', { legacyNumber: d.legacyNumber })
  if (!history.every((e) => e.type === 'ReportImported')) {
    return fail('ILLEGAL_TRANSITION', { legacyNumber: d.legacyNumber, reason: 'handled in the new system since its import' })
  }
  const last = (history.at(-1) as ReportImported).data
  if (last.status !== 'under_review' && last.status !== 'returned') {
    return fail('NOTHING_TO_DECIDE', { legacyNumber: d.legacyNumber, status: last.status })
  }
  const status: Status = d.decision === 'approved' ? (last.applicationType === 'cancel' ? 'cancelled' : 'approved') : d.decision
  const approved = d.decision === 'approved'
  return [{
    type: 'ReportImported',
    data: {
      ...last,
      status,
      ...(approved ? { approvedAt: taipeiInstant(d.decidedOn), ...(d.approvalNumber ? { approvalNumber: d.approvalNumber } : {}) } : {}),
      // a cancellation approved there: from the date it asked for, else from the decision's day
      ...(status === 'cancelled' ? { cancelledOn: last.cancelledOn ?? d.decidedOn } : {}),
    },
  }]
}
