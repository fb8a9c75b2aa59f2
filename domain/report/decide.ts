// The support-report decider: decide(command, state, ctx) → events, or a DomainError. Pure.
import { fail } from '../errors.js'
import type {
  CancellationApproved, CancellationRejected, ChangeApproved, ChangeRejected, ChangeReturned, ReportApproved,
  ReportEvent, ReportRejected, ReportReturned,
} from '../events.js'
import { isIsoDate, taipeiDate } from '../roc-date.js'
import { routeReport } from '../rules/routing.js'
import { expandSchedule, scheduleBounds } from '../schedule.js'
import type { Actor, ApplicantSnapshot, Terms } from '../types.js'
import { checkAllowed } from './allowed.js'
import { authorizeFiler, authorizeStaffFiling } from './authorize.js'
import type { DecideContext, ReportCommand } from './commands.js'
import {
  checkApplicant, checkAttachment, checkChangeKeepsPast, checkNotInPast, checkTerms, evaluateFiling, evaluateFindings,
} from './filing-rules.js'
import { isReturnableField, RETURNABLE_FIELDS } from './returnable-fields.js'
import { isInForce, type ReportCase, type ReportState } from './state.js'

const CASE_NUMBER = /^\d{14}$/

/** The party of record of a reviewer's filing on behalf: the professional, or their home institution. */
const staffFilingParty = (actor: Actor, applicant: ApplicantSnapshot, who: 'professional' | 'institution' | undefined) => {
  authorizeStaffFiling(actor, applicant)
  if (who !== 'professional' && who !== 'institution') return fail('ON_BEHALF_REQUIRED')
  return who === 'professional' ? { role: who, id: applicant.nationalId } : { role: who, id: applicant.home.code }
}

const requireReason = (reason: string | undefined): string => {
  const r = typeof reason === 'string' ? reason.trim() : ''
  if (r === '') fail('REASON_REQUIRED')
  return r
}

/** Registration terms: validity, applicant, not in the past, conflicts and quota. */
const fileTerms = (caseId: string, applicant: ApplicantSnapshot, terms: Terms, ctx: DecideContext) => {
  checkTerms(terms, ctx.reference)
  checkApplicant(ctx.applicant ?? applicant, terms)
  checkNotInPast(expandSchedule(terms.schedule), ctx.now)
  return evaluateFiling(caseId, ctx.applicant ?? applicant, terms, ctx)
}

/** Change terms: validity, applicant, past kept, conflicts and quota. */
const fileChange = (state: ReportCase & { approvedTerms: Terms }, terms: Terms, ctx: DecideContext) => {
  checkTerms(terms, ctx.reference)
  checkApplicant(ctx.applicant ?? state.applicant, terms)
  checkChangeKeepsPast(state.approvedTerms, terms, ctx.now)
  return evaluateFiling(state.caseId, ctx.applicant ?? state.applicant, terms, ctx)
}

/**
 * What filing `terms` on this case (a registration, or a change when approved terms are in force) would meet now:
 * the decider's checks of the terms, the applicant and the past, then EVERY conflict and quota finding (reported,
 * not refused). Records nothing.
 */
export const previewFiling = (state: ReportState, applicant: ApplicantSnapshot, terms: Terms, ctx: DecideContext) => {
  const who = ctx.applicant ?? applicant
  checkTerms(terms, ctx.reference)
  checkApplicant(who, terms)
  if (state.exists && isInForce(state) && state.status !== 'under_review') checkChangeKeepsPast(state.approvedTerms, terms, ctx.now)
  else checkNotInPast(expandSchedule(terms.schedule), ctx.now)
  return evaluateFindings(state.exists ? state.caseId : '', who, terms, ctx)
}

/**
 * Who may issue which command in which status is checked first, by the same gate allowedCommands() asks
 * (allowed.ts); then the command's data.
 */
