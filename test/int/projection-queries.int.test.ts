// Queries over the read models: every query is scoped (rows of another professional, institution or county never
// come back), the reviewer search honours every filter, pagination and sorting, and time travel folds the log.
import { reportStream } from '../../domain/events.js'
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { countCases, countCasesByStatus, getCase, searchCases, type CaseFilter, type CaseRow } from '../../projections/queries/cases.js'
import { listOccurrences, monthCalendar } from '../../projections/queries/occurrences.js'
import { dashboardCounts, othersSupportingUs, ourStaffSupportingOthers, validSupportRoster } from '../../projections/queries/institutions.js'
import { institutionQuota, professionalQuota } from '../../projections/queries/quota.js'
import { statistics } from '../../projections/queries/statistics.js'
import { caseHistory } from '../../projections/queries/history.js'
import { caseAsOf, validSupportsAsOf } from '../../projections/time-travel.js'
import { caseStates, gateStates } from '../../projections/queries/case-states.js'
import { GATE_FIELDS } from '../../domain/report/allowed.js'
import type { Scope } from '../../projections/queries/scope.js'
import { projectionEnv, appendCases } from '../support/projection-env.js'
import { CaseBuilder, applicant, inst, randomCase, rng, routingFor, terms, weekly } from '../support/report-fixtures.js'

const H1 = inst('1101010001', '63', '台北家醫診所', '大安區')
const H2 = inst('1201010002', '64', '高雄內科診所', '苓雅區')
const S1 = inst('1101020003', '63', '台北支援醫院', '中正區')
const S2 = inst('1201020004', '64', '高雄支援醫院', '前鎮區')
const S3 = inst('1301020005', '65', '新北藥局', '板橋區')

const P1 = applicant('A123456789', '王大明', H1, 'A')
const P2 = applicant('E223456781', '李小華', H2, 'A')
const P3 = applicant('F123456782', '陳藥師', H1, 'D')
const P4 = applicant('B123456783', '林醫師', H2, 'B')
const P5 = applicant('C123456784', '張護理師', H1, 'F')

