// The clinic ratio rules of the quota table are judged against the supported clinic's staffing (registry) and the
// support OTHER people's reports already ask of it (occurrences read model): not "staffing unknown", not "used 0".
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp } from '../support/http.js'
import { sessionsOf } from '../../domain/schedule.js'
import type { Actor } from '../../domain/types.js'

const { parts } = await buildTestApp(t)
const reviewer: Actor = { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' }
const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
const meta = (actor: Actor) => ({ commandId: randomUUID(), actor })
const CLINIC = '3563020002' // 仁愛家醫診所: 1 own physician, 12 sessions a week (demo registry)

// 王大明 supports the clinic Mondays and Wednesdays 08:00–12:00 in March 2024 (approved)
const a = await parts.reports.file(
  { applicantId: 'A123456789', terms: { supportedCode: CLINIC, department: '02', purpose: '01', schedule: { kind: 'weekly', from: '2024-03-04', to: '2024-03-29', weekdays: [1, 3], windows: [{ start: '08:00', end: '12:00' }] } } },
  meta(pro('A123456789', '0163010001')),
)
const approved = await parts.reports.approve(a.caseId, {}, meta(reviewer))
// a nurse (吳佩珊) also supports the clinic that week: not a supporting physician
const nurse = await parts.reports.file(
  { applicantId: 'A212345679', terms: { supportedCode: CLINIC, department: '00', purpose: '08', schedule: { kind: 'sessions', sessions: [{ date: '2024-03-06', start: '13:00', end: '17:00' }] } } },
  meta({ role: 'institution', id: '0163010001', via: 'hca-institution-card', institutionCode: '0163010001' }),
)
await parts.waitFor(approved.position)
await parts.waitFor(nurse.position)

const proposal = { supportedCode: CLINIC, department: '04', purpose: '01', schedule: { kind: 'sessions' as const, sessions: [{ date: '2024-03-05', start: '13:00', end: '17:00' }] } }

t.test('another physician filing at the clinic sees its staffing and the support already there', async (t) => {
  const f = await parts.reports.preview('Q134567894', proposal, pro('Q134567894', '0163010001'))
  const share = f.quota.find((q) => q.ruleId === 'clinic-support-session-share' && q.period === '2024-W10')
  t.ok(share, 'the weekly session-share rule applies')
  t.notOk(share!.staffingUnknown, 'staffing known from the registry')
  t.equal(share!.limit, 4.8, '40% of the clinic\'s 12 weekly sessions')
  const wanted = sessionsOf({ date: '2024-03-04', start: '08:00', end: '12:00' }) * 2
  t.equal(share!.used, wanted, '王大明\'s two sessions that week are counted, the nurse\'s are not')
  const people = f.quota.find((q) => q.ruleId === 'clinic-supporting-physicians' && q.period === '2024-03')
  t.ok(people, 'the monthly supporters rule applies')
  t.notOk(people!.staffingUnknown)
  t.equal(people!.limit, 2, 'twice the clinic\'s one own physician')
  t.equal(people!.used, 1, 'one other physician supports it that month (the nurse is not counted)')
  t.equal(people!.over, false)
})

t.test('the applicant\'s own support is not counted against them as "others"', async (t) => {
  const f = await parts.reports.preview('A123456789', { ...proposal, schedule: { kind: 'sessions', sessions: [{ date: '2024-03-05', start: '13:00', end: '17:00' }] } }, pro('A123456789', '0163010001'))
  const people = f.quota.find((q) => q.ruleId === 'clinic-supporting-physicians' && q.period === '2024-03')
  t.equal(people!.used, 0)
  const share = f.quota.find((q) => q.ruleId === 'clinic-support-session-share' && q.period === '2024-W10')
  t.equal(share!.used, 0)
})
