// The projections' pure parts: the case view fold (checked against the domain's fold), occurrences, quota
// arithmetic, statistics facts, the audit summary and diff, metrics text, and time travel over a store.
import t from 'tap'
import { caseView, evolveCase, foldCase, viewOf, type CaseView } from '../../projections/case-view.js'
import { caseOccurrences } from '../../projections/read-models/occurrences.js'
import { statFact } from '../../projections/read-models/statistics.js'
import { describeStep } from '../../projections/read-models/history.js'
import { isoWeekId } from '../../domain/roc-date.js'
import { sessionsOf, summarizeSchedule } from '../../domain/schedule.js'
import { renderMetrics, statusObject, type ProjectionLag } from '../../projections/status.js'
import { caseAsOf } from '../../projections/time-travel.js'
import { foldReport } from '../../domain/report/index.js'
import { caseIdOfStream, isReportStream, reportStream, serialStream, type ReportEvent } from '../../domain/events.js'
import { createMemoryEventStore } from '../support/memory-event-store.js'
import { CaseBuilder, applicant, inst, randomCase, rng, routingFor, terms, weekly } from '../support/report-fixtures.js'
import type { CaseStep } from '../../projections/case-projection.js'
import type { RecordedEvent } from '../../commands/event-store/port.js'

const H = inst('1101010001', '63', '家醫診所')
const S = inst('1101020003', '63', '支援醫院')
const P = applicant('A123456789', '王大明', H)

async function recorded(b: CaseBuilder): Promise<RecordedEvent<ReportEvent>[]> {
  const store = createMemoryEventStore()
  await store.append(reportStream(b.caseId), b.events, 'no_stream')
  return store.readStream<ReportEvent>(reportStream(b.caseId))
}

/** The view of the domain fold (from a view's state). */
const foldCaseView = (events: RecordedEvent<ReportEvent>[], from?: CaseView): CaseView | undefined => viewOf(foldCase(events, from?.state))

t.test('a case\'s stream: named, recognised and read back by one rule (domain/events.ts)', async (t) => {
  const id = '0b7e7f1e-4a53-5c5e-9d0c-2f1d6a8b9c01'
  t.equal(caseIdOfStream(reportStream(id)), id)
  t.ok(isReportStream(reportStream(id)))
  t.notOk(isReportStream(serialStream('2025')), 'a serial-number stream is not a case')
  t.notOk(isReportStream(`audit-${id}`))
  t.equal(reportStream(id), `report-${id}`, 'the name stored in every event store and legacy import: changing it orphans the streams already written')
})

t.test('the view maps the domain fold (status, type, numbers, terms in force) under the read side\'s names (random lifecycles)', async (t) => {
  const r = rng(5)
  for (let i = 0; i < 200; i++) {
    const b = randomCase(r, i)
    const evs = await recorded(b)
    const v = foldCaseView(evs)!
    const d = foldReport(evs)
    if (!d.exists) throw new Error('domain fold lost the case')
    t.equal(v.status, d.status, `case ${i} status`)
    t.equal(v.applicationType, d.applicationType, `case ${i} type`)
    t.equal(v.caseNumber ?? undefined, d.caseNumber, `case ${i} number`)
    t.same(v.approved?.terms, d.approvedTerms, `case ${i} terms in force`)
    t.equal(v.cancelEffective ?? undefined, d.cancelledFrom, `case ${i} cancellation`)
  }
})

