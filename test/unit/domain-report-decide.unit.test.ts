// Every transition and every refusal of the support-report decider, in given / when / then form.
import t from 'tap'
import { decide, evolve, initialState, type DecideContext, type ReportCommand } from '../../domain/report/index.js'
import type { FoldableEvent, ReportState } from '../../domain/report/state.js'
import type { QuotaRuleTable } from '../../domain/rules/quota.js'
import type { ReportEvent } from '../../domain/events.js'
import type { Terms } from '../../domain/types.js'
import { deciderSpec } from '../support/decider-spec.js'
import { allowedCommands } from '../../domain/report/allowed.js'
import { caseFacts } from '../../domain/report/case-facts.js'
import { existingReportOf } from '../../domain/report/existing.js'
import { decideLegacyDecision } from '../../domain/report/legacy-decision.js'
import { isInForce } from '../../domain/report/state.js'
import { approvedTerms, evolveRosterCase, initialRosterCase } from '../../exporter/roster-fold.js'
import {
  CASE_ID, CASE_NUMBER, CLINIC_63, CLINIC_65, ev, history, HOSPITAL_63, INST, NOW, OPERATOR, OTHER_INST, OTHER_PRO,
  PDF, PHARMACIST, PHARMACIST_PRO, PHARMACY_65, PHYSICIAN, PRO, REVIEWER_63, REVIEWER_65, STATISTICIAN, TERMS, TERMS_APRIL,
} from '../support/report-decider-fixtures.js'

const spec = deciderSpec<ReportState, FoldableEvent, ReportCommand, DecideContext>({
  initialState, evolve, decide: (c, s, x) => decide(c, s, x) as FoldableEvent[],
})
const ctx = (actor = PRO, over: Partial<DecideContext> = {}): DecideContext => ({ actor, now: NOW, ...over })
/** 2024-03-15 (Fri) 10:00 Asia/Taipei: inside the approved March terms. */
const MID_MARCH = '2024-03-15T02:00:00.000Z'

const draftCmd = (over: Partial<Extract<ReportCommand, { type: 'DraftReport' }>['data']> = {}): ReportCommand =>
  ({ type: 'DraftReport', data: { caseId: CASE_ID, applicant: PHYSICIAN, terms: TERMS, ...over } })
const withSchedule = (schedule: Terms['schedule'], terms: Terms = TERMS): Terms => ({ ...terms, schedule })
const noQuota: QuotaRuleTable = { version: 'none', rules: [] }
const findingsOf = (events: FoldableEvent[]) => (events[0] as Extract<ReportEvent, { type: 'ReportSubmitted' }>).data.findings

t.test('DraftReport', async (t) => {
  t.test('a professional drafts their own case (routed to the supported county)', async (t) => {
    spec(t).given().when(draftCmd({ copiedFrom: 'old-case', attachments: [PDF] }), ctx()).then([{
      type: 'ReportDrafted',
      data: {
        caseId: CASE_ID, applicant: PHYSICIAN, filedBy: { role: 'professional', id: PHYSICIAN.nationalId }, terms: TERMS,
        routing: { reviewCounty: '65', copiedCounties: [] }, attachments: [PDF], copiedFrom: 'old-case',
      },
    }])
  })
  t.test('an institution drafts for its own staff', async (t) => {
    spec(t).given().when(draftCmd(), ctx(INST)).thenMatch([{ type: 'ReportDrafted', data: { filedBy: { role: 'institution', id: HOSPITAL_63.code } } }])
  })
  t.test('a pharmacist is routed to the home county, the supported county copied', async (t) => {
    spec(t).given().when(draftCmd({ applicant: PHARMACIST, terms: { ...TERMS, supported: PHARMACY_65, purpose: '07', department: '00' } }), ctx(PHARMACIST_PRO))
      .thenMatch([{ data: { routing: { reviewCounty: '63', copiedCounties: ['65'] } } }])
  })
  t.test('refusals', async (t) => {
    const s = spec(t).given()
    s.when(draftCmd(), ctx(OTHER_PRO)).thenFails('NOT_OWN_CASE')
    s.when(draftCmd(), ctx(OTHER_INST)).thenFails('NOT_OWN_STAFF')
    s.when(draftCmd({ onBehalfOf: 'professional' }), ctx(REVIEWER_65)).thenFails('FILING_NOT_IN_COUNTY', {}, 'a reviewer files only for a professional whose home institution is in their county')
    s.when(draftCmd(), ctx(STATISTICIAN)).thenFails('FORBIDDEN')
    s.when(draftCmd({ caseId: '' }), ctx()).thenFails('VALIDATION_FAILED')
    s.when(draftCmd({ applicant: { ...PHYSICIAN, practiceStatus: 'suspended' } }), ctx()).thenFails('PROFESSIONAL_SUSPENDED')
    s.when(draftCmd(), ctx(PRO, { applicant: { ...PHYSICIAN, practiceStatus: 'suspended' } })).thenFails('PROFESSIONAL_SUSPENDED', {}, 'the registry now wins over the snapshot')
    s.when(draftCmd({ terms: { ...TERMS, supported: HOSPITAL_63 } }), ctx()).thenFails('SAME_INSTITUTION')
    s.when(draftCmd({ terms: withSchedule({ ...TERMS.schedule, windows: [{ start: '12:00', end: '08:00' }] } as Terms['schedule']) }), ctx()).thenFails('SCHEDULE_END_BEFORE_START')
    s.when(draftCmd({ applicant: { ...PHYSICIAN, licenseValidTo: '2024-03-15' } }), ctx()).thenFails('SCHEDULE_OUTSIDE_LICENSE', { licenseValidTo: '2024-03-15', scheduleTo: '2024-03-31' })
    s.when(draftCmd({ terms: { ...TERMS, department: 'ZZ' } }), ctx()).thenFails('UNKNOWN_DEPARTMENT')
    s.when(draftCmd({ terms: { ...TERMS, purpose: '99' } }), ctx()).thenFails('UNKNOWN_PURPOSE')
    s.when(draftCmd({ terms: { ...TERMS, supported: { ...CLINIC_65, county: '99' } } }), ctx()).thenFails('UNKNOWN_COUNTY')
    s.when(draftCmd({ terms: { ...TERMS, supported: { ...CLINIC_65, code: '123' } } }), ctx()).thenFails('INVALID_INSTITUTION_CODE')
    s.when(draftCmd({ applicant: { ...PHYSICIAN, nationalId: 'A123456780' } }), ctx({ ...PRO, id: 'A123456780' })).thenFails('INVALID_NATIONAL_ID')
    s.when(draftCmd({ attachments: [{ ...PDF, type: 'text/html' }] }), ctx()).thenFails('ATTACHMENT_TYPE')
    s.when(draftCmd({ attachments: [PDF, PDF] }), ctx()).thenFails('ATTACHMENT_DUPLICATE')
    spec(t).given(...history.draft()).when(draftCmd(), ctx()).thenFails('REPORT_ALREADY_EXISTS')
  })
})

