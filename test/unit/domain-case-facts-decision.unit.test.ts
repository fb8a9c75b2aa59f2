// caseFacts.decision: the reviewer's reason and fields to fix, derived once from the case's events for every page.
import t from 'tap'
import { caseFacts, foldReport, type ReportState } from '../../domain/report/index.js'
import { ev, history, TERMS, TERMS_APRIL } from '../support/report-decider-fixtures.js'
import { pendingApplicationOf } from '../../domain/report/allowed.js'

const facts = (s: ReportState) => {
  if (!s.exists) throw new Error('no case')
  return caseFacts(s)
}

t.test('a return names the reason and the fields to fix; a rejection only the reason', async (t) => {
  t.match(facts(foldReport([ev.drafted(), ev.submitted(), ev.returned()])).decision, {
    outcome: 'returned', applicationType: 'register', reason: '請補附件', fieldsToFix: ['attachments'], fieldLabels: ['附件'], terms: TERMS,
  })
  t.match(facts(foldReport([ev.drafted(), ev.submitted(), ev.rejected('2024-02-22T00:00:00.000Z')])).decision, {
    outcome: 'rejected', applicationType: 'register', reason: '資料不全', fieldsToFix: [], fieldLabels: [], decidedAt: '2024-02-22T00:00:00.000Z',
  })
})

t.test('a change returned or rejected says so; the decision goes once the filer acts', async (t) => {
  const pending = foldReport(history.changePending())
  t.equal(facts(pending).decision, undefined, 'nothing while under review')
  t.match(facts(foldReport([ev.changeReturned()], pending)).decision, { outcome: 'returned', applicationType: 'change', fieldsToFix: ['schedule'], fieldLabels: ['支援時段'] })
  t.match(facts(foldReport([ev.changeReturned()], pending)).decision?.terms, TERMS_APRIL, 'a returned change: the requested terms to fix')
  const changeRejected = facts(foldReport([ev.changeRejected()], pending)).decision
  t.match(changeRejected, { outcome: 'rejected', applicationType: 'change', reason: '不符規定' })
  t.equal(changeRejected?.terms, undefined, 'a rejected change holds no terms but the approved ones')
  const resubmitted = foldReport([ev.drafted(), ev.submitted(), ev.returned(), ev.resubmitted()])
  t.equal(facts(resubmitted).decision, undefined, 'resubmitted: under review again')
})

t.test('unknown field names in an event are not shown as fields to fix', async (t) => {
  const s = foldReport([ev.drafted(), ev.submitted(), { type: 'ReportReturned' as const, data: { reviewerId: 'X', reason: 'r', fieldsToFix: ['note', 'bogus', 'supported'] } }])
  t.same(facts(s).decision?.fieldsToFix, ['supported', 'note'], 'known ones, in the form\'s order')
})

t.test('pendingApplicationOf: why an approved case takes no new change or cancellation yet', async (t) => {
  const pending = foldReport(history.changePending())
  t.same(pendingApplicationOf(pending), { applicationType: 'change', status: 'under_review' })
  t.same(pendingApplicationOf(foldReport([ev.changeReturned()], pending)), { applicationType: 'change', status: 'returned' })
  t.equal(pendingApplicationOf(foldReport([ev.changeRejected()], pending)), undefined, 'a refused change leaves the case free again')
  t.equal(pendingApplicationOf(foldReport([ev.drafted(), ev.submitted()])), undefined, 'a registration under review has no approval to change')
})
