// What one roster-relevant approval means, from the case's own events up to it. Pure.
// Only the facts the roster needs: the applicant, the case number, the terms in force and the ones under review.
//   registration: terms of ReportDrafted / DraftEdited, or of the last ReportResubmitted after a return;
//   change:       terms of the ChangeRequested, or of the ReportResubmitted after a ChangeReturned;
//   cancellation: the approved terms being cancelled, from the CancellationRequested's effective date.
// It agrees with domain/report's fold on all of these (test/unit/exporter-roster-fold-agreement.unit.test.ts).
import type { ApplicantSnapshot, IsoDate, Terms } from '../domain/types.js'
import type {
  CancellationRequested,
  ChangeRequested,
  DraftEdited,
  ReportDrafted,
  ReportImported,
  ReportResubmitted,
  ReportSubmitted,
  ReportWithdrawn,
} from '../domain/events.js'
import { ROSTER_EVENT_TYPES } from '../domain/events.js'
import { importedCaseInForce } from '../domain/report/state.js'

/** The event types the fold reads (with the approvals): batched reads fetch only these. */
export const ROSTER_FOLD_TYPES: readonly string[] = [
  'ReportDrafted',
  'DraftEdited',
  'ReportSubmitted',
  'ReportResubmitted',
  'ChangeRequested',
  'ChangeRejected',
  'ChangeReturned',
  'CancellationRequested',
  'CancellationRejected',
  'ReportImported',
  'ReportWithdrawn',
  ...ROSTER_EVENT_TYPES,
]

export interface RosterCaseState {
  caseId?: string
  caseNumber?: string
  applicant?: ApplicantSnapshot
  /** Terms last approved (in force). */
  approved?: Terms
  /** Terms under review (registration or change). */
  proposed?: Terms
  /** Effective date of the cancellation under review. */
  cancelFrom?: IsoDate
  imported: boolean
}

// Every field present from the start (undefined until known): each evolved state keeps the one object shape.
export const initialRosterCase = (): RosterCaseState => ({
  caseId: undefined,
  caseNumber: undefined,
  applicant: undefined,
  approved: undefined,
  proposed: undefined,
  cancelFrom: undefined,
  imported: false,
})

export function evolveRosterCase(s: RosterCaseState, e: { type: string; data: unknown }): RosterCaseState {
  switch (e.type) {
    case 'ReportDrafted': {
      const d = e.data as ReportDrafted['data']
      return { ...s, caseId: d.caseId, applicant: d.applicant, proposed: d.terms }
    }
    case 'DraftEdited':
      return { ...s, proposed: (e.data as DraftEdited['data']).terms }
    case 'ReportSubmitted':
      return { ...s, caseNumber: (e.data as ReportSubmitted['data']).caseNumber }
    case 'ReportResubmitted':
      return { ...s, proposed: (e.data as ReportResubmitted['data']).terms }
    case 'ChangeRequested':
      return { ...s, proposed: (e.data as ChangeRequested['data']).terms }
    case 'ReportApproved':
    case 'ChangeApproved':
      return { ...s, approved: s.proposed, proposed: undefined }
    case 'ChangeRejected':
      return { ...s, proposed: undefined }
    case 'CancellationRequested':
      return { ...s, cancelFrom: (e.data as CancellationRequested['data']).effectiveDate }
    case 'CancellationRejected':
    case 'CancellationApproved':
      return { ...s, cancelFrom: undefined }
    case 'ReportWithdrawn': {
      const d = e.data as ReportWithdrawn['data']
      return d.applicationType === 'cancel' ? { ...s, cancelFrom: undefined } : { ...s, proposed: undefined }
    }
    case 'ReportImported': {
      const d = e.data as ReportImported['data']
      // as domain/report's fold: the terms are in force when the import says so, and an application pending at
      // cut-over (a registration or a change under review or returned) is still to be decided here
      const open = d.status === 'under_review' || d.status === 'returned'
      const pending = open && d.applicationType !== 'cancel'
      return {
        ...s, caseId: d.caseId, caseNumber: d.caseNumber, applicant: d.applicant, imported: true,
        ...(importedCaseInForce(d.status, d.applicationType) ? { approved: d.terms } : {}),
        ...(pending ? { proposed: d.terms } : {}),
        // a cancellation pending at cut-over, approved here: from the date it asked for
        ...(open && d.applicationType === 'cancel' && d.cancelledOn !== undefined ? { cancelFrom: d.cancelledOn } : {}),
      }
    }
    default:
      return s
  }
}

/** What the approval `type` approved, given the case state just before it; undefined when the log lacks a fact. */
export function approvedTerms(
  s: RosterCaseState,
  type: string,
): { action: 'A' | 'C' | 'D'; terms: Terms; cancelFrom?: IsoDate } | { missing: string } {
  if (!s.applicant) return { missing: 'applicant (ReportDrafted/ReportImported)' }
  if (!s.caseNumber) return { missing: 'case number (ReportSubmitted)' }
  if (type === 'ReportApproved' || type === 'ChangeApproved') {
    if (!s.proposed) return { missing: `terms under review before ${type}` }
    return { action: type === 'ReportApproved' ? 'A' : 'C', terms: s.proposed }
  }
  if (type === 'CancellationApproved') {
    if (!s.approved) return { missing: 'approved terms before CancellationApproved' }
    if (!s.cancelFrom) return { missing: 'CancellationRequested before CancellationApproved' }
    return { action: 'D', terms: s.approved, cancelFrom: s.cancelFrom }
  }
  return { missing: `${type} is not a roster approval` }
}