t.test('EditDraft', async (t) => {
  const terms = { ...TERMS, supported: CLINIC_63 }
  spec(t).given(...history.draft()).when({ type: 'EditDraft', data: { terms } }, ctx())
    .then([{ type: 'DraftEdited', data: { terms, routing: { reviewCounty: '63', copiedCounties: [] } } }])
  spec(t).given().when({ type: 'EditDraft', data: { terms } }, ctx()).thenFails('REPORT_NOT_FOUND')
  spec(t).given(...history.underReview()).when({ type: 'EditDraft', data: { terms } }, ctx()).thenFails('ILLEGAL_TRANSITION', { status: 'under_review' })
  spec(t).given(...history.draft()).when({ type: 'EditDraft', data: { terms } }, ctx(OTHER_PRO)).thenFails('NOT_OWN_CASE')
  spec(t).given(...history.draft()).when({ type: 'EditDraft', data: { terms: { ...TERMS, supported: HOSPITAL_63 } } }, ctx()).thenFails('SAME_INSTITUTION')
})

t.test('staff filing on behalf (後台 單筆申請): the reviewer is the actor, the applicant or their institution the party of record', async (t) => {
  spec(t).given().when(draftCmd({ onBehalfOf: 'professional' }), ctx(REVIEWER_63)).thenMatch([{
    type: 'ReportDrafted', data: { filedBy: { role: 'professional', id: PHYSICIAN.nationalId }, onBehalfOf: { role: 'professional', id: PHYSICIAN.nationalId } },
  }])
  spec(t).given().when(draftCmd({ onBehalfOf: 'institution' }), ctx(REVIEWER_63)).thenMatch([{
    type: 'ReportDrafted', data: { filedBy: { role: 'institution', id: HOSPITAL_63.code }, onBehalfOf: { role: 'institution', id: HOSPITAL_63.code } },
  }])
  spec(t).given().when(draftCmd(), ctx(REVIEWER_63)).thenFails('ON_BEHALF_REQUIRED')
  const onBehalf = { ...ev.drafted(), data: { ...(ev.drafted() as Extract<FoldableEvent, { type: 'ReportDrafted' }>).data, onBehalfOf: { role: 'professional' as const, id: PHYSICIAN.nationalId } } } as FoldableEvent
  const submit: ReportCommand = { type: 'SubmitReport', data: { caseNumber: CASE_NUMBER } }
  spec(t).given(onBehalf).when(submit, ctx(REVIEWER_63)).thenMatch([{ type: 'ReportSubmitted' }])
  spec(t).given(onBehalf).when(submit, ctx(REVIEWER_65)).thenFails('FILING_NOT_IN_COUNTY')
  spec(t).given(...history.draft()).when(submit, ctx(REVIEWER_63)).thenFails('FORBIDDEN', {}, "never the professional's own draft")
  spec(t).given(onBehalf).when({ type: 'EditDraft', data: { terms: TERMS } }, ctx(REVIEWER_63)).thenFails('FORBIDDEN', {}, 'drafting and submitting only')
})