t.test('scoped queries, filters, time travel', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())

  const t1 = terms(S1, weekly('2024-03-01', '2024-03-31', [1, 3], [['08:00', '12:00']]))
  const c1 = new CaseBuilder('c1', P1, t1, routingFor(t1)).draft().submit('11302010000001').approve('A001')
  const t2 = terms(S2, weekly('2024-03-01', '2024-03-31', [2], [['13:00', '17:30']]))
  const c2 = new CaseBuilder('c2', P2, t2, routingFor(t2)).draft().submit('11302010000002')
  // pharmacist: reviewed by the home county (63), copied to the supported county (65)
  const t3 = terms(S3, weekly('2024-04-01', '2024-04-30', [5], [['09:00', '12:00']]))
  const c3 = new CaseBuilder('c3', P3, t3, { reviewCounty: '63', copiedCounties: ['65'] }).draft().submit('11302010000003').approve('A003')
  const t4 = terms(S1, weekly('2024-03-01', '2024-03-31', [4], [['18:00', '21:00']]))
  const c4 = new CaseBuilder('c4', P4, t4, routingFor(t4)).draft().submit('11302010000004').approve('A004').requestCancel('2024-03-15').approveCancel('D004')
  const t5 = terms(S1, weekly('2024-05-01', '2024-05-31', [2], [['08:00', '12:00']]))
  const c5 = new CaseBuilder('c5', P5, t5, routingFor(t5)).draft()
  const last = await appendCases(env.store, [c1, c2, c3, c4, c5])
  t.ok(await runner.waitFor(last, undefined, 20_000))

  const national: Scope = { kind: 'national' }
  const ids = (rows: { caseId: string }[]) => [...new Set(rows.map((r) => r.caseId))].sort()
  const cases = async (s: Scope, f: CaseFilter = {}) => ids((await searchCases(rm, s, f, { pageSize: 100 })).rows)

  t.test('gateStates: each state with the gate\'s fields alone, a field the state lacks still absent', async (t) => {
    const all = ['c1', 'c2', 'c3', 'c4', 'c5', 'no-such-case']
    const [whole, gate] = [await caseStates(rm, all), await gateStates(rm, all)]
    t.same([...gate.keys()].sort(), ['c1', 'c2', 'c3', 'c4', 'c5'], 'the cases that exist, no more')
    for (const [id, s] of whole) {
      const expected = Object.fromEntries(Object.entries(s).filter(([k]) => (GATE_FIELDS as readonly string[]).includes(k)))
      t.same(gate.get(id), expected, `${id}: the gate's fields of the whole state, with their values`)
      t.ok(Object.keys(gate.get(id)!).length < Object.keys(s).length, `${id}: fewer fields than the whole state`)
    }
    t.ok('approvedTerms' in gate.get('c1')!, 'an approved case keeps its approved terms')
    t.notOk('approvedTerms' in gate.get('c2')!, 'a case never approved has no approvedTerms key (not null)')
    t.notOk('pendingRouting' in gate.get('c1')!, 'nor a routing it never had')
  })

  t.test('cases', async (t) => {
    t.same(await cases(national), ['c1', 'c2', 'c3', 'c4', 'c5'])
    t.same(await cases({ kind: 'professional', nationalId: P1.nationalId }), ['c1'])
    t.same(await cases({ kind: 'institution', code: H2.code }), ['c2', 'c4'])
    t.same(await cases({ kind: 'institution', code: S1.code }), ['c1', 'c4', 'c5'])
    t.same(await cases({ kind: 'county', county: '63' }), ['c1', 'c3', 'c4', 'c5'], 'review county 63, incl. the pharmacist routed by home')
    t.same(await cases({ kind: 'county', county: '65' }), ['c3'], 'copied county reads the copied case')
    t.same(await cases({ kind: 'county', county: '64' }), ['c2'])
    t.same(await cases({ kind: 'county', county: '64' }, { nationalId: P1.nationalId }), [], 'a filter never widens the scope')
    t.equal(await getCase(rm, { kind: 'county', county: '63' }, 'c2'), undefined, 'another county: the case does not exist')
    t.equal((await getCase(rm, { kind: 'county', county: '64' }, 'c2'))?.status, 'under_review')
    const c4row = await getCase(rm, national, 'c4')
    t.match(c4row, { status: 'cancelled', applicationType: 'cancel', inForce: true, inForceFrom: '2024-03-01', inForceTo: '2024-03-14', approvalNumber: 'D004' })
    const c3row = (await getCase(rm, national, 'c3'))!
    t.match(c3row, { reviewCounty: '63', copiedCounties: ['65'], weekdayMask: '0000100', earliestStart: '09:00', latestEnd: '12:00', supportedDistrict: '板橋區' })
    t.same(await countCasesByStatus(rm, { kind: 'institution', code: H1.code }), { draft: 1, under_review: 0, approved: 2, rejected: 0, returned: 0, withdrawn: 0, cancelled: 0 })
  })

  t.test('occurrences', async (t) => {
    const all = await listOccurrences(rm, national, {})
    t.equal(all.filter((o) => o.caseId === 'c4').length, 2, 'cancelled from 03-15: only the Thursdays before remain (03-07, 03-14)')
    t.equal(all.filter((o) => o.caseId === 'c5').length, 0, 'drafts have no occurrences')
    t.ok(all.filter((o) => o.caseId === 'c2').every((o) => o.state === 'pending'))
    t.same(ids(await listOccurrences(rm, { kind: 'county', county: '64' })), ['c2'])
    t.same(ids(await listOccurrences(rm, { kind: 'professional', nationalId: P1.nationalId })), ['c1'])
    t.same(ids(await listOccurrences(rm, { kind: 'institution', code: S3.code })), ['c3'])
    const cal = await monthCalendar(rm, { kind: 'professional', nationalId: P1.nationalId }, P1.nationalId, '2024-03')
    t.equal(cal.length, 8, 'Mondays and Wednesdays of March 2024')
    t.same(await monthCalendar(rm, { kind: 'professional', nationalId: P2.nationalId }, P1.nationalId, '2024-03'), [], 'another professional sees nothing')
  })

  t.test('institution dashboard and rosters', async (t) => {
    const d = await dashboardCounts(rm, { kind: 'institution', code: S1.code }, S1.code, '2024-03-10')
    t.match(d.asSupported, { approved: 1, cancelled: 1, draft: 1 })
    t.equal(d.validSupportPeople, 2, 'P1 and P4 (cancelled from 03-15) in force on 03-10')
    t.equal(d.validSupportRecords, (await validSupportRoster(rm, { kind: 'institution', code: S1.code }, S1.code, '2024-03-10')).length)
    const viaOther = await dashboardCounts(rm, { kind: 'institution', code: H2.code }, S1.code, '2024-03-10')
    t.match(viaOther.asSupported, { approved: 0, cancelled: 1, draft: 0 }, 'counted through another institution only its own cases')
    t.same(ids(await validSupportRoster(rm, { kind: 'institution', code: S1.code }, S1.code, '2024-03-20')), ['c1'])
    t.same(ids(await othersSupportingUs(rm, { kind: 'institution', code: S1.code }, S1.code)), ['c1', 'c4', 'c5'])
    t.same(ids(await ourStaffSupportingOthers(rm, { kind: 'institution', code: H1.code }, H1.code)), ['c1', 'c3', 'c5'])
    t.same(ids(await othersSupportingUs(rm, { kind: 'county', county: '64' }, S1.code)), [], 'county 64 sees none of S1')
    t.same(ids(await ourStaffSupportingOthers(rm, { kind: 'professional', nationalId: P3.nationalId }, H1.code)), ['c3'])
  })

  t.test('quota ledger', async (t) => {
    const weeks = await professionalQuota(rm, national, P1.nationalId, { periodKind: 'week' })
    const w = weeks.find((x) => x.period === '2024-W10')!
    t.match(w, { approvedSessions: 4, approvedHours: 8, pendingSessions: 0 }, '2 × 4 h = 2 × 2 sessions (3 h each, rounded up)')
    const months = await professionalQuota(rm, national, P2.nationalId, { periodKind: 'month' })
    t.same(months.map((m) => [m.period, m.pendingSessions, m.pendingHours, m.approvedSessions]), [['2024-03', 8, 18, 0]], '4 Tuesdays × 4.5 h')
    t.same(await professionalQuota(rm, { kind: 'professional', nationalId: P2.nationalId }, P1.nationalId, { periodKind: 'week' }), [])
    t.same((await professionalQuota(rm, { kind: 'county', county: '64' }, undefined, { periodKind: 'month' })).map((r) => r.key), [P2.nationalId])
    const inst = await institutionQuota(rm, { kind: 'institution', code: S1.code }, S1.code, { periodKind: 'month', fromPeriod: '2024-03', toPeriod: '2024-03' })
    t.equal(inst[0]!.approvedSessions, 8 * 2 + 2 * 1, 'c1: 8 × 2 sessions; c4: 2 × 1 session')
  })

  t.test('statistics', async (t) => {
    const all = await statistics(rm, national, { groupBy: ['county'] })
    const c63 = all.find((r) => r.group.county === '63')!
    // c1, c3 (routed by home), c4: 3 registrations + c4's cancellation filed; 3 approvals, 1 cancellation decided
    t.match(c63, { filed: 4, approved: 3, cancelled: 1, rejected: 0, reviewCount: 4 })
    t.equal(c63.reviewDaysMedian, 1, 'median review time: 1 whole day')
    t.same((await statistics(rm, { kind: 'county', county: '64' }, { groupBy: ['county'] })).map((r) => [r.group.county, r.filed, r.approved]), [['64', 1, 0]])
    t.same((await statistics(rm, { kind: 'county', county: '65' }, { groupBy: ['profession'] })).map((r) => r.group.profession), ['D'], 'copied county sees the copied case only')
    t.same((await statistics(rm, { kind: 'professional', nationalId: P2.nationalId }, { groupBy: [] })).map((r) => r.filed), [1])
  })

  t.test('case history', async (t) => {
    const h = await caseHistory(rm, national, 'c4')
    t.same(h.map((e) => e.type), ['ReportDrafted', 'ReportSubmitted', 'ReportApproved', 'CancellationRequested', 'CancellationApproved'])
    t.match(h[2], { actor: { role: 'reviewer', id: 'R63', via: 'staff-card' }, summary: /核准登錄，核准文號 A004/ })
    t.same(await caseHistory(rm, { kind: 'county', county: '64' }, 'c4'), [], 'another county: no history')
    t.same(await caseHistory(rm, { kind: 'professional', nationalId: P1.nationalId }, 'c4'), [])
  })

  t.test('every query, every scope: exactly the rows of the cases the scope may see', async (t) => {
    // who may see which case, from the fixtures alone (not from the read model): the applicant, the home and the
    // supported institution, the review county and the copied counties
    const builders = [c1, c2, c3, c4, c5]
    const who = new Map(builders.map((b) => [b.caseId, {
      nationalId: b.applicantSnapshot.nationalId,
      institutions: [b.applicantSnapshot.home.code, b.currentTerms.supported.code],
      counties: [b.routing.reviewCounty, ...b.routing.copiedCounties],
    }]))
    const sees = (s: Scope, caseId: string) => {
      const w = who.get(caseId)!
      return s.kind === 'national' || (s.kind === 'professional' && w.nationalId === s.nationalId) ||
        (s.kind === 'institution' && w.institutions.includes(s.code)) || (s.kind === 'county' && w.counties.includes(s.county))
    }
    const scopes: Scope[] = [
      national,
      ...[P1, P2, P3, P4, P5].map((p): Scope => ({ kind: 'professional', nationalId: p.nationalId })),
      ...[H1, H2, S1, S2, S3].map((i): Scope => ({ kind: 'institution', code: i.code })),
      ...['63', '64', '65', '66'].map((c): Scope => ({ kind: 'county', county: c })),
    ]
    const allCases = (await searchCases(rm, national, {}, { pageSize: 100 })).rows
    const allOcc = await listOccurrences(rm, national, {})
    const people = [P1, P2, P3, P4, P5]
    const codes = [H1, H2, S1, S2, S3].map((i) => i.code)
    const label = (s: Scope) => JSON.stringify(s)
    for (const s of scopes) {
      const visible = allCases.filter((c) => sees(s, c.caseId))
      const vIds = ids(visible)
      t.same(await cases(s), vIds, `searchCases ${label(s)}`)
      t.equal(await countCases(rm, s), vIds.length, `countCases ${label(s)}`)
      if (vIds.length >= 2) {
        // a page of one with the count stopped below, at, and above the matches
        const capped = await searchCases(rm, s, {}, { pageSize: 1, countUpTo: vIds.length - 1 })
        t.same([capped.total, capped.totalCapped, capped.rows.length], [vIds.length - 1, true, 1], `count stopped below the matches ${label(s)}`)
        for (const upTo of [vIds.length, vIds.length + 5]) {
          const exact = await searchCases(rm, s, {}, { pageSize: 1, countUpTo: upTo })
          t.same([exact.total, exact.totalCapped], [vIds.length, undefined], `count up to ${upTo}: exact ${label(s)}`)
        }
        t.equal(await countCases(rm, s, {}, vIds.length - 2), vIds.length - 1, `countCases stops at upTo + 1 ${label(s)}`)
      }
      const byStatus = await countCasesByStatus(rm, s)
      t.equal(Object.values(byStatus).reduce((a, b) => a + b, 0), vIds.length, `countCasesByStatus ${label(s)}`)
      for (const c of allCases) t.equal((await getCase(rm, s, c.caseId))?.caseId, sees(s, c.caseId) ? c.caseId : undefined, `getCase ${c.caseId} ${label(s)}`)
      t.same(ids(await listOccurrences(rm, s, {})), ids(allOcc.filter((o) => sees(s, o.caseId))), `listOccurrences ${label(s)}`)
      for (const p of people) {
        const cal = await monthCalendar(rm, s, p.nationalId, '2024-03')
        t.ok(cal.every((o) => sees(s, o.caseId)), `monthCalendar of ${p.nationalId} ${label(s)}`)
      }
      for (const c of allCases) t.equal((await caseHistory(rm, s, c.caseId)).length > 0, sees(s, c.caseId), `caseHistory ${c.caseId} ${label(s)}`)
      for (const code of codes) {
        for (const [name, f] of [['othersSupportingUs', othersSupportingUs], ['ourStaffSupportingOthers', ourStaffSupportingOthers]] as const) {
          const want = ids((await f(rm, national, code)).filter((r) => sees(s, r.caseId)))
          t.same(ids(await f(rm, s, code)), want, `${name} ${code} ${label(s)}`)
        }
        const rosterAll = (await validSupportRoster(rm, national, code, '2024-03-10')).filter((r) => sees(s, r.caseId))
        t.same(ids(await validSupportRoster(rm, s, code, '2024-03-10')), ids(rosterAll), `validSupportRoster ${code} ${label(s)}`)
        const d = await dashboardCounts(rm, s, code, '2024-03-10')
        const count = (side: 'homeCode' | 'supportedCode') => {
          const out: Record<string, number> = { draft: 0, under_review: 0, approved: 0, rejected: 0, returned: 0, withdrawn: 0, cancelled: 0 }
          for (const c of visible) if (c[side] === code) out[c.status]!++
          return out
        }
        t.same(d.asHome, count('homeCode'), `dashboardCounts asHome ${code} ${label(s)}`)
        t.same(d.asSupported, count('supportedCode'), `dashboardCounts asSupported ${code} ${label(s)}`)
        t.equal(d.validSupportPeople, new Set(rosterAll.map((r) => r.nationalId)).size, `dashboardCounts people ${code} ${label(s)}`)
        t.equal(d.validSupportRecords, rosterAll.length, `dashboardCounts records = the roster's length ${code} ${label(s)}`)
      }
      // quota: each person's cases here share one visibility, so a scoped ledger is the national one of the people it sees
      const seenPeople = new Set(visible.map((c) => c.nationalId))
      const ledger = (rows: { key: string; period: string; approvedSessions: number; pendingSessions: number }[]) =>
        rows.map((r) => [r.key, r.period, r.approvedSessions, r.pendingSessions])
      t.same(ledger(await professionalQuota(rm, s, undefined, { periodKind: 'month' })),
        ledger((await professionalQuota(rm, national, undefined, { periodKind: 'month' })).filter((r) => seenPeople.has(r.key))), `professionalQuota ${label(s)}`)
      const instAll = await institutionQuota(rm, national, undefined, { periodKind: 'month' })
      const instScoped = await institutionQuota(rm, s, undefined, { periodKind: 'month' })
      const seenSupported = new Set(visible.map((c) => c.supportedCode))
      t.ok(instScoped.every((r) => seenSupported.has(r.key) && r.approvedSessions + r.pendingSessions <=
        instAll.filter((a) => a.key === r.key && a.period === r.period).reduce((n, a) => n + a.approvedSessions + a.pendingSessions, 0)), `institutionQuota ${label(s)}`)
      // statistics: among filed cases, (home, supported) identifies one visibility in these fixtures
      const pairs = new Set(visible.filter((c) => c.submittedAt).map((c) => `${c.homeCode}|${c.supportedCode}`))
      const stat = (rows: Awaited<ReturnType<typeof statistics>>) => rows.map((r) => [r.group.homeInstitution, r.group.institution, r.filed, r.approved, r.cancelled])
      t.same(stat(await statistics(rm, s, { groupBy: ['homeInstitution', 'institution'] })),
        stat((await statistics(rm, national, { groupBy: ['homeInstitution', 'institution'] })).filter((r) => pairs.has(`${r.group.homeInstitution}|${r.group.institution}`))), `statistics ${label(s)}`)
    }
  })

  t.test('terms diff in history after a change', async (t) => {
    const t6 = terms(S2, weekly('2024-06-01', '2024-06-30', [1], [['08:00', '12:00']]))
    const c6 = new CaseBuilder('c6', P2, t6, routingFor(t6), '2024-05-01T00:00:00.000Z').draft().submit('11305010000001').approve('A006')
      .requestChange(terms(S2, weekly('2024-06-01', '2024-06-30', [1, 5], [['09:00', '12:00']]))).approveChange('C006')
    const pos = await appendCases(env.store, [c6])
    t.ok(await runner.waitFor(pos, ['history', 'cases', 'occurrences'], 10_000))
    const h = await caseHistory(rm, { kind: 'professional', nationalId: P2.nationalId }, 'c6')
    const change = h.find((e) => e.type === 'ChangeRequested')!
    t.same(change.diff.map((d) => [d.label, d.old, d.new]), [['支援星期', '星期一', '星期一、星期五'], ['支援時段', '0800–1200', '0900–1200']])
    const occ = await listOccurrences(rm, national, { nationalId: P2.nationalId, from: '2024-06-01', to: '2024-06-30' })
    t.equal(occ.length, 4 + 4, 'replaced by the new terms (4 Mondays + 4 Fridays)')
    t.ok(occ.every((o) => o.start === '09:00'))
  })

  t.test('time travel folds the log up to the instant', async (t) => {
    const events = await env.store.readStream(reportStream('c4'))
    const approvedAt = events[2]!.recordedAt
    const before = await caseAsOf(env.store, 'c4', new Date(events[0]!.recordedAt.getTime() - 1))
    t.equal(before.exists, false, 'nothing before the first event')
    const asOfApproval = await caseAsOf(env.store, 'c4', approvedAt)
    t.match(asOfApproval, { exists: true, version: 3 })
    const now = await caseAsOf(env.store, 'c4', new Date())
    t.match(now, { status: 'cancelled', cancelledFrom: '2024-03-15' })
    const nowish = new Date()
    const sup = await validSupportsAsOf(env.store, S1.code, nowish, { day: '2024-03-10' })
    t.same(sup.map((s) => s.caseId).sort(), ['c1', 'c4'])
    t.equal(sup.find((s) => s.caseId === 'c4')?.to, '2024-03-14')
    t.same((await validSupportsAsOf(env.store, S1.code, nowish, { day: '2024-03-20' })).map((s) => s.caseId), ['c1'], 'cancelled from 03-15')
    // as known before the cancellation was approved, c4 was still valid on 03-20
    const cancelRecorded = events[4]!.recordedAt
    const known = await validSupportsAsOf(env.store, S1.code, new Date(cancelRecorded.getTime() - 1), { day: '2024-03-20' })
    t.same(known.map((s) => s.caseId).sort(), ['c1', 'c4'])
    t.same((await validSupportsAsOf(env.store, H1.code, nowish, { day: '2024-04-05' })).map((s) => [s.caseId, s.direction]), [['c3', 'outgoing']])
    const first = (await env.store.readStream(reportStream('c1')))[0]!.recordedAt
    t.same(await validSupportsAsOf(env.store, S1.code, new Date(first.getTime() - 1), { day: '2024-03-10' }), [], 'nothing known before the log')
  })
})

