// Quota findings on a case, summarised for a reviewer: one line per rule with within/over and the numbers of the
// busiest period, the rule table's version, ROC periods, and 「未設定上限（預設值）」 where a limit could not be
// computed — never 「上限 0」.
import t from 'tap'
import { DEFAULT_QUOTA_RULES } from '../../domain/reference/quota-rules.js'
import { evaluateQuota } from '../../domain/rules/quota.js'
import { expandSchedule } from '../../domain/schedule.js'
import type { QuotaFinding } from '../../domain/types.js'
import { summarizeQuota, UNKNOWN_LIMIT } from '../../http/back-office/quota-summary.js'
import { rocPeriodLabel as rocPeriod } from '../../domain/roc-date.js'

t.test('ROC periods', async (t) => {
  t.equal(rocPeriod('2024-W09'), '113年第9週')
  t.equal(rocPeriod('2024-03'), '113年3月')
  t.equal(rocPeriod('x'), 'x')
})

// a physician at a clinic (staffing unknown) for five weeks, two 4-hour windows a week (2 sessions each)
const proposed = expandSchedule({ kind: 'weekly', from: '2024-03-04', to: '2024-04-05', weekdays: [1, 4], windows: [{ start: '08:00', end: '12:00' }] })
const findings = evaluateQuota(DEFAULT_QUOTA_RULES, { profession: 'A', supportedKind: 'clinic', county: '63', existing: [], proposed })

t.test('a long list becomes one line per rule; unknown staffing is not a limit of 0', async (t) => {
  t.ok(findings.length > 10, `the raw list is long (${findings.length} lines)`)
  const s = summarizeQuota(findings)
  t.equal(s.rules.length, 4, 'four rules apply to a physician at a clinic')
  t.same(s.ruleVersions, ['2024.1'])
  t.equal(s.headline, `額度檢核（規則版本 2024.1）：2 項在上限內，2 項${UNKNOWN_LIMIT}`)
  const weekly = s.rules.find((r) => r.ruleId === 'physician-weekly-sessions')!
  t.equal(weekly.state, 'within')
  t.equal(weekly.stateLabel, '在上限內')
  t.match(weekly.text, /^共 5 週皆在上限內；最高 113年第\d+週 已用 0＋本案 4＝4／上限 8 診$/)
  const monthly = s.rules.find((r) => r.ruleId === 'monthly-hours')!
  t.match(monthly.text, '共 2 個月皆在上限內')
  t.match(monthly.text, '／上限 120 小時')
  for (const id of ['clinic-support-session-share', 'clinic-supporting-physicians']) {
    const r = s.rules.find((x) => x.ruleId === id)!
    t.equal(r.state, 'unknown')
    t.equal(r.stateLabel, UNKNOWN_LIMIT)
    t.match(r.text, '人力資料未登錄')
    t.ok(r.periods.every((p) => p.limit === UNKNOWN_LIMIT), `${id}: every period says ${UNKNOWN_LIMIT}`)
  }
  const all = JSON.stringify(s)
  t.notMatch(all, '上限 0', 'no 「上限 0」 anywhere')
  t.notMatch(all, /\d{4}-W\d{2}|\d{4}-\d{2}\b/, 'no Gregorian period ids')
})

t.test('over: the periods over and the busiest one, labelled by enforcement', async (t) => {
  const existing = expandSchedule({ kind: 'weekly', from: '2024-03-04', to: '2024-03-17', weekdays: [2, 3, 5], windows: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }] })
  const over = evaluateQuota(DEFAULT_QUOTA_RULES, { profession: 'A', supportedKind: 'clinic', county: '63', existing, proposed })
  const s = summarizeQuota(over)
  const weekly = s.rules.find((r) => r.ruleId === 'physician-weekly-sessions')!
  t.equal(weekly.state, 'over')
  t.equal(weekly.stateLabel, '超過建議值', 'a warning rule is over its proposal, not a legal limit')
  t.match(weekly.text, /^2／5 週超過：113年第10週、113年第11週；最高 113年第1[01]週 已用 12＋本案 4＝16／上限 8 診$/)
  t.match(s.headline, '1 項超過建議值')
  t.equal(s.over, 1)
  const blocking: QuotaFinding[] = over.map((f) => ({ ...f, enforcement: 'block' as const }))
  t.equal(summarizeQuota(blocking).rules.find((r) => r.ruleId === 'physician-weekly-sessions')!.stateLabel, '超過上限')
})

t.test('no findings', async (t) => {
  t.equal(summarizeQuota([]).headline, '額度檢核（無適用規則）：無適用的額度規則')
})
