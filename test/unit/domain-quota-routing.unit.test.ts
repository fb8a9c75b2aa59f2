import t from 'tap'
import { DEFAULT_QUOTA_RULES } from '../../domain/reference/quota-rules.js'
import { evaluateQuota, periodOf, ratioStandings, type QuotaRuleTable } from '../../domain/rules/quota.js'
import { rocPeriodLabel } from '../../domain/roc-date.js'
import { countyMayRead, routeReport } from '../../domain/rules/routing.js'
import { expandSchedule } from '../../domain/schedule.js'
import type { InstitutionRef } from '../../domain/types.js'

const week = (from: string, to: string, windows = [{ start: '08:00', end: '12:00' }]) =>
  expandSchedule({ kind: 'weekly', from, to, weekdays: [1, 2, 3, 4, 5], windows })

const cap: QuotaRuleTable = {
  version: 'test.1',
  rules: [{ id: 'wk', kind: 'cap', label: '每週 8 診', basis: 'configured', enforcement: 'block', scope: { professions: ['A'], supportedKinds: [], counties: [] }, period: 'week', unit: 'sessions', limit: 8 }],
}

t.test('cap per ISO week with numbers', async (t) => {
  // proposed: Mon–Fri 08–12 = 2 sessions a day = 10 in 2024-W10 → over 8
  const f = evaluateQuota(cap, { profession: 'A', county: '63', existing: [], proposed: week('2024-03-04', '2024-03-08') })
  t.same(f, [{ ruleId: 'wk', ruleVersion: 'test.1', label: '每週 8 診', basis: 'configured', enforcement: 'block', unit: 'sessions', period: '2024-W10', used: 0, proposed: 10, limit: 8, over: true }])
  const g = evaluateQuota(cap, { profession: 'A', county: '63', existing: week('2024-03-04', '2024-03-05'), proposed: week('2024-03-06', '2024-03-07', [{ start: '08:00', end: '11:00' }]) })
  t.match(g, [{ period: '2024-W10', used: 4, proposed: 2, over: false }])
  const h = evaluateQuota(cap, { profession: 'A', county: '63', existing: week('2024-03-04', '2024-03-06'), proposed: week('2024-03-07', '2024-03-07') })
  t.match(h, [{ used: 6, proposed: 2, limit: 8, over: false }], 'exactly at the limit is not over')
  t.same(evaluateQuota(cap, { profession: 'D', county: '63', existing: [], proposed: week('2024-03-04', '2024-03-08') }), [], 'out of scope')
  const twoWeeks = evaluateQuota(cap, { profession: 'A', county: '63', existing: week('2024-03-11', '2024-03-15'), proposed: [...week('2024-03-08', '2024-03-08'), ...week('2024-03-11', '2024-03-11')] })
  t.same(twoWeeks.map((x) => [x.period, x.used, x.proposed, x.over]), [['2024-W10', 0, 2, false], ['2024-W11', 10, 2, true]])
})

t.test('scope by supported kind and county', async (t) => {
  const table: QuotaRuleTable = { version: 'v', rules: [{ ...cap.rules[0]!, scope: { professions: [], supportedKinds: ['clinic'], counties: ['65'] } }] }
  t.equal(evaluateQuota(table, { profession: 'F', supportedKind: 'clinic', county: '65', existing: [], proposed: week('2024-03-04', '2024-03-04') }).length, 1)
  t.equal(evaluateQuota(table, { profession: 'F', supportedKind: 'clinic', county: '63', existing: [], proposed: week('2024-03-04', '2024-03-04') }).length, 0)
  t.equal(evaluateQuota(table, { profession: 'F', county: '65', existing: [], proposed: week('2024-03-04', '2024-03-04') }).length, 0, 'unknown kind is out of a kind-scoped rule')
})

t.test('monthly hours and the default table (proposals that only warn)', async (t) => {
  t.equal(DEFAULT_QUOTA_RULES.version, '2024.1')
  t.ok(DEFAULT_QUOTA_RULES.rules.every((r) => r.basis !== 'law' && r.enforcement === 'warn' && r.label.length > 0), 'no invented law')
  const f = evaluateQuota(DEFAULT_QUOTA_RULES, { profession: 'D', supportedKind: 'pharmacy', county: '63', existing: week('2024-03-04', '2024-03-07'), proposed: week('2024-03-08', '2024-03-08') })
  t.match(f, [
    { ruleId: 'pharmacist-weekly-hours', period: '2024-W10', unit: 'hours', used: 16, proposed: 4, limit: 16, over: true, enforcement: 'warn' },
    { ruleId: 'monthly-hours', period: '2024-03', used: 16, proposed: 4, over: false },
  ])
})