t.test('SubmitReport', async (t) => {
  const submit: ReportCommand = { type: 'SubmitReport', data: { caseNumber: CASE_NUMBER } }
  t.test('a draft enters 審核中 as 登錄, with the findings recorded', async (t) => {
    const out = spec(t).given(...history.draft()).when(submit, ctx()).thenMatch([{ type: 'ReportSubmitted', data: { caseNumber: CASE_NUMBER } }])
    const f = findingsOf(out)
    t.same(f.conflicts, [])
    t.ok(f.quota.some((q) => q.ruleId === 'physician-weekly-sessions' && q.period === '2024-W10' && q.proposed === 4 && q.limit === 8 && !q.over))
    t.ok(f.quota.some((q) => q.ruleId === 'clinic-support-session-share' && q.staffingUnknown === true))
  })
  t.test('an institution submits for its staff; warnings do not refuse and are recorded', async (t) => {
    const warnTable: QuotaRuleTable = { version: 't', rules: [{ id: 'w', kind: 'cap', label: '每週 1 診', basis: 'configured', enforcement: 'warn', scope: { professions: [], supportedKinds: [], counties: [] }, period: 'week', unit: 'sessions', limit: 1 }] }
    const out = spec(t).given(...history.draft()).when(submit, ctx(INST, { quotaRules: warnTable })).thenMatch([{ type: 'ReportSubmitted' }])
    t.ok(findingsOf(out).quota.length > 0 && findingsOf(out).quota.every((q) => q.over && q.enforcement === 'warn'))
  })
  t.test('refusals', async (t) => {
    const s = spec(t).given(...history.draft())
    s.when({ type: 'SubmitReport', data: {} }, ctx()).thenFails('VALIDATION_FAILED', { fields: ['caseNumber'] })
    s.when({ type: 'SubmitReport', data: { caseNumber: '113' } }, ctx()).thenFails('VALIDATION_FAILED')
    s.when(submit, ctx(OTHER_PRO)).thenFails('NOT_OWN_CASE')
    s.when(submit, ctx(REVIEWER_65)).thenFails('FORBIDDEN')
    s.when(submit, ctx(PRO, { now: '2024-03-04T00:00:00.000Z' })).thenFails('SCHEDULE_IN_PAST', { firstOccurrence: { date: '2024-03-04', start: '08:00' } }, 'no after-the-fact filing (08:00 Taipei = 00:00Z)')
    s.when(submit, ctx(PRO, { now: '2024-03-03T23:59:59.000Z', quotaRules: noQuota })).thenMatch([{ type: 'ReportSubmitted' }], 'one second before the first start is still in time')
    s.when(submit, ctx(PRO, { existing: [{ caseId: 'other', caseNumber: '11302010000009', status: 'approved', occurrences: [{ date: '2024-03-06', start: '11:00', end: '13:00' }] }] }))
      .thenFails('SCHEDULE_CONFLICT', { caseNumber: '11302010000009', occurrence: { date: '2024-03-06', start: '08:00', end: '12:00' } })
    s.when(submit, ctx(PRO, { quotaRules: { version: 'b', rules: [{ id: 'b', kind: 'cap', label: '每週 3 診', basis: 'configured', enforcement: 'block', scope: { professions: ['A'], supportedKinds: [], counties: [] }, period: 'week', unit: 'sessions', limit: 3 }] } }))
      .thenFails('QUOTA_EXCEEDED', { findings: [{ ruleId: 'b', period: '2024-W10', used: 0, proposed: 4, limit: 3, over: true }] })
    s.when(submit, ctx(PRO, { applicant: { ...PHYSICIAN, licenseValidTo: '2024-03-10' } })).thenFails('SCHEDULE_OUTSIDE_LICENSE')
    spec(t).given(...history.underReview()).when(submit, ctx()).thenFails('ILLEGAL_TRANSITION')
    spec(t).given().when(submit, ctx()).thenFails('REPORT_NOT_FOUND')
  })
  t.test('the case itself and non-counting cases are not conflicts', async (t) => {
    const clash = [{ date: '2024-03-06', start: '11:00', end: '13:00' }]
    spec(t).given(...history.draft()).when(submit, ctx(PRO, { quotaRules: noQuota, existing: [
      { caseId: CASE_ID, status: 'approved', occurrences: clash },
      { caseId: 'x', status: 'withdrawn', occurrences: clash },
      { caseId: 'y', status: 'rejected', occurrences: clash },
    ] })).then([{ type: 'ReportSubmitted', data: { caseNumber: CASE_NUMBER, findings: { conflicts: [], quota: [], rules: { quota: 'none' } } } }])
  })
})

