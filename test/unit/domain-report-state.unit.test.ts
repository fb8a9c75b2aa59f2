// The fold: what each event does to the case state, how a case counts for others, and the input schemas.
import t from 'tap'
import { existingReportOf, foldReport, initialState, isInForce, type ReportCase, type ReportState } from '../../domain/report/index.js'
import { validateCommandInput, assertCommandInput } from '../../domain/report/command-schemas.js'
import { expandSchedule } from '../../domain/schedule.js'
import { CASE_ID, CASE_NUMBER, ev, history, PDF, PHYSICIAN, TERMS, TERMS_APRIL } from '../support/report-decider-fixtures.js'

const caseOf = (s: ReportState): ReportCase => {
  if (!s.exists) throw new Error('no case')
  return s
}
const pick = (s: ReportState) => {
  const c = caseOf(s)
  return { status: c.status, applicationType: c.applicationType, inForce: isInForce(c), version: c.version }
}

t.test('initial state', async (t) => {
  t.same(initialState(), { exists: false, version: 0 })
})

t.test('registration path', async (t) => {
  const drafted = foldReport([ev.drafted({ at: '2024-02-20T01:00:00.000Z' })])
  t.match(drafted, { exists: true, caseId: CASE_ID, status: 'draft', applicationType: 'register', applicant: PHYSICIAN, terms: TERMS, attachments: [], approvalNumbers: [], draftedAt: '2024-02-20T01:00:00.000Z', version: 1 })
  t.equal(caseOf(drafted).caseNumber, undefined)
  const edited = foldReport([ev.edited(TERMS_APRIL)], drafted)
  t.same(caseOf(edited).terms, TERMS_APRIL)
  const submitted = foldReport([ev.drafted(), ev.submitted('2024-02-21T00:00:00.000Z')])
  t.match(submitted, { status: 'under_review', caseNumber: CASE_NUMBER, submittedAt: '2024-02-21T00:00:00.000Z', lastSubmittedAt: '2024-02-21T00:00:00.000Z' })
  const approved = foldReport([ev.drafted(), ev.submitted(), ev.approved('2024-02-22T00:00:00.000Z')])
  t.same(pick(approved), { status: 'approved', applicationType: 'register', inForce: true, version: 3 })
  t.match(approved, { approvedTerms: TERMS, approvalNumbers: ['A1130001'], approvedAt: '2024-02-22T00:00:00.000Z', lastDecisionAt: '2024-02-22T00:00:00.000Z' })
  const rejected = foldReport([ev.drafted(), ev.submitted(), ev.rejected()])
  t.same(pick(rejected), { status: 'rejected', applicationType: 'register', inForce: false, version: 3 })
  t.equal(caseOf(rejected).lastReason, '資料不全')
  const returned = foldReport([ev.drafted(), ev.submitted(), ev.returned()])
  t.match(returned, { status: 'returned', fieldsToFix: ['attachments'], lastReason: '請補附件' })
  const resubmitted = foldReport([ev.drafted(), ev.submitted('2024-02-21T00:00:00.000Z'), ev.returned(), ev.resubmitted(TERMS_APRIL, '2024-02-23T00:00:00.000Z')])
  t.match(resubmitted, { status: 'under_review', applicationType: 'register', terms: TERMS_APRIL, submittedAt: '2024-02-21T00:00:00.000Z', lastSubmittedAt: '2024-02-23T00:00:00.000Z' })
  t.notOk('fieldsToFix' in caseOf(resubmitted))
  t.same(pick(foldReport([ev.drafted(), ev.withdrawn()])), { status: 'withdrawn', applicationType: 'register', inForce: false, version: 2 })
  t.same(pick(foldReport([ev.drafted(), ev.submitted(), ev.withdrawn()])), { status: 'withdrawn', applicationType: 'register', inForce: false, version: 3 })
})

