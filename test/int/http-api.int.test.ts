// The JSON API beside the pages: own cases (list/get), draft/edit/submit/withdraw/change/cancel/copy, attachments,
// preview (conflict/quota), institution dashboard and rosters, quota for any period. Same authorization as the pages,
// coded errors, idempotent by the client's commandId.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, institution, login, multipart, professional, type Login } from '../support/http.js'
import { reportStream } from '../../domain/events.js'

const { app, parts, services } = await buildTestApp(t)
const store = services.store!
const wang = await login(app, professional())
const chen = await login(app, professional('F122334458', '陳志豪', { code: '0165020004', name: '新北示範醫院' }))
const hospital = await login(app, institution('0163010001', '示範大學附設醫院'))
const clinic = await login(app, institution('3563020002', '仁愛家醫診所'))
const other = await login(app, institution('0165020004', '新北示範醫院'))
const reviewer = { role: 'reviewer' as const, id: 'TPE-R001', via: 'staff-card' as const, county: '63' }

const api = (s: Login | undefined, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method, url,
    headers: { ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  })
const terms = (weekdays: number[], extra: Record<string, unknown> = {}) => ({
  supportedCode: '3563020002', department: '02', purpose: '01',
  schedule: { kind: 'weekly', from: '2024-03-01', to: '2024-03-31', weekdays, windows: [{ start: '08:00', end: '12:00' }] }, ...extra,
})
const pdf = Buffer.from('%PDF-1.4\n%api test\n')

let filed = ''
let draft = ''