t.test('ApproveReport / RejectReport / ReturnReport by application type', async (t) => {
  const approve: ReportCommand = { type: 'ApproveReport', data: { approvalNumber: 'A1130009', note: ' ok ' } }
  const reject: ReportCommand = { type: 'RejectReport', data: { reason: '不符' } }
  const ret: ReportCommand = { type: 'ReturnReport', data: { reason: '補件', fieldsToFix: ['attachments', ''] } }
  const r = ctx(REVIEWER_65)
  const decision = { reviewerId: REVIEWER_65.id }
  spec(t).given(...history.underReview()).when(approve, r).then([{ type: 'ReportApproved', data: { ...decision, approvalNumber: 'A1130009', note: 'ok' } }])
  spec(t).given(...history.changePending()).when(approve, r).then([{ type: 'ChangeApproved', data: { ...decision, approvalNumber: 'A1130009', note: 'ok' } }])
  spec(t).given(...history.cancelPending()).when(approve, r).then([{ type: 'CancellationApproved', data: { ...decision, approvalNumber: 'A1130009', note: 'ok' } }])
  spec(t).given(...history.underReview()).when(reject, r).then([{ type: 'ReportRejected', data: { ...decision, reason: '不符' } }])
  spec(t).given(...history.changePending()).when(reject, r).then([{ type: 'ChangeRejected', data: { ...decision, reason: '不符' } }])
  spec(t).given(...history.cancelPending()).when(reject, r).then([{ type: 'CancellationRejected', data: { ...decision, reason: '不符' } }])
  spec(t).given(...history.underReview()).when(ret, r).then([{ type: 'ReportReturned', data: { ...decision, reason: '補件', fieldsToFix: ['attachments'] } }])
  spec(t).given(...history.changePending()).when(ret, r).then([{ type: 'ChangeReturned', data: { ...decision, reason: '補件', fieldsToFix: ['attachments'] } }])
  spec(t).given(...[ev.drafted(), ev.submitted(), ev.returned(), ev.resubmitted()]).when(approve, r).thenMatch([{ type: 'ReportApproved' }], 'a resubmitted registration is decided as 登錄')

  t.test('refusals', async (t) => {
    spec(t).given(...history.cancelPending()).when(ret, r).thenFails('CANCELLATION_CANNOT_BE_RETURNED')
    spec(t).given(...history.underReview()).when({ type: 'ReturnReport', data: { reason: '補件', fieldsToFix: [] } }, r).thenFails('FIELDS_TO_FIX_REQUIRED', {}, 'a return names what to fix')
    spec(t).given(...history.underReview()).when({ type: 'ReturnReport', data: { reason: '補件', fieldsToFix: [''] } }, r).thenFails('FIELDS_TO_FIX_REQUIRED')
    spec(t).given(...history.changePending()).when({ type: 'ReturnReport', data: { reason: '補件', fieldsToFix: ['schedule', 'salary'] } }, r).thenFails('FIELDS_TO_FIX_REQUIRED', { fieldsToFix: ['schedule', 'salary'] }, 'only returnable fields')
    spec(t).given(...history.underReview()).when({ type: 'RejectReport', data: { reason: '  ' } }, r).thenFails('REASON_REQUIRED')
    spec(t).given(...history.underReview()).when({ type: 'ReturnReport', data: { reason: '', fieldsToFix: [] } }, r).thenFails('REASON_REQUIRED')
    spec(t).given(...history.underReview()).when({ type: 'ApproveReport', data: { approvalNumber: ' ' } }, r).thenFails('VALIDATION_FAILED')
    spec(t).given(...history.underReview()).when(approve, ctx(REVIEWER_63)).thenFails('NOT_IN_COUNTY', { reviewCounty: '65', actorCounty: '63' })
    spec(t).given(...history.underReview()).when(approve, ctx({ ...REVIEWER_65, county: undefined })).thenFails('NOT_IN_COUNTY')
    spec(t).given(...history.underReview()).when(approve, ctx(PRO)).thenFails('FORBIDDEN')
    spec(t).given(...history.underReview()).when(approve, ctx(INST)).thenFails('FORBIDDEN')
    spec(t).given(...history.underReview()).when(approve, ctx(STATISTICIAN)).thenFails('FORBIDDEN')
    for (const h of [history.draft(), history.approved(), [...history.underReview(), ev.rejected()], [...history.underReview(), ev.returned()]]) {
      spec(t).given(...h).when(approve, r).thenFails('NOTHING_TO_DECIDE')
      spec(t).given(...h).when(reject, r).thenFails('NOTHING_TO_DECIDE')
      spec(t).given(...h).when(ret, r).thenFails('NOTHING_TO_DECIDE')
    }
    spec(t).given().when(approve, r).thenFails('REPORT_NOT_FOUND')
  })
  t.test('a pharmacist case is decided by the home county; the copied county only reads', async (t) => {
    const terms = { ...TERMS, supported: PHARMACY_65, purpose: '07', department: '00' }
    const h = [ev.drafted({ applicant: PHARMACIST, terms }), ev.submitted()]
    spec(t).given(...h).when(approve, ctx(REVIEWER_63)).thenMatch([{ type: 'ReportApproved', data: { reviewerId: REVIEWER_63.id } }])
    spec(t).given(...h).when(approve, ctx(REVIEWER_65)).thenFails('NOT_IN_COUNTY')
  })
  t.test('a change to another county is decided where the new terms route', async (t) => {
    const h = [...history.approved(), ev.changeRequested({ ...TERMS_APRIL, supported: CLINIC_63 })]
    spec(t).given(...h).when(approve, ctx(REVIEWER_63)).thenMatch([{ type: 'ChangeApproved' }])
    spec(t).given(...h).when(approve, ctx(REVIEWER_65)).thenFails('NOT_IN_COUNTY')
  })
})