t.test('occurrences: approved minus the cancelled tail, pending change on top, nothing after withdrawal', async (t) => {
  const t1 = terms(S, weekly('2024-03-01', '2024-03-31', [1], [['08:00', '12:00']]))
  const approved = new CaseBuilder('a', P, t1, routingFor(t1)).draft().submit('11303010000001').approve('A1')
  const v1 = foldCaseView(await recorded(approved))!
  t.same(caseOccurrences(v1).map((o) => o.date), ['2024-03-04', '2024-03-11', '2024-03-18', '2024-03-25'])
  const change = new CaseBuilder('b', P, t1, routingFor(t1)).draft().submit('11303010000002').approve('A2')
    .requestChange(terms(S, weekly('2024-03-01', '2024-03-31', [2], [['13:00', '15:00']])))
  const v2 = foldCaseView(await recorded(change))!
  const occ = caseOccurrences(v2)
  t.equal(occ.filter((o) => o.state === 'approved').length, 4)
  t.same(occ.filter((o) => o.state === 'pending').map((o) => o.date), ['2024-03-05', '2024-03-12', '2024-03-19', '2024-03-26'])
  change.withdraw('change')
  const v3 = foldCaseView(await recorded(change))!
  t.equal(v3.status, 'approved', 'withdrawing a change keeps the approval')
  t.same(caseOccurrences(v3).map((o) => o.state), ['approved', 'approved', 'approved', 'approved'])
  const cancelled = new CaseBuilder('c', P, t1, routingFor(t1)).draft().submit('11303010000003').approve('A3').requestCancel('2024-03-12').approveCancel('D3')
  const v4 = foldCaseView(await recorded(cancelled))!
  t.same(caseOccurrences(v4).map((o) => o.date), ['2024-03-04', '2024-03-11'])
  t.same(v4.facts.inForcePeriod, { from: '2024-03-01', to: '2024-03-11' })
  const withdrawn = new CaseBuilder('d', P, t1, routingFor(t1)).draft().submit('11303010000004').withdraw()
  t.same(caseOccurrences(foldCaseView(await recorded(withdrawn))!), [])
  const rejected = new CaseBuilder('e', P, t1, routingFor(t1)).draft().submit('11303010000005').reject()
  t.same(caseOccurrences(foldCaseView(await recorded(rejected))!), [])
  const returned = new CaseBuilder('f', P, t1, routingFor(t1)).draft().submit('11303010000006').return()
  t.same(caseOccurrences(foldCaseView(await recorded(returned))!), [], 'a returned application counts with nothing (the domain rule)')
  const changeReturned = new CaseBuilder('g', P, t1, routingFor(t1)).draft().submit('11303010000007').approve('A7')
    .requestChange(terms(S, weekly('2024-03-01', '2024-03-31', [2]))).return()
  t.same(caseOccurrences(foldCaseView(await recorded(changeReturned))!).map((o) => o.state), ['approved', 'approved', 'approved', 'approved'], 'a returned change: only the terms in force')
})

t.test('schedule facts: ISO weeks, sessions of 3 h rounded up, summaries', async (t) => {
  t.equal(isoWeekId('2024-12-30'), '2025-W01')
  t.equal(isoWeekId('2021-01-03'), '2020-W53')
  t.equal(isoWeekId('2024-02-26'), '2024-W09')
  t.equal(sessionsOf({ date: '2024-03-01', start: '08:00', end: '11:00' }), 1)
  t.equal(sessionsOf({ date: '2024-03-01', start: '08:00', end: '12:00' }), 2)
  t.equal(sessionsOf({ date: '2024-03-01', start: '08:00', end: '08:30' }), 1)
  t.equal(sessionsOf({ date: '2024-03-01', start: '00:00', end: '24:00' }), 8)
  t.same(summarizeSchedule(weekly('2024-03-01', '2024-03-31', [1, 7], [['13:00', '17:00'], ['08:00', '12:00']])), {
    from: '2024-03-01', to: '2024-03-31', weekdayMask: '1000001', earliestStart: '08:00', latestEnd: '17:00',
  })
  t.same(summarizeSchedule({ kind: 'sessions', sessions: [{ date: '2024-03-08', start: '09:00', end: '10:00' }, { date: '2024-03-06', start: '14:00', end: '18:00' }] }), {
    from: '2024-03-06', to: '2024-03-08', weekdayMask: '0010100', earliestStart: '09:00', latestEnd: '18:00',
  })
})

t.test('statistics facts: filings, decisions and review time from the (re)filing', async (t) => {
  const t1 = terms(S, weekly('2024-03-01', '2024-03-31', [1]))
  const b = new CaseBuilder('s', P, t1, routingFor(t1)).draft().submit('11303010000009').return('補件', 48).resubmit(t1).approve('A9', 10)
  const evs = await recorded(b)
  const steps: CaseStep[] = []
  let cur
  for (const event of evs) {
    const next = foldCaseView([event], cur)
    steps.push({ event, before: cur, after: next })
    cur = next
  }
  const facts = steps.map(statFact).filter((f) => f !== null)
  t.same(facts.map((f) => [f.kind, f.review_seconds]), [['filed', null], ['returned', 48 * 3600], ['approved', 10 * 3600]])
  t.match(facts[0], { review_county: '63', profession: 'A', application_type: 'register', month: '2024-02' })
})

