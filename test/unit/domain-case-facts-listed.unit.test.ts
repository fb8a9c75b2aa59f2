// caseFacts.listedTerms: the one answer to where a case is listed and counted at institutions (support lists,
// status counts, days in force), whatever the application under way.
import t from 'tap'
import { caseFacts, foldReport, type ReportState } from '../../domain/report/index.js'
import { ev, history, routingOf, TERMS, TERMS_APRIL, CLINIC_63 } from '../support/report-decider-fixtures.js'

const facts = (s: ReportState) => {
  if (!s.exists) throw new Error('no case')
  return caseFacts(s)
}
const MOVED = { ...TERMS_APRIL, supported: CLINIC_63 }

t.test('before any approval: the terms filed or under review', async (t) => {
  t.same(facts(foldReport(history.draft())).listedTerms, TERMS)
  t.same(facts(foldReport([ev.drafted(), ev.submitted(), ev.returned(), ev.resubmitted(TERMS_APRIL)])).listedTerms, TERMS_APRIL, 'the resubmitted terms')
})

t.test('once approved: the approved terms, while a change to another institution is under way', async (t) => {
  const pending = foldReport([...history.approved(), ev.changeRequested(MOVED)])
  t.same(facts(pending).currentTerms, MOVED, 'the case is about the new terms')
  t.same(facts(pending).listedTerms, TERMS, 'but listed where it is approved')
  t.same(facts(foldReport([ev.changeReturned()], pending)).listedTerms, TERMS, 'returned')
  t.same(facts(foldReport([ev.changeRejected()], pending)).listedTerms, TERMS, 'rejected')
  t.same(facts(foldReport([ev.changeApproved()], pending)).listedTerms, MOVED, 'approved: listed at the new institution')
  t.same(facts(foldReport([...history.cancelPending(), ev.cancellationApproved()])).listedTerms, TERMS, 'cancelled: where its head was in force')
})

t.test('listedRouting goes with listedTerms: the approved routing while a change to another county is under way', async (t) => {
  const draft = facts(foldReport(history.draft()))
  t.same(draft.listedRouting, routingOf(TERMS), 'before approval: the routing filed')
  const pending = foldReport([...history.approved(), ev.changeRequested(MOVED)])
  t.not(routingOf(MOVED).reviewCounty, routingOf(TERMS).reviewCounty, 'the change moves the case to another county')
  t.same(facts(pending).currentRouting, routingOf(MOVED))
  t.same(facts(pending).listedRouting, routingOf(TERMS), 'listed where it is approved')
  t.same(facts(foldReport([ev.changeApproved()], pending)).listedRouting, routingOf(MOVED), 'approved: the new county')
  for (const s of [history.draft(), [...history.approved(), ev.changeRequested(MOVED)], [...history.cancelPending(), ev.cancellationApproved()]]) {
    const f = facts(foldReport(s))
    t.same(f.listedRouting, f.approved?.routing ?? f.currentRouting, 'the pair: approved, else current')
    t.same(f.listedTerms, f.approved?.terms ?? f.currentTerms)
  }
})