t.test('ResubmitReport', async (t) => {
  const terms = { ...TERMS, note: '已補正' }
  spec(t).given(ev.drafted(), ev.submitted(), ev.returned()).when({ type: 'ResubmitReport', data: { terms } }, ctx(PRO, { quotaRules: noQuota }))
    .then([{ type: 'ReportResubmitted', data: { terms, routing: { reviewCounty: '65', copiedCounties: [] }, findings: { conflicts: [], quota: [], rules: { quota: 'none' } } } }])
  const changed = { ...TERMS_APRIL, note: '已修正' }
  spec(t).given(...history.changePending(), ev.changeReturned()).when({ type: 'ResubmitReport', data: { terms: changed } }, ctx(PRO, { quotaRules: noQuota, now: MID_MARCH }))
    .then([{ type: 'ReportResubmitted', data: { terms: changed, routing: { reviewCounty: '65', copiedCounties: [] }, findings: { conflicts: [], quota: [], rules: { quota: 'none' } } } }])
  t.test('refusals', async (t) => {
    spec(t).given(...history.underReview()).when({ type: 'ResubmitReport', data: { terms } }, ctx()).thenFails('ILLEGAL_TRANSITION')
    spec(t).given(...history.draft()).when({ type: 'ResubmitReport', data: { terms } }, ctx()).thenFails('ILLEGAL_TRANSITION')
    spec(t).given(ev.drafted(), ev.submitted(), ev.returned()).when({ type: 'ResubmitReport', data: { terms } }, ctx(PRO, { now: '2024-03-05T00:00:00.000Z' })).thenFails('SCHEDULE_IN_PAST')
    spec(t).given(ev.drafted(), ev.submitted(), ev.returned()).when({ type: 'ResubmitReport', data: { terms } }, ctx(OTHER_INST)).thenFails('NOT_OWN_STAFF')
    spec(t).given(...history.changePending(), ev.changeReturned()).when({ type: 'ResubmitReport', data: { terms: withSchedule({ ...TERMS.schedule, windows: [{ start: '09:00', end: '12:00' }] } as Terms['schedule']) } }, ctx(PRO, { now: MID_MARCH }))
      .thenFails('SCHEDULE_PAST_CHANGED')
  })
})

t.test('RequestChange', async (t) => {
  const change = (terms: Terms, reason = '延長支援'): ReportCommand => ({ type: 'RequestChange', data: { terms, reason } })
  spec(t).given(...history.approved()).when(change(TERMS_APRIL), ctx(PRO, { quotaRules: noQuota, now: MID_MARCH }))
    .then([{ type: 'ChangeRequested', data: { terms: TERMS_APRIL, routing: { reviewCounty: '65', copiedCounties: [] }, reason: '延長支援', findings: { conflicts: [], quota: [], rules: { quota: 'none' } } } }])
  spec(t).given(...history.changePending(), ev.changeRejected()).when(change(TERMS_APRIL), ctx(INST, { now: MID_MARCH }))
    .thenMatch([{ type: 'ChangeRequested' }], 'after a rejected change the case is still in force')
  spec(t).given(...history.cancelPending(), ev.cancellationRejected()).when(change(TERMS_APRIL), ctx(PRO, { now: MID_MARCH }))
    .thenMatch([{ type: 'ChangeRequested' }], 'after a rejected cancellation too')
  t.test('refusals', async (t) => {
    for (const h of [history.draft(), history.underReview(), history.changePending(), history.cancelPending(), [...history.underReview(), ev.rejected()], [...history.cancelPending(), ev.cancellationApproved()], [...history.changePending(), ev.changeReturned()]]) {
      spec(t).given(...h).when(change(TERMS_APRIL), ctx(PRO, { now: MID_MARCH })).thenFails('ILLEGAL_TRANSITION')
    }
    const s = spec(t).given(...history.approved())
    s.when(change(TERMS_APRIL, ' '), ctx(PRO, { now: MID_MARCH })).thenFails('REASON_REQUIRED')
    s.when(change(TERMS_APRIL), ctx(OTHER_PRO, { now: MID_MARCH })).thenFails('NOT_OWN_CASE')
    s.when(change(withSchedule({ ...TERMS.schedule, windows: [{ start: '13:00', end: '17:00' }] } as Terms['schedule'])), ctx(PRO, { now: MID_MARCH }))
      .thenFails('SCHEDULE_PAST_CHANGED', { today: '2024-03-15' })
    s.when(change({ ...TERMS_APRIL, supported: CLINIC_63 }), ctx(PRO, { now: MID_MARCH })).thenFails('SCHEDULE_PAST_CHANGED', { placeChanged: true })
    s.when(change({ ...TERMS_APRIL, supported: CLINIC_63 }), ctx(PRO, { now: NOW, quotaRules: noQuota })).thenMatch([{ type: 'ChangeRequested', data: { routing: { reviewCounty: '63' } } }], 'before it starts, the place may change')
    s.when(change(withSchedule({ kind: 'sessions', sessions: [{ date: '2024-03-15', start: '08:00', end: '09:00' }] })), ctx(PRO, { now: NOW, quotaRules: noQuota }))
      .thenMatch([{ type: 'ChangeRequested' }])
    s.when(change(withSchedule({ kind: 'weekly', from: '2024-03-01', to: '2024-03-31', weekdays: [1, 3, 5], windows: [{ start: '08:00', end: '12:00' }] })), ctx(PRO, { now: '2024-03-01T03:00:00.000Z' }))
      .thenFails('SCHEDULE_IN_PAST', { firstOccurrence: { date: '2024-03-01', start: '08:00' } }, 'adding an occurrence that already started today')
    s.when(change(TERMS_APRIL), ctx(PRO, { now: MID_MARCH, existing: [{ caseId: 'other', caseNumber: '11303010000002', status: 'under_review', occurrences: [{ date: '2024-04-03', start: '07:00', end: '09:00' }] }] }))
      .thenFails('SCHEDULE_CONFLICT', { caseId: 'other', occurrence: { date: '2024-04-03' } })
    s.when(change(TERMS_APRIL), ctx(PRO, { now: MID_MARCH, applicant: { ...PHYSICIAN, licenseValidTo: '2024-04-15' } })).thenFails('SCHEDULE_OUTSIDE_LICENSE')
    s.when(change(TERMS_APRIL), ctx(PRO, { now: MID_MARCH, applicant: { ...PHYSICIAN, practiceStatus: 'suspended' } })).thenFails('PROFESSIONAL_SUSPENDED')
  })
})