t.test('change path: approved terms stay in force until a change is approved', async (t) => {
  const pending = foldReport(history.changePending())
  t.same(pick(pending), { status: 'under_review', applicationType: 'change', inForce: true, version: 4 })
  t.match(pending, { terms: TERMS, approvedTerms: TERMS, pendingTerms: TERMS_APRIL, changeReason: '延長支援' })
  const approved = foldReport([ev.changeApproved()], pending)
  t.match(approved, { status: 'approved', applicationType: 'change', terms: TERMS_APRIL, approvedTerms: TERMS_APRIL, approvalNumbers: ['A1130001', 'A1130002'] })
  t.notOk('pendingTerms' in caseOf(approved))
  const rejected = foldReport([ev.changeRejected()], pending)
  t.same(pick(rejected), { status: 'rejected', applicationType: 'change', inForce: true, version: 5 })
  t.match(rejected, { terms: TERMS, approvedTerms: TERMS })
  t.notOk('pendingTerms' in caseOf(rejected))
  const returned = foldReport([ev.changeReturned()], pending)
  t.match(returned, { status: 'returned', applicationType: 'change', approvedTerms: TERMS, pendingTerms: TERMS_APRIL, fieldsToFix: ['schedule'] })
  const fixed = { ...TERMS_APRIL, note: 'fixed' }
  t.match(foldReport([ev.resubmitted(fixed)], returned), { status: 'under_review', applicationType: 'change', terms: TERMS, pendingTerms: fixed })
  const withdrawn = foldReport([ev.withdrawn('change')], pending)
  t.same(pick(withdrawn), { status: 'approved', applicationType: 'change', inForce: true, version: 5 })
  t.match(withdrawn, { terms: TERMS, approvedTerms: TERMS })
  t.notOk('pendingTerms' in caseOf(withdrawn))
  t.same(pick(foldReport([ev.withdrawn('change')], returned)).status, 'approved')
})

t.test('cancellation path', async (t) => {
  const pending = foldReport(history.cancelPending())
  t.same(pick(pending), { status: 'under_review', applicationType: 'cancel', inForce: true, version: 4 })
  t.same(caseOf(pending).pendingCancellation, { effectiveDate: '2024-03-18', reason: '診所歇業' })
  const cancelled = foldReport([ev.cancellationApproved()], pending)
  t.same(pick(cancelled), { status: 'cancelled', applicationType: 'cancel', inForce: false, version: 5 })
  t.match(cancelled, { cancelledFrom: '2024-03-18', approvalNumbers: ['A1130001', 'A1130003'] })
  const rejected = foldReport([ev.cancellationRejected()], pending)
  t.same(pick(rejected), { status: 'rejected', applicationType: 'cancel', inForce: true, version: 5 })
  t.notOk('pendingCancellation' in caseOf(rejected))
  const withdrawn = foldReport([ev.withdrawn('cancel')], pending)
  t.same(pick(withdrawn).status, 'approved')
  t.notOk('pendingCancellation' in caseOf(withdrawn))
})

t.test('attachments', async (t) => {
  const s = foldReport([ev.drafted(), ev.attachmentAdded(), ev.attachmentAdded({ ...PDF, hash: 'c'.repeat(64) })])
  t.equal(caseOf(s).attachments.length, 2)
  t.same(caseOf(foldReport([{ type: 'AttachmentRemoved', data: { hash: PDF.hash } }], s)).attachments.map((a) => a.hash), ['c'.repeat(64)])
})

t.test('imported cases fold to their imported status', async (t) => {
  const base = {
    caseId: CASE_ID, legacyNumber: 'L1', caseNumber: '11212010000123', applicant: PHYSICIAN, terms: TERMS,
    routing: { reviewCounty: '65', copiedCounties: [] }, approvalNumber: 'OLD-1', approvedAt: '2023-12-01T00:00:00.000Z', submittedAt: '2023-11-20T00:00:00.000Z',
  }
  const approved = foldReport([{ type: 'ReportImported', data: { ...base, status: 'approved', applicationType: 'register' } }])
  t.match(approved, { exists: true, imported: true, status: 'approved', caseNumber: '11212010000123', legacyNumber: 'L1', approvedTerms: TERMS, approvalNumbers: ['OLD-1'], submittedAt: base.submittedAt, approvedAt: base.approvedAt, version: 1 })
  const review = foldReport([{ type: 'ReportImported', data: { ...base, status: 'under_review', applicationType: 'register' } }])
  t.same(pick(review), { status: 'under_review', applicationType: 'register', inForce: false, version: 1 })
  const changeReview = foldReport([{ type: 'ReportImported', data: { ...base, status: 'under_review', applicationType: 'change' } }])
  t.same(pick(changeReview), { status: 'under_review', applicationType: 'change', inForce: true, version: 1 })
  t.same(pick(foldReport([{ type: 'ReportImported', data: { ...base, status: 'cancelled', applicationType: 'cancel' } }])), { status: 'cancelled', applicationType: 'cancel', inForce: false, version: 1 })
})

