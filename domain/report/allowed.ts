// Which commands an actor may issue on a case now, for who-they-are and status reasons: ONE gate that decide()
// runs first and that allowedCommands() asks for every command type, so the two never disagree. What the gate
// does not judge is the command's data (terms, reasons, dates, numbers, conflicts, quota): decide() refuses those
// with their own codes. Pure.
import { fail, passes } from '../errors.js'
import type { Actor, Status } from '../types.js'
import { authorizeFiler, authorizeImport, authorizeReviewer, authorizeStaffFiling } from './authorize.js'
import { REPORT_COMMAND_TYPES, type ReportCommandType } from './commands.js'
import { decisionRouting, isInForce, type NoReport, type ReportCase, type ReportState } from './state.js'

/**
 * The fields of a case the gate reads (checkAllowed and all it calls). The gate's parameter is typed with these
 * alone, so the compiler refuses a gate that reads another field; and a reader that only asks which commands an
 * actor may issue (a page listing 50 cases) reads these, not each case's findings and terms
 * (projections/queries/case-states.ts gateStates: half the bytes of a whole state, parsed on every list page).
 */
export const GATE_FIELDS = [
  'exists', 'caseId', 'status', 'applicationType', 'applicant', 'routing', 'pendingRouting', 'approvedTerms', 'onBehalfOf',
] as const satisfies readonly (keyof ReportCase)[]
export type GateCase = Pick<ReportCase, (typeof GATE_FIELDS)[number]>
/** What the gate judges: a whole ReportState is one, and so is a case read with GATE_FIELDS alone. */
export type GateState = NoReport | GateCase

const illegal = (state: GateCase, command: ReportCommandType): never =>
  fail('ILLEGAL_TRANSITION', { status: state.status, applicationType: state.applicationType, command })

const requireStatus = (state: GateCase, command: ReportCommandType, ...allowed: Status[]) => {
  if (!allowed.includes(state.status)) illegal(state, command)
}

/** May this actor file at all (a professional, an institution card, or a reviewer filing on behalf)? DraftReport's applicant is data. */
const requireFilerRole = (actor: Actor) => {
  if (actor.role !== 'professional' && actor.role !== 'institution' && actor.role !== 'reviewer') fail('FORBIDDEN', { role: actor.role })
}

/**
 * Refuses (throws the DomainError decide() answers with) when `actor` may not issue `type` on `state` now.
 * DraftReport: the applicant named in the command is checked by decide() (NOT_OWN_CASE / NOT_OWN_STAFF).
 */
export function checkAllowed(type: ReportCommandType, state: GateState, actor: Actor): void {
  if (actor.role === 'statistician') fail('FORBIDDEN', { role: actor.role })
  if (type === 'DraftReport') {
    if (state.exists) fail('REPORT_ALREADY_EXISTS', { caseId: state.caseId })
    return requireFilerRole(actor)
  }
  if (type === 'ImportReport') {
    authorizeImport(actor)
    if (state.exists) fail('REPORT_ALREADY_EXISTS', { caseId: state.caseId })
    return
  }
  if (!state.exists) return fail('REPORT_NOT_FOUND')
  const s = state
  switch (type) {
    case 'SubmitReport':
      // a reviewer submits only the filing they drafted on behalf (within their county)
      if (actor.role === 'reviewer' && s.onBehalfOf) authorizeStaffFiling(actor, s.applicant)
      else authorizeFiler(actor, s.applicant)
      return requireStatus(s, type, 'draft')
    case 'EditDraft':
      authorizeFiler(actor, s.applicant)
      return requireStatus(s, type, 'draft')
    case 'ResubmitReport':
      authorizeFiler(actor, s.applicant)
      requireStatus(s, type, 'returned')
      if (s.applicationType === 'change' && !isInForce(s)) illegal(s, type)
      return
    case 'RequestChange':
    case 'RequestCancellation':
      authorizeFiler(actor, s.applicant)
      if (!isInForce(s) || (s.status !== 'approved' && s.status !== 'rejected')) illegal(s, type)
      return
    case 'WithdrawReport': {
      authorizeFiler(actor, s.applicant)
      const ok = s.status === 'draft' || s.status === 'under_review' || (s.status === 'returned' && s.applicationType !== 'cancel')
      if (!ok) illegal(s, type)
      return
    }
    case 'AddAttachment':
    case 'RemoveAttachment':
      authorizeFiler(actor, s.applicant)
      return requireStatus(s, type, 'draft', 'returned')
    case 'ApproveReport':
    case 'RejectReport':
    case 'ReturnReport':
      authorizeReviewer(actor, decisionRouting(s))
      if (s.status !== 'under_review') fail('NOTHING_TO_DECIDE', { status: s.status })
      if (type === 'ReturnReport' && s.applicationType === 'cancel') fail('CANCELLATION_CANNOT_BE_RETURNED')
      return
    default: {
      const never: never = type
      return fail('VALIDATION_FAILED', { fields: ['type'], value: never })
    }
  }
}

/**
 * Why a case whose approval stands takes no new change or cancellation now: the application still pending on it
 * (a change or a cancellation under review, or a change returned for correction). Undefined otherwise.
 */
export function pendingApplicationOf(state: ReportState): { applicationType: ReportCase['applicationType']; status: 'under_review' | 'returned' } | undefined {
  if (!state.exists || !isInForce(state) || state.applicationType === 'register') return undefined
  if (state.status !== 'under_review' && state.status !== 'returned') return undefined
  return { applicationType: state.applicationType, status: state.status }
}

/** True when checkAllowed passes. */
export const isAllowed = (type: ReportCommandType, state: GateState, actor: Actor): boolean => passes(() => checkAllowed(type, state, actor))

/** The command types `actor` may issue on `state` now (decide() refuses every other one before looking at data). */
export const allowedCommands = (state: GateState, actor: Actor): ReportCommandType[] =>
  REPORT_COMMAND_TYPES.filter((type) => isAllowed(type, state, actor))