t.test('RequestCancellation', async (t) => {
  const cancel = (effectiveDate: string, reason = '診所歇業'): ReportCommand => ({ type: 'RequestCancellation', data: { effectiveDate, reason } })
  spec(t).given(...history.approved()).when(cancel('2024-03-18'), ctx(PRO, { now: MID_MARCH })).then([{ type: 'CancellationRequested', data: { effectiveDate: '2024-03-18', reason: '診所歇業' } }])
  spec(t).given(...history.approved()).when(cancel('2024-03-15'), ctx(INST, { now: MID_MARCH })).thenMatch([{ type: 'CancellationRequested' }], 'today is allowed')
  spec(t).given(...history.approved()).when(cancel('2024-03-01'), ctx(PRO, { now: NOW })).thenMatch([{ type: 'CancellationRequested' }], 'the first day, before it starts')
  t.test('refusals', async (t) => {
    const s = spec(t).given(...history.approved())
    s.when(cancel('2024-03-14'), ctx(PRO, { now: MID_MARCH })).thenFails('CANCEL_DATE_INVALID', { today: '2024-03-15' })
    s.when(cancel('2024-04-01'), ctx(PRO, { now: MID_MARCH })).thenFails('CANCEL_DATE_INVALID', { to: '2024-03-31' })
    s.when(cancel('2024-02-29'), ctx(PRO, { now: NOW })).thenFails('CANCEL_DATE_INVALID', { from: '2024-03-01' })
    s.when(cancel('2024-03-32'), ctx(PRO, { now: MID_MARCH })).thenFails('CANCEL_DATE_INVALID')
    s.when(cancel('2024-03-18', ''), ctx(PRO, { now: MID_MARCH })).thenFails('REASON_REQUIRED')
    s.when(cancel('2024-03-18'), ctx(OTHER_PRO, { now: MID_MARCH })).thenFails('NOT_OWN_CASE')
    for (const h of [history.draft(), history.underReview(), history.cancelPending(), history.changePending(), [...history.cancelPending(), ev.cancellationApproved()]]) {
      spec(t).given(...h).when(cancel('2024-03-18'), ctx(PRO, { now: MID_MARCH })).thenFails('ILLEGAL_TRANSITION')
    }
  })
})