t.test('authentication and CSRF: coded JSON errors', async (t) => {
  const anon = await api(undefined, 'GET', '/api/cases')
  t.equal(anon.statusCode, 401)
  t.equal(anon.json().code, 'UNAUTHENTICATED')
  const noCsrf = await app.inject({ method: 'POST', url: '/api/cases', headers: { cookie: wang.cookie, 'content-type': 'application/json' }, payload: JSON.stringify({ commandId: randomUUID(), terms: terms([1]) }) })
  t.equal(noCsrf.statusCode, 403)
  t.equal(noCsrf.json().code, 'CSRF_FAILED')
  const bad = await api(wang, 'POST', '/api/cases', { commandId: 'nope', terms: { ...terms([1]), department: '123' } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
  t.ok(Array.isArray(bad.json().details.fields))
  const asReviewer = await login(app, { actor: reviewer, name: '周文華' })
  t.equal((await api(asReviewer, 'GET', '/api/cases')).json().code, 'FORBIDDEN')
})

t.test('file a case: idempotent by commandId (same result, one event set)', async (t) => {
  const commandId = randomUUID()
  const r = await api(wang, 'POST', '/api/cases', { commandId, terms: terms([1]) })
  t.equal(r.statusCode, 201, r.body)
  const body = r.json()
  t.equal(body.status, 'under_review')
  t.match(body.caseNumber, /^1130220\d{7}$/)
  t.same(body.events, ['ReportDrafted', 'ReportSubmitted'])
  t.equal(body.duplicate, false)
  filed = body.caseId
  const again = await api(wang, 'POST', '/api/cases', { commandId, terms: terms([1]) })
  t.equal(again.statusCode, 201)
  t.equal(again.json().caseId, filed)
  t.equal(again.json().caseNumber, body.caseNumber, 'same result')
  t.equal(again.json().duplicate, true)
  t.equal((await store.readStream(reportStream(filed))).length, 2, 'nothing recorded twice')
})

t.test('list and get own cases; another professional gets 404 and no data', async (t) => {
  const list = await api(wang, 'GET', '/api/cases?status=under_review')
  t.equal(list.statusCode, 200)
  t.equal(list.json().total, 1)
  const row = list.json().rows[0]
  t.equal(row.caseId, filed)
  t.equal(row.applicant.nationalIdMasked, 'A1234XXXX9', 'masked')
  t.notMatch(list.body, 'A123456789')
  t.same(row.actions, ['withdraw', 'print', 'copy'])
  const one = await api(wang, 'GET', `/api/cases/${filed}`)
  t.equal(one.statusCode, 200)
  t.equal(one.json().terms.supported.code, '3563020002')
  t.same(one.json().terms.schedule.weekdays, [1])
  const notHis = await api(chen, 'GET', `/api/cases/${filed}`)
  t.equal(notHis.statusCode, 404)
  t.equal(notHis.json().code, 'REPORT_NOT_FOUND')
  t.notMatch(notHis.body, '仁愛')
  t.equal((await api(chen, 'GET', '/api/cases')).json().total, 0)
  t.equal((await api(chen, 'POST', `/api/cases/${filed}/withdraw`, { commandId: randomUUID() })).statusCode, 404, 'commands too')
})

t.test('draft, upload an attachment, edit + attach + submit as one command; conflicts refuse it all', async (t) => {
  const d = await api(wang, 'POST', '/api/cases', { commandId: randomUUID(), terms: terms([2]), submit: false })
  t.equal(d.statusCode, 201)
  t.equal(d.json().status, 'draft')
  draft = d.json().caseId
  const m = multipart({}, [{ name: 'file', filename: '同意書.pdf', type: 'application/pdf', content: pdf }])
  const up = await app.inject({ method: 'POST', url: '/api/attachments', headers: { cookie: wang.cookie, 'x-csrf-token': wang.csrf, ...m.headers }, payload: m.payload })
  t.equal(up.statusCode, 201, up.body)
  const att = up.json()
  t.equal(att.type, 'application/pdf')
  const fake = multipart({}, [{ name: 'file', filename: 'x.pdf', type: 'application/pdf', content: Buffer.from('MZ exe') }])
  const refused = await app.inject({ method: 'POST', url: '/api/attachments', headers: { cookie: wang.cookie, 'x-csrf-token': wang.csrf, ...fake.headers }, payload: fake.payload })
  t.equal(refused.json().code, 'ATTACHMENT_TYPE')

  const before = (await store.readStream(reportStream(draft))).length
  const clash = await api(wang, 'POST', `/api/cases/${draft}/edit`, { commandId: randomUUID(), terms: terms([1]), attachments: [{ hash: att.hash, name: att.name }], submit: true })
  t.equal(clash.statusCode, 409)
  t.equal(clash.json().code, 'SCHEDULE_CONFLICT')
  t.match(clash.json().message, /與案件 1130220\d{7} 重疊/)
  t.equal((await store.readStream(reportStream(draft))).length, before, 'no edit, no attachment, no submission recorded')
  const unknown = await api(wang, 'POST', `/api/cases/${draft}/attachments`, { commandId: randomUUID(), attachments: [{ hash: 'f'.repeat(64), name: 'x.pdf' }] })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'ATTACHMENT_NOT_FOUND')

  const ok = await api(wang, 'POST', `/api/cases/${draft}/edit`, { commandId: randomUUID(), terms: terms([2, 4]), attachments: [{ hash: att.hash, name: att.name }], submit: true })
  t.equal(ok.statusCode, 200, ok.body)
  t.same(ok.json().events, ['DraftEdited', 'AttachmentAdded', 'ReportSubmitted'])
  t.equal(ok.json().status, 'under_review')
  const detail = (await api(wang, 'GET', `/api/cases/${draft}`)).json()
  t.equal(detail.attachments[0].name, '同意書.pdf')
})

t.test('withdraw, copy, change, cancel; illegal transitions are coded', async (t) => {
  const w = await api(wang, 'POST', `/api/cases/${draft}/withdraw`, { commandId: randomUUID(), reason: '改期' })
  t.equal(w.statusCode, 200)
  t.equal(w.json().status, 'withdrawn')
  const again = await api(wang, 'POST', `/api/cases/${draft}/withdraw`, { commandId: randomUUID() })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'ILLEGAL_TRANSITION')
  const cmd = randomUUID()
  const copy = await api(wang, 'POST', `/api/cases/${draft}/copy`, { commandId: cmd })
  t.equal(copy.statusCode, 201)
  t.equal(copy.json().status, 'draft')
  t.not(copy.json().caseId, draft)
  t.equal((await api(wang, 'POST', `/api/cases/${draft}/copy`, { commandId: cmd })).json().caseId, copy.json().caseId, 'copy is idempotent too')
  const sub = await api(wang, 'POST', `/api/cases/${copy.json().caseId}/submit`, { commandId: randomUUID() })
  t.equal(sub.statusCode, 200, sub.body)

  const o = await parts.reports.approve(filed, {}, { commandId: randomUUID(), actor: reviewer })
  await parts.waitFor(o.position)
  const noReason = await api(wang, 'POST', `/api/cases/${filed}/change`, { commandId: randomUUID(), terms: terms([1]), reason: '' })
  t.equal(noReason.json().code, 'VALIDATION_FAILED')
  const ch = await api(wang, 'POST', `/api/cases/${filed}/change`, { commandId: randomUUID(), terms: { ...terms([1]), schedule: { kind: 'weekly', from: '2024-03-01', to: '2024-03-31', weekdays: [1], windows: [{ start: '08:00', end: '11:00' }] } }, reason: '門診調整' })
  t.equal(ch.statusCode, 200, ch.body)
  t.same(ch.json().events, ['ChangeRequested'])
  t.equal((await api(wang, 'POST', `/api/cases/${filed}/withdraw`, { commandId: randomUUID() })).statusCode, 200)
  const badDate = await api(wang, 'POST', `/api/cases/${filed}/cancel`, { commandId: randomUUID(), effectiveDate: '2024-05-01', reason: '結束' })
  t.equal(badDate.statusCode, 422)
  t.equal(badDate.json().code, 'CANCEL_DATE_INVALID')
  const cancel = await api(wang, 'POST', `/api/cases/${filed}/cancel`, { commandId: randomUUID(), effectiveDate: '2024-03-15', reason: '支援結束' })
  t.equal(cancel.statusCode, 200)
  t.same(cancel.json().events, ['CancellationRequested'])
})