t.test('existingReportOf: how a case counts for the applicant’s other filings', async (t) => {
  const march = expandSchedule(TERMS.schedule)
  const april = expandSchedule(TERMS_APRIL.schedule)
  t.equal(existingReportOf(initialState()), undefined)
  t.equal(existingReportOf(foldReport(history.draft())), undefined)
  t.same(existingReportOf(foldReport(history.underReview())), { caseId: CASE_ID, caseNumber: CASE_NUMBER, status: 'under_review', occurrences: march })
  t.same(existingReportOf(foldReport(history.approved())), { caseId: CASE_ID, caseNumber: CASE_NUMBER, status: 'approved', occurrences: march, inForce: true })
  t.same(existingReportOf(foldReport(history.changePending())), { caseId: CASE_ID, caseNumber: CASE_NUMBER, status: 'under_review', occurrences: march, pendingOccurrences: april, inForce: true })
  t.same(existingReportOf(foldReport([...history.changePending(), ev.changeReturned()]))?.pendingOccurrences, undefined, 'a returned change is not pending')
  t.equal(existingReportOf(foldReport([...history.underReview(), ev.rejected()])), undefined)
  t.equal(existingReportOf(foldReport([...history.draft(), ev.withdrawn()])), undefined)
  const cancelled = existingReportOf(foldReport([...history.cancelPending(), ev.cancellationApproved()]))
  t.same(cancelled?.occurrences, march.filter((o) => o.date < '2024-03-18'))
  t.equal(existingReportOf(foldReport([...history.approved(), ev.cancellationRequested('2024-03-01'), ev.cancellationApproved()])), undefined)
})

t.test('command input schemas', async (t) => {
  const termsInput = { supportedCode: '3565010003', department: '01', purpose: '01', schedule: TERMS.schedule }
  t.match(validateCommandInput('DraftReport', { nationalId: 'A123456789', terms: termsInput }), { ok: true })
  const bad = validateCommandInput('DraftReport', { terms: { ...termsInput, supportedCode: 'x', schedule: { kind: 'weekly', from: '2024-03-01', to: '2024-03-31', weekdays: [9], windows: [{ start: '25:00', end: '12:00' }] } } })
  t.equal(bad.ok, false)
  if (!bad.ok) {
    t.equal(bad.error.code, 'VALIDATION_FAILED')
    const paths = (bad.error.details.fields as { path: string }[]).map((f) => f.path)
    t.ok(paths.includes('/terms/supportedCode'), `names the field: ${paths.join(', ')}`)
  }
  t.match(validateCommandInput('RejectReport', { reason: '' }), { ok: false, error: { code: 'VALIDATION_FAILED', details: { fields: [{ path: '/reason' }] } } })
  t.match(validateCommandInput('ReturnReport', { reason: '補件', fieldsToFix: ['schedule'] }), { ok: true })
  t.match(validateCommandInput('RequestCancellation', { effectiveDate: '1130318', reason: 'x' }), { ok: false })
  t.match(validateCommandInput('SubmitReport', { extra: 1 }), { ok: false })
  t.match(validateCommandInput('AddAttachment', { attachment: PDF }), { ok: true })
  t.match(validateCommandInput('RemoveAttachment', { hash: 'nothex' }), { ok: false })
  t.match(validateCommandInput('RequestChange', { terms: { ...termsInput, schedule: { kind: 'sessions', sessions: [{ date: '2024-03-05', start: '08:00', end: '24:00' }] } }, reason: '改時段' }), { ok: true })
  t.throws(() => assertCommandInput('WithdrawReport', { reason: 5 }), { code: 'VALIDATION_FAILED' })
  t.same(assertCommandInput('WithdrawReport', {}), {})
})