t.test('audit summaries in zh-TW with the terms diff', async (t) => {
  const t1 = terms(S, weekly('2024-03-01', '2024-03-31', [1], [['08:00', '12:00']]))
  const t2 = terms(inst('1101020099', '64', '另一醫院'), weekly('2024-03-01', '2024-04-30', [1], [['08:00', '12:00']]))
  const b = new CaseBuilder('h', P, t1, routingFor(t1)).draft().submit('11303010000010').approve('A10').requestChange(t2)
  const evs = await recorded(b)
  const before = foldCaseView(evs.slice(0, 3))
  const step = { event: evs[3]!, before, after: foldCaseView([evs[3]!], before) }
  const { summary, diff } = describeStep(step)
  t.match(summary, /^申請變更：調整時段$/)
  t.same(diff.map((d) => d.field), ['supported', 'period', 'reviewCounty'])
  t.same(diff.find((d) => d.field === 'period'), { field: 'period', label: '支援期間', old: '1130301 星期五 至 1130331 星期日', new: '1130301 星期五 至 1130430 星期二' })
  t.match(describeStep({ event: evs[2]!, before: undefined, after: undefined }).summary, '核准登錄，核准文號 A10')
})

t.test('metrics text and status object', async (t) => {
  const lag = (name: string, lagEvents: number, lagMs: number, status: 'live' | 'building' = 'live'): ProjectionLag => ({
    name, version: 1, status, checkpoint: '1/1', head: '2/2', lagEvents, capped: false, lagMs, updatedAt: new Date(0).toISOString(),
  })
  const text = renderMetrics([lag('cases', 0, 0), lag('quota', 12, 1500), lag('quota', 900, 9000, 'building')])
  t.match(text, /^baobei_projection_lag_events\{projection="cases"\} 0$/m)
  t.match(text, /^baobei_projection_lag_events\{projection="quota"\} 12$/m)
  t.match(text, /^baobei_projection_lag_seconds\{projection="quota"\} 1\.500$/m)
  t.match(text, /^baobei_projection_rebuilding\{projection="quota"\} 1$/m)
  t.match(text, /^baobei_projection_rebuilding\{projection="cases"\} 0$/m)
  t.notMatch(text, /lag_events\{projection="quota"\} 900/, 'a version being built is not the live lag')
  t.equal(statusObject([lag('cases', 0, 0), lag('quota', 3, 40_000)], 30_000).ok, false)
  t.equal(statusObject([lag('cases', 0, 0), lag('quota', 3, 20_000)], 30_000).ok, true)
})

t.test('time travel: the case as it stood at an instant', async (t) => {
  let now = Date.parse('2024-02-01T00:00:00Z')
  const store = createMemoryEventStore({ clock: () => new Date(now) })
  const t1 = terms(S, weekly('2024-03-01', '2024-03-31', [1]))
  const b = new CaseBuilder('tt', P, t1, routingFor(t1)).draft().submit('11302010000011').approve('A11')
  for (const [i, e] of b.events.entries()) {
    now += 3_600_000
    await store.append(reportStream('tt'), [e], i)
  }
  t.match(await caseAsOf(store, 'tt', '2024-02-01T01:30:00Z'), { exists: true, status: 'draft' })
  t.match(await caseAsOf(store, 'tt', '2024-02-01T02:00:00Z'), { exists: true, status: 'under_review' }, 'inclusive of the instant')
  t.match(await caseAsOf(store, 'tt', '2024-02-02T00:00:00Z'), { exists: true, status: 'approved', approvalNumbers: ['A11'] })
  t.match(await caseAsOf(store, 'tt', '2024-01-01T00:00:00Z'), { exists: false })
})

t.test('evolveCase: a step folded once is the same object for the next read model; another start folds anew', async (t) => {
  const events = await recorded(new CaseBuilder('memo-1', P, terms(S, weekly('2024-03-01', '2024-03-31', [2])), routingFor(terms(S, weekly('2024-03-01', '2024-03-31', [2])))).draft().submit('1130201000001').approve('A1'))
  const [drafted, submitted, approved] = events as [RecordedEvent<ReportEvent>, RecordedEvent<ReportEvent>, RecordedEvent<ReportEvent>]
  const s1 = evolveCase(undefined, drafted)
  const s2 = evolveCase(s1, submitted)
  t.equal(evolveCase(s1, submitted), s2, 'the same state and event: the step already folded')
  t.equal(caseView(s2!), caseView(evolveCase(s1, submitted)!), 'and so the same view, computed once')
  // the same event from another state object (equal content: a state read back from the store) is folded again
  const s1copy = structuredClone(s1)
  const other = evolveCase(s1copy, submitted)
  t.not(other, s2, 'another start, another fold')
  t.same(other, s2, 'with the same content')
  t.same(evolveCase(s2, approved), foldReport(events), "the memo agrees with the domain's own fold")
})