t.test('preview: conflicts named, quota with numbers; nothing recorded', async (t) => {
  const before = (await api(wang, 'GET', '/api/cases')).json().total
  const p = await api(wang, 'POST', '/api/preview', { terms: terms([1]) })
  t.equal(p.statusCode, 200, p.body)
  t.equal(p.json().ok, false)
  t.match(p.json().conflicts[0].message, /與案件 1130220\d{7} 於 1130304 0800 星期一–1200 重疊/)
  const heavy = { ...terms([1, 2, 3, 4, 5, 6, 7]), supportedCode: '0165020004', schedule: { kind: 'weekly', from: '2024-04-01', to: '2024-04-30', weekdays: [1, 2, 3, 4, 5, 6, 7], windows: [{ start: '08:00', end: '11:00' }, { start: '13:00', end: '16:00' }] } }
  const q = (await api(wang, 'POST', '/api/preview', { terms: heavy })).json()
  const weekly = q.quota.find((x: { ruleId: string }) => x.ruleId === 'physician-weekly-sessions')
  t.ok(weekly, 'the weekly sessions cap is evaluated')
  t.equal(weekly.over, true)
  t.equal(weekly.limit, 8)
  t.ok(weekly.proposed >= 14)
  t.equal((await api(wang, 'GET', '/api/cases')).json().total, before)
  const notStaff = await api(hospital, 'POST', '/api/preview', { applicantId: 'F122334458', terms: terms([1]) })
  t.equal(notStaff.statusCode, 403)
  t.equal(notStaff.json().code, 'NOT_OWN_STAFF')
})

t.test('institution: files for own staff only; dashboard counts link to lists; rosters both ways; scope', async (t) => {
  const mine = await api(hospital, 'POST', '/api/cases', { commandId: randomUUID(), applicantId: 'Q134567894', terms: terms([3], { department: '04' }) })
  t.equal(mine.statusCode, 201, mine.body)
  const notMine = await api(hospital, 'POST', '/api/cases', { commandId: randomUUID(), applicantId: 'F122334458', terms: terms([3]) })
  t.equal(notMine.statusCode, 403)
  t.equal(notMine.json().code, 'NOT_OWN_STAFF')
  const noApplicant = await api(hospital, 'POST', '/api/cases', { commandId: randomUUID(), terms: terms([3]) })
  t.equal(noApplicant.json().code, 'VALIDATION_FAILED')

  const dash = (await api(hospital, 'GET', '/api/institution/dashboard')).json()
  t.equal(dash.institutionCode, '0163010001')
  t.ok(dash.asHome.under_review >= 2, 'our staff\'s filings under review')
  t.equal(dash.links.under_review, '/api/cases?side=home&status=under_review')
  const listed = (await api(hospital, 'GET', dash.links.under_review)).json()
  t.equal(listed.total, dash.asHome.under_review, 'the count is the length of the list it links to')
  t.ok(listed.rows.some((r: { caseId: string }) => r.caseId === mine.json().caseId))

  const out = (await api(hospital, 'GET', '/api/institution/outbound')).json()
  t.ok(out.rows.some((r: { applicantName: string; nationalIdMasked: string }) => r.applicantName === '劉冠宇' && r.nationalIdMasked === 'Q1345XXXX4'))
  const inb = (await api(clinic, 'GET', '/api/institution/inbound')).json()
  t.ok(inb.rows.some((r: { applicantName: string }) => r.applicantName === '劉冠宇'), '他院支援本院 at the supported clinic')
  t.notMatch(JSON.stringify((await api(other, 'GET', '/api/institution/outbound')).json()), '劉冠宇')

  // the supported clinic can read the case but not act on it; another institution cannot even see it
  const id = mine.json().caseId
  t.equal((await api(clinic, 'GET', `/api/cases/${id}`)).statusCode, 200)
  const act = await api(clinic, 'POST', `/api/cases/${id}/withdraw`, { commandId: randomUUID() })
  t.equal(act.statusCode, 403)
  t.equal(act.json().code, 'NOT_OWN_STAFF')
  t.equal((await api(other, 'GET', `/api/cases/${id}`)).statusCode, 404)
  t.equal((await api(wang, 'GET', '/api/institution/dashboard')).json().code, 'FORBIDDEN')
})

t.test('quota: any week and month, not only the current ones', async (t) => {
  const now = (await api(hospital, 'GET', '/api/quota')).json()
  t.equal(now.week, '2024-W08', 'default: this week (2024-02-20)')
  t.equal(now.month, '2024-02')
  const march = (await api(hospital, 'GET', '/api/quota?week=2024-W10&month=2024-03')).json()
  t.equal(march.week, '2024-W10')
  const liu = march.rows.find((r: { name: string }) => r.name === '劉冠宇')
  t.ok(liu.week.pendingSessions > 0, 'the March Wednesday filing counts in week 10')
  t.ok(liu.month.pendingHours > 0)
  t.equal(liu.nationalIdMasked, 'Q1345XXXX4')
  const own = (await api(wang, 'GET', '/api/quota?week=2024-W10&month=2024-03')).json()
  t.same(own.rows.map((r: { name: string }) => r.name), ['王大明'], 'a professional sees only themself')
  t.equal((await api(wang, 'GET', '/api/quota?week=2024-W99')).json().code, 'VALIDATION_FAILED')
})
