// 額度限制查詢 by institution (issue #16 "額度限制查詢 shows limits and excess"): beside the support it receives, a
// clinic's ratio rules with their numbers — the limit its registry staffing sets, what it receives now (support
// sessions, supporting physicians), the excess — equal to what a filing at the clinic is judged by (the domain's
// evaluateQuota through the preview), periods in ROC words.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp, login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor, Schedule } from '../../domain/types.js'

const { app, parts } = await buildTestApp(t) // 2024-02-20 10:00 Taipei (2024-W08)
const tpe = await login(app, { actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }, name: '周文華' } satisfies SessionUser)
const CLINIC = '3563020002' // 仁愛家醫診所: 1 own physician, 12 sessions a week (demo registry)
const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
const weekly = (from: string, to: string, weekdays: (1 | 2 | 3 | 4 | 5)[]): Schedule => ({ kind: 'weekly', from, to, weekdays, windows: [{ start: '08:00', end: '12:00' }] })
async function file(applicantId: string, home: string, schedule: Schedule, department = '02') {
  const o = await parts.reports.file({ applicantId, terms: { supportedCode: CLINIC, department, purpose: '01', schedule } }, { commandId: randomUUID(), actor: pro(applicantId, home) })
  await parts.waitFor(o.position)
}
// three physicians support the clinic in March 2024 (pending: they count, as for a filing); a nurse does too (not counted)
await file('A123456789', '0163010001', weekly('2024-03-04', '2024-03-29', [1, 3])) // 2 × 2 sessions a week
await file('Q134567894', '0163010001', weekly('2024-03-05', '2024-03-29', [2, 4]))
await file('F122334458', '0165020004', weekly('2024-03-18', '2024-03-22', [5]))
await file('A212345679', '0163010001', { kind: 'sessions', sessions: [{ date: '2024-03-06', start: '13:00', end: '17:00' }] }, '00')

const page = async (q: string) => (await app.inject({ url: `/review/quota?${q}`, headers: { cookie: tpe.cookie } })).body
const rowOf = (body: string, rule: string, period: string) => {
  const table = new RegExp(`<table class="dense ratio-table" data-rule="${rule}">[\\s\\S]*?</table>`).exec(body)?.[0] ?? ''
  const row = new RegExp(`<tr data-period="${period}">[\\s\\S]*?</tr>`).exec(table)?.[0] ?? ''
  const cell = (f: string) => new RegExp(`data-f="${f}"[^>]*>([^<]*)<`).exec(row)?.[1]
  return { row, current: cell('current'), limit: cell('limit'), excess: cell('excess') }
}

t.test('a clinic: its ratio rules with limit, current and excess, as a filing there is judged', async (t) => {
  const body = await page(`institution=${CLINIC}&period=week`)
  t.match(body, '比例上限：仁愛家醫診所（3563020002）')
  t.match(body, /專任醫師 <strong>1 人<\/strong>、每週總診次 <strong>12 診<\/strong>/, 'the registry staffing the limits come from')
  // what the domain computes for a physician filing there (another physician, nothing of their own at the clinic)
  const preview = await parts.reports.preview('A123456789', { supportedCode: CLINIC, department: '02', purpose: '01', schedule: { kind: 'sessions', sessions: [{ date: '2024-03-07', start: '13:00', end: '17:00' }] } }, pro('A123456789', '0163010001'))
  const share = preview.quota.find((q) => q.ruleId === 'clinic-support-session-share' && q.period === '2024-W10')!
  const people = preview.quota.find((q) => q.ruleId === 'clinic-supporting-physicians' && q.period === '2024-03')!
  t.equal(share.limit, 4.8, '40% of 12 sessions')
  t.equal(people.limit, 2, 'twice the one own physician')

  const w10 = rowOf(body, 'clinic-support-session-share', '2024-W10')
  t.match(w10.row, '<td class="nowrap">113年第10週</td>', 'the week in ROC words')
  t.equal(w10.limit, String(share.limit), 'the same limit as the filing check')
  // 王大明's and 劉冠宇's sessions (4 + 4): the preview of 王大明 counts only the others' (劉冠宇's 4)
  t.equal(w10.current, String(share.used + 4), 'all physicians\' support sessions that week (the nurse\'s not)')
  t.equal(w10.current, '8')
  t.equal(w10.excess, '超出 3.2 診', 'and the excess')
  const w08 = rowOf(body, 'clinic-support-session-share', '2024-W08')
  t.same([w08.current, w08.limit, w08.excess], ['0', '4.8', '—'], 'this week: nothing yet, within')
  const march = rowOf(body, 'clinic-supporting-physicians', '2024-03')
  t.match(march.row, '<td class="nowrap">113年3月</td>', 'the month in ROC words')
  t.same([march.current, march.limit, march.excess], ['3', String(people.limit), '超出 1 人'], 'three supporting physicians against a limit of 2')
  t.equal(Number(march.current), people.used + 1, 'the filing check counts the others (2) plus the applicant')
  t.notMatch(body, /2024-W\d\d<|>2024-0\d</, 'no ISO week or western month shown')
  t.match(body, '每週（週一至週日）', 'the rule says what its week is')
})

t.test('a hospital: no ratio rule covers it; an unknown code is said', async (t) => {
  const hospital = await page('institution=0163010001')
  t.match(hospital, '沒有適用於此機構的比例上限規則')
  t.notMatch(hospital, 'class="dense ratio-table"')
  const unknown = await page('institution=9999999999')
  t.match(unknown, '查無此醫事機構代碼')
  t.notMatch(unknown, 'id="ratio-rules"')
})