t.test('ratio rules against the supported clinic’s staffing', async (t) => {
  const input = { profession: 'A', supportedKind: 'clinic' as const, county: '63', existing: [], proposed: week('2024-03-04', '2024-03-04') }
  const unknown = evaluateQuota(DEFAULT_QUOTA_RULES, input).filter((x) => x.unit === 'ratio')
  t.match(unknown, [
    { ruleId: 'clinic-support-session-share', staffingUnknown: true, over: false },
    { ruleId: 'clinic-supporting-physicians', staffingUnknown: true, over: false },
  ])
  const known = evaluateQuota(DEFAULT_QUOTA_RULES, { ...input, staffing: { ownPhysicians: 1, weeklySessions: 12, supportSessionsByPeriod: { '2024-W10': 3 }, supportersByPeriod: { '2024-03': 2 } } }).filter((x) => x.unit === 'ratio')
  t.match(known, [
    { ruleId: 'clinic-support-session-share', period: '2024-W10', used: 3, proposed: 2, limit: 4.8, over: true },
    { ruleId: 'clinic-supporting-physicians', period: '2024-03', used: 2, proposed: 1, limit: 2, over: true },
  ])
  t.notOk(known.some((x) => x.staffingUnknown))
})

const inst = (code: string, county: string): InstitutionRef => ({ code, name: code, county })

t.test('routing per profession', async (t) => {
  const home = inst('0163010001', '63')
  t.same(routeReport({ profession: 'A', home }, inst('3565010003', '65')), { reviewCounty: '65', copiedCounties: [] })
  t.same(routeReport({ profession: 'F', home }, inst('3563020002', '63')), { reviewCounty: '63', copiedCounties: [] })
  t.same(routeReport({ profession: 'D', home }, inst('5965040006', '65')), { reviewCounty: '63', copiedCounties: ['65'] })
  t.same(routeReport({ profession: 'E', home }, inst('5963030005', '63')), { reviewCounty: '63', copiedCounties: [] })
  t.same(routeReport({ profession: 'A', home }, inst('3565010003', '65'), { default: 'home', byProfession: {} }), { reviewCounty: '63', copiedCounties: ['65'] })
  t.ok(countyMayRead({ reviewCounty: '63', copiedCounties: ['65'] }, '65'))
  t.notOk(countyMayRead({ reviewCounty: '63', copiedCounties: ['65'] }, '68'))
})

t.test('the default rules say what their week is in zh-TW (週一至週日, the week periodOf counts), never ISO', async (t) => {
  for (const r of DEFAULT_QUOTA_RULES.rules) {
    t.notMatch(r.label, /ISO|W\d{2}/, `${r.id}: no ISO week on any screen`)
    if (r.period === 'week') t.match(r.label, '每週（週一至週日）', `${r.id}: the week said as it is counted`)
  }
  // the week the rules count runs Monday to Sunday: 2026-11-30 (Mon) … 2026-12-06 (Sun) is one period, 民國115年第49週
  t.equal(periodOf('week', '2026-11-30'), periodOf('week', '2026-12-06'))
  t.not(periodOf('week', '2026-11-29'), periodOf('week', '2026-11-30'), 'a Sunday closes the week before')
  t.equal(rocPeriodLabel(periodOf('week', '2026-12-01')), '115年第49週')
})

t.test('ratioStandings: an institution against its ratio rules, the same limits a filing is judged by', async (t) => {
  const staffing = { ownPhysicians: 1, weeklySessions: 12, supportSessionsByPeriod: { '2024-W10': 8 }, supportersByPeriod: { '2024-03': 3 } }
  const s = ratioStandings(DEFAULT_QUOTA_RULES, { supportedKind: 'clinic', county: '63' }, () => staffing, { week: ['2024-W09', '2024-W10'], month: ['2024-03'] })
  t.same(s.map((x) => [x.ruleId, x.period, x.current, x.limit, x.excess, x.over, x.unit]), [
    ['clinic-support-session-share', '2024-W09', 0, 4.8, 0, false, '診'],
    ['clinic-support-session-share', '2024-W10', 8, 4.8, 3.2, true, '診'],
    ['clinic-supporting-physicians', '2024-03', 3, 2, 1, true, '人'],
  ])
  // the filing check's limit for the same staffing is the same number
  const f = evaluateQuota(DEFAULT_QUOTA_RULES, { profession: 'A', supportedKind: 'clinic', county: '63', existing: [], proposed: week('2024-03-04', '2024-03-04'), staffing })
  t.equal(f.find((x) => x.ruleId === 'clinic-support-session-share')!.limit, 4.8)
  t.equal(f.find((x) => x.ruleId === 'clinic-supporting-physicians')!.limit, 2)
  const unknown = ratioStandings(DEFAULT_QUOTA_RULES, { supportedKind: 'clinic', county: '63' }, () => ({}), { week: ['2024-W10'], month: ['2024-03'] })
  t.ok(unknown.every((x) => x.limit === undefined && x.excess === undefined && !x.over), 'staffing not on file: no limit, never 0')
  t.same(ratioStandings(DEFAULT_QUOTA_RULES, { supportedKind: 'regional_hospital', county: '63' }, () => staffing, { week: ['2024-W10'], month: ['2024-03'] }), [], 'no ratio rule covers a hospital')
})
