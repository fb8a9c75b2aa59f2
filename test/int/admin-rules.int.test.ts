// 系統設定: rules as versioned data. The MOHW administrator publishes a quota table and a routing rule dated next
// month through the back office; a filing before the date is judged by the first version, one after it by the new
// one (recorded in the findings and shown on the case file); a version may not take effect in the past; the past
// decision is not re-judged; bureau administrators only read.
import { reportStream } from '../../domain/events.js'
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, followForm, form, login, professional, reviewer, type Login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import { DEFAULT_QUOTA_RULES } from '../../domain/reference/quota-rules.js'
import type { Actor, FilingFindings, Schedule } from '../../domain/types.js'

const { app, tdb, parts, clock } = await buildTestApp(t) // 2024-02-20 10:00 Taipei
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const bureauAdmin: SessionUser = { actor: { role: 'bureau_admin', id: 'TPE-A001', name: '陳建宏', via: 'staff-card', county: '63' }, name: '陳建宏' }
const eventCount = async () => Number((await tdb.db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n)
const post = (s: Login, url: string, fields: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...fields, _csrf: s.csrf }) })

const tighter = {
  ...DEFAULT_QUOTA_RULES,
  rules: DEFAULT_QUOTA_RULES.rules.map((r) => (r.id === 'physician-weekly-sessions' ? { ...r, limit: 1, label: '醫師每週報備支援診次合計不超過 1 診（測試）' } : r)),
}
const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
const weekly = (from: string, to: string): Schedule => ({ kind: 'weekly', from, to, weekdays: [2, 4], windows: [{ start: '09:00', end: '12:00' }] })
async function file(schedule: Schedule, supportedCode = '3565010003') {
  const o = await parts.reports.file({ applicantId: 'A123456789', terms: { supportedCode, department: '02', purpose: '01', schedule } }, { commandId: randomUUID(), actor: pro('A123456789', '0163010001') })
  await parts.waitFor(o.position)
  const events = await app.services.store!.readStream(reportStream(o.caseId))
  const submitted = events.find((e) => e.type === 'ReportSubmitted')!.data as { findings: FilingFindings }
  const drafted = events.find((e) => e.type === 'ReportDrafted')!.data as { routing: { reviewCounty: string } }
  return { caseId: o.caseId, findings: submitted.findings, routing: drafted.routing }
}

t.test('publishing: only MOHW admins, never effective in the past, each version with its reason', async (t) => {
  const ba = await login(app, bureauAdmin)
  t.equal((await app.inject({ method: 'GET', url: '/review/admin/settings', headers: { cookie: ba.cookie } })).statusCode, 200, 'bureau admins read')
  const before = await eventCount()
  const refused = await post(ba, '/review/admin/settings/quota', { content: JSON.stringify(tighter), effectiveDate: '1130301', effectiveTime: '0000', reason: '調整', commandId: randomUUID() })
  t.equal(refused.statusCode, 403)
  const s = await login(app, admin)
  // refused: 303 back to the page (POST-redirect-GET), saying why, with what was typed
  const past = await followForm(app, await post(s, '/review/admin/settings/quota', { content: JSON.stringify(tighter), effectiveDate: '1130201', effectiveTime: '0000', reason: '溯及既往', commandId: randomUUID() }), s.cookie)
  t.equal(past.status, 303)
  t.match(past.location, /^\/review\/admin\/settings\/quota\?form=/)
  t.match(past.body, '生效時間不可早於現在')
  t.match(past.body, 'value="溯及既往"', 'the reason typed')
  t.match(past.body, 'value="1130201"', 'the date typed')
  const bad = await followForm(app, await post(s, '/review/admin/settings/quota', { content: '{"rules": [{"id": "x"}]}', effectiveDate: '1130301', effectiveTime: '0000', reason: 'x', commandId: randomUUID() }), s.cookie)
  t.equal(bad.status, 303)
  t.match(bad.body, '規則內容格式不正確')
  t.match(bad.body, '{&quot;rules&quot;: [{&quot;id&quot;: &quot;x&quot;}]}', 'the content typed')
  t.equal(await eventCount(), before, 'refusals append nothing')
})