export const decide = (command: ReportCommand, state: ReportState, ctx: DecideContext): ReportEvent[] => {
  const { actor } = ctx
  checkAllowed(command.type, state, actor)

  if (command.type === 'DraftReport') {
    const d = command.data
    if (typeof d.caseId !== 'string' || d.caseId === '') fail('VALIDATION_FAILED', { fields: ['caseId'] })
    // a reviewer files on behalf of the professional or their home institution (named in the command)
    const onBehalfOf = actor.role === 'reviewer' ? staffFilingParty(actor, d.applicant, d.onBehalfOf) : undefined
    if (!onBehalfOf) authorizeFiler(actor, d.applicant)
    checkTerms(d.terms, ctx.reference)
    checkApplicant(ctx.applicant ?? d.applicant, d.terms)
    const attachments = d.attachments ?? []
    attachments.forEach((a, i) => checkAttachment(a, attachments.slice(0, i)))
    return [{
      type: 'ReportDrafted',
      data: {
        caseId: d.caseId,
        applicant: d.applicant,
        filedBy: onBehalfOf ?? { role: actor.role as 'professional' | 'institution', id: actor.role === 'institution' ? actor.institutionCode ?? actor.id : actor.id },
        ...(onBehalfOf ? { onBehalfOf } : {}),
        terms: d.terms,
        routing: routeReport(d.applicant, d.terms.supported, ctx.routingRules),
        attachments,
        ...(d.copiedFrom !== undefined ? { copiedFrom: d.copiedFrom } : {}),
      },
    }]
  }

  if (command.type === 'ImportReport') {
    return [{ type: 'ReportImported', data: command.data }]
  }

  if (!state.exists) return fail('REPORT_NOT_FOUND')
  const s = state

  switch (command.type) {
    case 'EditDraft': {
      checkTerms(command.data.terms, ctx.reference)
      checkApplicant(ctx.applicant ?? s.applicant, command.data.terms)
      return [{ type: 'DraftEdited', data: { terms: command.data.terms, routing: routeReport(s.applicant, command.data.terms.supported, ctx.routingRules) } }]
    }
    case 'SubmitReport': {
      const caseNumber = s.caseNumber ?? command.data.caseNumber
      if (caseNumber === undefined || !CASE_NUMBER.test(caseNumber)) fail('VALIDATION_FAILED', { fields: ['caseNumber'], value: caseNumber })
      const findings = fileTerms(s.caseId, s.applicant, s.terms, ctx)
      return [{ type: 'ReportSubmitted', data: { caseNumber: caseNumber as string, findings } }]
    }
    case 'ResubmitReport': {
      const terms = command.data.terms
      if (s.applicationType === 'change' && isInForce(s)) {
        const findings = fileChange(s, terms, ctx)
        return [{ type: 'ReportResubmitted', data: { terms, routing: routeReport(s.applicant, terms.supported, ctx.routingRules), findings } }]
      }
      const findings = fileTerms(s.caseId, s.applicant, terms, ctx)
      return [{ type: 'ReportResubmitted', data: { terms, routing: routeReport(s.applicant, terms.supported, ctx.routingRules), findings } }]
    }
    case 'RequestChange': {
      if (!isInForce(s)) return fail('ILLEGAL_TRANSITION')
      const reason = requireReason(command.data.reason)
      const terms = command.data.terms
      const findings = fileChange(s, terms, ctx)
      return [{ type: 'ChangeRequested', data: { terms, routing: routeReport(s.applicant, terms.supported, ctx.routingRules), reason, findings } }]
    }
    case 'RequestCancellation': {
      if (!isInForce(s)) return fail('ILLEGAL_TRANSITION')
      const reason = requireReason(command.data.reason)
      const { effectiveDate } = command.data
      const today = taipeiDate(ctx.now)
      const { from, to } = scheduleBounds(s.approvedTerms.schedule)
      if (!isIsoDate(effectiveDate) || effectiveDate < today || effectiveDate < from || effectiveDate > to) {
        fail('CANCEL_DATE_INVALID', { effectiveDate, today, from, to })
      }
      return [{ type: 'CancellationRequested', data: { effectiveDate, reason } }]
    }
    case 'WithdrawReport': {
      const reason = command.data.reason?.trim()
      return [{ type: 'ReportWithdrawn', data: { applicationType: s.applicationType, ...(reason ? { reason } : {}) } }]
    }
    case 'AddAttachment': {
      checkAttachment(command.data.attachment, s.attachments)
      return [{ type: 'AttachmentAdded', data: { attachment: command.data.attachment } }]
    }
    case 'RemoveAttachment': {
      if (!s.attachments.some((a) => a.hash === command.data.hash)) fail('ATTACHMENT_NOT_FOUND', { hash: command.data.hash })
      return [{ type: 'AttachmentRemoved', data: { hash: command.data.hash } }]
    }
    case 'ApproveReport': {
      const approvalNumber = typeof command.data.approvalNumber === 'string' ? command.data.approvalNumber.trim() : ''
      if (approvalNumber === '' || approvalNumber.length > 14) fail('VALIDATION_FAILED', { fields: ['approvalNumber'] })
      const note = command.data.note?.trim()
      const data = { reviewerId: actor.id, approvalNumber, ...(note ? { note } : {}) }
      const type = ({ register: 'ReportApproved', change: 'ChangeApproved', cancel: 'CancellationApproved' } as const)[s.applicationType]
      return [{ type, data } as ReportApproved | ChangeApproved | CancellationApproved]
    }
    case 'RejectReport': {
      const reason = requireReason(command.data.reason)
      const type = ({ register: 'ReportRejected', change: 'ChangeRejected', cancel: 'CancellationRejected' } as const)[s.applicationType]
      return [{ type, data: { reviewerId: actor.id, reason } } as ReportRejected | ChangeRejected | CancellationRejected]
    }
    case 'ReturnReport': {
      const reason = requireReason(command.data.reason)
      // a return says what to fix: at least one returnable field, each one known (blanks ignored, twice = once)
      const given = (Array.isArray(command.data.fieldsToFix) ? command.data.fieldsToFix as unknown[] : []).filter((f) => f !== '')
      const fieldsToFix = [...new Set(given.filter(isReturnableField))]
      if (fieldsToFix.length === 0 || fieldsToFix.length !== new Set(given).size) {
        fail('FIELDS_TO_FIX_REQUIRED', { fieldsToFix: given, returnable: RETURNABLE_FIELDS })
      }
      const type = s.applicationType === 'change' ? 'ChangeReturned' : 'ReportReturned'
      return [{ type, data: { reviewerId: actor.id, reason, fieldsToFix } } as ReportReturned | ChangeReturned]
    }
    default: {
      const never: never = command
      return fail('VALIDATION_FAILED', { fields: ['type'], value: (never as { type?: unknown }).type })
    }
  }
}