t.test('WithdrawReport', async (t) => {
  const w: ReportCommand = { type: 'WithdrawReport', data: { reason: ' 不去了 ' } }
  spec(t).given(...history.draft()).when(w, ctx()).then([{ type: 'ReportWithdrawn', data: { applicationType: 'register', reason: '不去了' } }])
  spec(t).given(...history.underReview()).when({ type: 'WithdrawReport', data: {} }, ctx(INST)).then([{ type: 'ReportWithdrawn', data: { applicationType: 'register' } }])
  spec(t).given(ev.drafted(), ev.submitted(), ev.returned()).when(w, ctx()).thenMatch([{ data: { applicationType: 'register' } }])
  spec(t).given(...history.changePending()).when(w, ctx()).thenMatch([{ data: { applicationType: 'change' } }])
  spec(t).given(...history.changePending(), ev.changeReturned()).when(w, ctx()).thenMatch([{ data: { applicationType: 'change' } }])
  spec(t).given(...history.cancelPending()).when(w, ctx()).thenMatch([{ data: { applicationType: 'cancel' } }])
  t.test('refusals', async (t) => {
    for (const h of [history.approved(), [...history.draft(), ev.withdrawn()], [...history.underReview(), ev.rejected()], [...history.cancelPending(), ev.cancellationApproved()]]) {
      spec(t).given(...h).when(w, ctx()).thenFails('ILLEGAL_TRANSITION')
    }
    spec(t).given(...history.underReview()).when(w, ctx(REVIEWER_65)).thenFails('FORBIDDEN')
    spec(t).given(...history.underReview()).when(w, ctx(OTHER_PRO)).thenFails('NOT_OWN_CASE')
  })
})

t.test('attachments', async (t) => {
  const png = { hash: 'b'.repeat(64), name: 'license.png', type: 'image/png', size: 100 }
  spec(t).given(...history.draft()).when({ type: 'AddAttachment', data: { attachment: png } }, ctx()).then([{ type: 'AttachmentAdded', data: { attachment: png } }])
  spec(t).given(ev.drafted(), ev.submitted(), ev.returned()).when({ type: 'AddAttachment', data: { attachment: png } }, ctx(INST)).thenMatch([{ type: 'AttachmentAdded' }])
  spec(t).given(...history.draft(), ev.attachmentAdded()).when({ type: 'RemoveAttachment', data: { hash: PDF.hash } }, ctx()).then([{ type: 'AttachmentRemoved', data: { hash: PDF.hash } }])
  t.test('refusals', async (t) => {
    const s = spec(t).given(...history.draft(), ev.attachmentAdded())
    s.when({ type: 'AddAttachment', data: { attachment: PDF } }, ctx()).thenFails('ATTACHMENT_DUPLICATE')
    s.when({ type: 'AddAttachment', data: { attachment: { ...png, type: 'application/zip' } } }, ctx()).thenFails('ATTACHMENT_TYPE')
    s.when({ type: 'AddAttachment', data: { attachment: { ...png, size: 20 * 1024 * 1024 } } }, ctx()).thenFails('ATTACHMENT_TOO_LARGE')
    s.when({ type: 'AddAttachment', data: { attachment: { ...png, hash: 'xyz' } } }, ctx()).thenFails('VALIDATION_FAILED')
    s.when({ type: 'AddAttachment', data: { attachment: png } }, ctx(OTHER_INST)).thenFails('NOT_OWN_STAFF')
    s.when({ type: 'RemoveAttachment', data: { hash: png.hash } }, ctx()).thenFails('ATTACHMENT_NOT_FOUND')
    spec(t).given(...history.underReview()).when({ type: 'AddAttachment', data: { attachment: png } }, ctx()).thenFails('ILLEGAL_TRANSITION')
    spec(t).given(...history.approved(), ev.attachmentAdded()).when({ type: 'RemoveAttachment', data: { hash: PDF.hash } }, ctx()).thenFails('ILLEGAL_TRANSITION')
  })
})