t.test('reviewer search: every filter, paging and sorting agree with the rows themselves', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [PROJECTIONS[0]!] })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  const r = rng(99)
  const last = await appendCases(env.store, Array.from({ length: 120 }, (_, i) => randomCase(r, i)))
  t.ok(await runner.waitFor(last, ['cases'], 20_000))
  const all = (await searchCases(rm, { kind: 'national' }, {}, { pageSize: 500 })).rows
  t.equal(all.length, 120)
  const sample = all.find((x) => x.status === 'approved' && x.submittedAt)!
  const day = (iso: string | null) => (iso ? new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10) : null)
  const checks: [string, CaseFilter, (c: CaseRow) => boolean][] = [
    ['nationalId', { nationalId: sample.nationalId }, (c) => c.nationalId === sample.nationalId],
    ['name', { name: sample.applicantName.slice(1) }, (c) => c.applicantName.includes(sample.applicantName.slice(1))],
    ['applying institution name', { applyingInstitutionName: sample.homeName }, (c) => c.homeName.includes(sample.homeName)],
    ['submitted range', { submittedFrom: '2024-02-05', submittedTo: '2024-02-10' }, (c) => !!c.submittedAt && day(c.submittedAt)! >= '2024-02-05' && day(c.submittedAt)! <= '2024-02-10'],
    ['case number', { caseNumber: sample.caseNumber! }, (c) => c.caseNumber === sample.caseNumber],
    ['supported code', { supportedCode: sample.supportedCode }, (c) => c.supportedCode === sample.supportedCode],
    ['support range', { supportFrom: '2024-05-10', supportTo: '2024-06-10' }, (c) => !!c.scheduleFrom && c.scheduleTo! >= '2024-05-10' && c.scheduleFrom <= '2024-06-10'],
    ['start time', { startTime: '09:00' }, (c) => !!c.earliestStart && c.earliestStart >= '09:00'],
    ['end time', { endTime: '12:00' }, (c) => !!c.latestEnd && c.latestEnd <= '12:00'],
    ['weekday', { weekday: 3 }, (c) => c.weekdayMask[2] === '1'],
    ['county', { county: '64' }, (c) => c.supportedCounty === '64'],
    ['profession', { profession: ['D', 'F'] }, (c) => c.profession === 'D' || c.profession === 'F'],
    ['approved range', { approvedFrom: '2024-02-10', approvedTo: '2024-02-20' }, (c) => !!c.approvedAt && day(c.approvedAt)! >= '2024-02-10' && day(c.approvedAt)! <= '2024-02-20'],
    ['application type', { applicationType: 'change' }, (c) => c.applicationType === 'change'],
    ['status', { status: ['returned', 'rejected'] }, (c) => c.status === 'returned' || c.status === 'rejected'],
    ['source institution', { sourceInstitution: sample.homeCode }, (c) => c.homeCode === sample.homeCode],
    ['combined', { county: sample.supportedCounty, status: 'approved', weekday: 5 }, (c) => c.supportedCounty === sample.supportedCounty && c.status === 'approved' && c.weekdayMask[4] === '1'],
  ]
  for (const [label, filter, pred] of checks) {
    const want = all.filter(pred).map((c) => c.caseId).sort()
    const got = (await searchCases(rm, { kind: 'national' }, filter, { pageSize: 500 })).rows.map((c) => c.caseId).sort()
    t.same(got, want, `${label} (${want.length} rows)`)
    if (label !== 'combined') t.ok(want.length > 0 && want.length < all.length, `${label}: the filter actually discriminates`)
  }
  const district = await searchCases(rm, { kind: 'national' }, { county: '63', district: '不存在區' })
  t.equal(district.total, 0, 'district')
  // paging and sorting
  const p1 = await searchCases(rm, { kind: 'national' }, {}, { page: 1, pageSize: 50, sort: 'caseNumber', direction: 'asc' })
  const p3 = await searchCases(rm, { kind: 'national' }, {}, { page: 3, pageSize: 50, sort: 'caseNumber', direction: 'asc' })
  t.equal(p1.total, 120)
  t.equal(p1.rows.length, 50)
  t.equal(p3.rows.length, 20)
  const numbers = p1.rows.map((x) => x.caseNumber).filter((x) => x !== null)
  t.same(numbers, [...numbers].sort(), 'sorted by case number')
  t.equal(new Set([...p1.rows, ...p3.rows].map((x) => x.caseId)).size, 70, 'pages do not overlap')
  // the total: counted for a full page, read off a partial one, counted again past the end
  t.equal(p3.total, 120, 'partial last page')
  t.same([(await searchCases(rm, { kind: 'national' }, {}, { page: 2, pageSize: 60 })).total, (await searchCases(rm, { kind: 'national' }, {}, { page: 4, pageSize: 50 })).total], [120, 120], 'full last page, page past the end')
  const few = await searchCases(rm, { kind: 'national' }, { nationalId: sample.nationalId })
  t.equal(few.total, all.filter((c) => c.nationalId === sample.nationalId).length, 'one partial first page')
  t.same((await searchCases(rm, { kind: 'national' }, { caseNumber: '00000000000000' })), { rows: [], total: 0, page: 1, pageSize: 20 }, 'nothing found')
  // descending sorts keep cases without the value (drafts: no submission, no approval, no case number) last
  for (const sort of ['submittedAt', 'approvedAt', 'caseNumber', 'scheduleFrom', 'updatedAt'] as const) {
    const rows = (await searchCases(rm, { kind: 'national' }, {}, { sort, pageSize: 500 })).rows
    const key = { submittedAt: 'submittedAt', approvedAt: 'approvedAt', caseNumber: 'caseNumber', scheduleFrom: 'scheduleFrom', updatedAt: 'updatedAt' }[sort] as keyof CaseRow
    const vals = rows.map((r) => r[key] as string | null)
    const firstNull = vals.indexOf(null)
    t.ok(firstNull === -1 || vals.slice(firstNull).every((v) => v === null), `${sort} desc: nulls last`)
    const present = vals.filter((v): v is string => v !== null)
    t.same(present, [...present].sort().reverse(), `${sort} desc: ordered`)
  }
})