t.test('a quota cap and a routing rule dated next month: filings before and after are judged by the right version', async (t) => {
  const s = await login(app, admin)
  const q = await post(s, '/review/admin/settings/quota', { content: JSON.stringify(tighter), versionId: '2024.2', effectiveDate: '1130301', effectiveTime: '0000', reason: '三月起醫師每週上限 1 診', commandId: randomUUID() })
  t.equal(q.statusCode, 303, q.body.slice(0, 300))
  const routing = { default: 'supported', byProfession: { A: 'home', D: 'home', E: 'home' } }
  const r = await post(s, '/review/admin/settings/routing', { content: JSON.stringify(routing), effectiveDate: '1130301', effectiveTime: '0000', reason: '西醫師改由執業地衛生局審查（測試）', commandId: randomUUID() })
  t.equal(r.statusCode, 303)
  const page = await app.inject({ method: 'GET', url: '/review/admin/settings/quota', headers: { cookie: s.cookie } })
  t.match(page.body, '待生效')
  t.match(page.body, '三月起醫師每週上限 1 診')

  // before 2024-03-01: the first versions
  const before = await file(weekly('2024-04-01', '2024-04-30'))
  t.equal(before.findings.rules?.quota, '2024.1')
  t.equal(before.findings.rules?.routing, 'routing-1')
  t.equal(before.routing.reviewCounty, '65', 'routed to the supported county')
  t.equal(before.findings.quota.find((f) => f.ruleId === 'physician-weekly-sessions')?.limit, 8)
  // 報備支援額度限制 shows the limits a filing made now is judged by: the first version until March
  const quotaApi = async () => {
    const p = await login(app, professional())
    const r = await app.inject({ method: 'GET', url: '/api/quota?week=2024-W18&month=2024-05', headers: { cookie: p.cookie } })
    t.equal(r.statusCode, 200, r.body.slice(0, 300))
    const body = r.json() as { rulesVersion: string; rows: { caps: { ruleId: string; limit: number; over: boolean }[] }[] }
    return { version: body.rulesVersion, weekly: body.rows[0]?.caps.find((c) => c.ruleId === 'physician-weekly-sessions') }
  }
  t.match(await quotaApi(), { version: '2024.1', weekly: { limit: 8, over: false } })

  // from 2024-03-01 on (no restart, no deploy): the new versions
  clock.advance(10 * 86400_000) // 2024-03-01 10:00 Taipei
  parts.rules.invalidate()
  const after = await file(weekly('2024-05-01', '2024-05-31'))
  t.equal(after.findings.rules?.quota, '2024.2')
  t.equal(after.findings.rules?.routing, 'routing-2')
  t.equal(after.routing.reviewCounty, '63', 'routed to the home county by the new rule')
  const f = after.findings.quota.find((x) => x.ruleId === 'physician-weekly-sessions')
  t.match(f, { limit: 1, ruleVersion: '2024.2', over: true })
  t.match(await quotaApi(), { version: '2024.2', weekly: { limit: 1, over: true } }, 'the quota page shows the version in force, as the filing was judged')

  // the first filing's findings are as they were (a rule change never alters a past decision)
  const again = await app.services.store!.readStream(reportStream(before.caseId))
  t.equal((again.find((e) => e.type === 'ReportSubmitted')!.data as { findings: FilingFindings }).findings.rules?.quota, '2024.1')

  // the case file shows which version judged it
  const rev = await login(app, reviewer())
  const casePage = await app.inject({ method: 'GET', url: `/review/cases/${after.caseId}`, headers: { cookie: rev.cookie } })
  t.equal(casePage.statusCode, 200)
  t.match(casePage.body, '2024.2')
  // and the change is in 紀錄查詢 (a new session: ten days went by)
  const s2 = await login(app, admin)
  const audit = await app.inject({ method: 'GET', url: '/review/admin/audit?tab=admin', headers: { cookie: s2.cookie } })
  t.match(audit.body, '發布規則版本')
  t.match(audit.body, '三月起醫師每週上限 1 診')
})

t.test('time travel shows a case with the rules of that time', async (t) => {
  // a case filed under 2024.1 (before the change of the previous test), returned and resubmitted under 2024.2
  clock.now = new Date('2024-02-25T02:00:00.000Z')
  parts.rules.invalidate()
  const filed = await file(weekly('2024-06-01', '2024-06-30'))
  t.equal(filed.findings.rules?.quota, '2024.1')
  clock.now = new Date('2024-03-02T02:00:00.000Z')
  parts.rules.invalidate()
  const ntp: Actor = { role: 'reviewer', id: 'NTP-R001', name: '鄭淑惠', via: 'staff-card', county: '65' }
  await parts.reports.return(filed.caseId, { reason: '請補正', fieldsToFix: ['schedule'] }, { commandId: randomUUID(), actor: ntp })
  const again = await parts.reports.resubmit(filed.caseId, { supportedCode: '3565010003', department: '02', purpose: '01', schedule: weekly('2024-06-01', '2024-06-30') }, { commandId: randomUUID(), actor: pro('A123456789', '0163010001') })
  await parts.waitFor(again.position)
  const rev = await login(app, { actor: ntp, name: '鄭淑惠' })
  const at = (q: string) => app.inject({ url: `/review/cases/${filed.caseId}${q}`, headers: { cookie: rev.cookie } })
  const then = await at('?asOfDate=1130226&asOfTime=1200')
  t.equal(then.statusCode, 200)
  t.match(then.body, /當時判定所用規則：額度規則 <code>2024\.1<\/code>/, 'as of 2024-02-26: the first version judged it')
  const later = await at('?asOfDate=1130302&asOfTime=2359')
  t.match(later.body, /當時判定所用規則：額度規則 <code>2024\.2<\/code>/, 'after the resubmission: the new version')
})