t.test('ImportReport', async (t) => {
  const data = {
    caseId: CASE_ID, legacyNumber: 'L-2023-000123', caseNumber: '11212010000123', status: 'approved' as const, applicationType: 'register' as const,
    applicant: PHYSICIAN, terms: TERMS, routing: { reviewCounty: '65', copiedCounties: [] }, approvalNumber: 'OLD-1', approvedAt: '2023-12-01T02:00:00.000Z',
  }
  spec(t).given().when({ type: 'ImportReport', data }, ctx(OPERATOR)).then([{ type: 'ReportImported', data }])
  spec(t).given().when({ type: 'ImportReport', data }, ctx({ role: 'system', id: 'migrator', via: 'system' })).thenMatch([{ type: 'ReportImported' }])
  spec(t).given().when({ type: 'ImportReport', data }, ctx(PRO)).thenFails('FORBIDDEN')
  spec(t).given().when({ type: 'ImportReport', data }, ctx(REVIEWER_65)).thenFails('FORBIDDEN')
  spec(t).given(...history.draft()).when({ type: 'ImportReport', data }, ctx(OPERATOR)).thenFails('REPORT_ALREADY_EXISTS')
  t.test('an imported approved case can be changed and cancelled like any other', async (t) => {
    const imported = { type: 'ReportImported' as const, data }
    spec(t).given(imported).when({ type: 'RequestCancellation', data: { effectiveDate: '2024-03-20', reason: '歇業' } }, ctx(PRO, { now: MID_MARCH })).thenMatch([{ type: 'CancellationRequested' }])
    spec(t).given(imported).when({ type: 'RequestChange', data: { terms: TERMS_APRIL, reason: '延長' } }, ctx(PRO, { now: MID_MARCH })).thenMatch([{ type: 'ChangeRequested' }])
  })
  t.test('an imported 已註銷 case is shown with its dates and counts for nothing', async (t) => {
    const cancelled = { type: 'ReportImported' as const, data: { ...data, status: 'cancelled' as const, cancelledOn: '2024-03-11' } }
    const s = spec(t).given(cancelled)
    const state = s.state()
    t.match(state, { exists: true, status: 'cancelled', cancelledFrom: '2024-03-11', imported: true, approvalNumbers: ['OLD-1'] }, 'its cancellation date is kept')
    t.notOk(state.exists && state.approvedTerms, 'no terms in force')
    t.notOk(isInForce(state), 'not in force')
    t.equal(existingReportOf(state), undefined, 'never counts for conflicts or quota (not even the days before its 註銷日期)')
    const facts = state.exists ? caseFacts(state) : undefined
    t.same(facts?.counted, {}, 'nothing counted: no calendar occurrence, no quota')
    t.equal(facts?.inForcePeriod, undefined)
    for (const actor of [PRO, INST, REVIEWER_65, OPERATOR]) t.same(allowedCommands(state, actor), [], `${actor.role}: nothing more to do on it`)
    s.when({ type: 'RequestChange', data: { terms: TERMS_APRIL, reason: '延長' } }, ctx(PRO, { now: NOW })).thenFails('ILLEGAL_TRANSITION')
    s.when({ type: 'RequestCancellation', data: { effectiveDate: '2024-03-20', reason: '歇業' } }, ctx(PRO, { now: NOW })).thenFails('ILLEGAL_TRANSITION')
    s.when({ type: 'WithdrawReport', data: {} }, ctx(PRO)).thenFails('ILLEGAL_TRANSITION')
    s.when({ type: 'ApproveReport', data: { approvalNumber: 'X1' } } as ReportCommand, ctx(REVIEWER_65)).thenFails('NOTHING_TO_DECIDE')
    // the same terms filed anew by the same person are no conflict with it
    const other = existingReportOf(state)
    spec(t).given(...history.draft()).when({ type: 'SubmitReport', data: { caseNumber: CASE_NUMBER } }, ctx(PRO, { quotaRules: noQuota, ...(other ? { existing: [other] } : {}) }))
      .thenMatch([{ type: 'ReportSubmitted' }])
  })
  t.test('a cancellation the old system approved after cut-over: cancelled from the date asked for, else from the decision', async (t) => {
    const pending = { ...data, status: 'under_review' as const, applicationType: 'cancel' as const }
    const asked = decideLegacyDecision([{ type: 'ReportImported', data: { ...pending, cancelledOn: '2024-03-18' } }], { legacyNumber: data.legacyNumber, decision: 'approved', decidedOn: '2024-03-05', approvalNumber: 'OLD-2', reason: null }, OPERATOR)
    t.match(asked, [{ type: 'ReportImported', data: { status: 'cancelled', cancelledOn: '2024-03-18', approvalNumber: 'OLD-2' } }])
    const none = decideLegacyDecision([{ type: 'ReportImported', data: pending }], { legacyNumber: data.legacyNumber, decision: 'approved', decidedOn: '2024-03-05', approvalNumber: 'OLD-2', reason: null }, OPERATOR)
    t.match(none, [{ type: 'ReportImported', data: { status: 'cancelled', cancelledOn: '2024-03-05' } }])
    const folded = spec(t).given({ type: 'ReportImported', data: pending }, ...none).state()
    t.match(folded, { status: 'cancelled', cancelledFrom: '2024-03-05' })
    t.equal(existingReportOf(folded), undefined)
  })
  t.test('a cancellation pending at cut-over, approved here, takes effect from its 註銷日期 (case and roster folds agree)', async (t) => {
    const pending = { type: 'ReportImported' as const, data: { ...data, status: 'under_review' as const, applicationType: 'cancel' as const, cancelledOn: '2024-03-18' } }
    const s = spec(t).given(pending)
    t.match(s.state(), { status: 'under_review', applicationType: 'cancel', pendingCancellation: { effectiveDate: '2024-03-18' } })
    const [approved] = s.when({ type: 'ApproveReport', data: { approvalNumber: 'C1130001' } }, ctx(REVIEWER_65)).thenMatch([{ type: 'CancellationApproved' }])
    const after = spec(t).given(pending, approved!).state()
    t.match(after, { status: 'cancelled', cancelledFrom: '2024-03-18' })
    t.ok(existingReportOf(after)?.occurrences.every((o) => o.date < '2024-03-18'), 'its days before the date still count, as for any cancellation')
    const roster = evolveRosterCase(initialRosterCase(), pending)
    t.match(approvedTerms(roster, 'CancellationApproved'), { action: 'D', cancelFrom: '2024-03-18' }, 'the roster sends it as a deletion from that day')
  })
  t.test('operators do nothing else', async (t) => {
    spec(t).given(...history.draft()).when({ type: 'SubmitReport', data: { caseNumber: CASE_NUMBER } }, ctx(OPERATOR)).thenFails('FORBIDDEN')
  })
})
