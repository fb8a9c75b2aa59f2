// Reference lists as versioned data: an administrator adds a 支援科別 effective now → the 登錄 form offers it, a
// filing with it is accepted (form and domain), the batch template lists it; one dated next month is neither offered
// nor accepted today (the domain refuses it with UNKNOWN_DEPARTMENT and appends nothing).
import t from 'tap'
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { buildTestApp, followForm, form, institution, login, multipart, professional, reviewer, type Login } from '../support/http.js'
import { DEPARTMENTS } from '../../domain/reference/departments.js'
import { PROFESSIONS } from '../../domain/reference/professions.js'
import { COUNTIES } from '../../domain/reference/counties.js'
import { isDomainError } from '../../domain/errors.js'
import type { SessionUser } from '../../http/session-store.js'

const { app, tdb, parts } = await buildTestApp(t) // 2024-02-20 10:00 Taipei
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const eventCount = async () => Number((await tdb.db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n)
const post = (s: Login, url: string, fields: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...fields, _csrf: s.csrf }) })
const filingForm = (csrf: string, department: string) => multipart({
  _csrf: csrf, commandId: randomUUID(), supportedCode: '3563020002', department, purpose: '01',
  scheduleKind: 'weekly', from: '1130304', to: '1130329', weekdays: ['1'], winStart: ['0800'], winEnd: ['1200'], intent: 'submit',
})

t.test('a 支援科別 effective now is offered and accepted; one dated next month is refused today', async (t) => {
  const s = await login(app, admin)
  const now = [...DEPARTMENTS, { code: 'ZA', name: '遠距醫療科' }]
  const published = await post(s, '/review/admin/settings/departments', { content: JSON.stringify(now), effectiveDate: '1130220', effectiveTime: '1000', reason: '新增遠距醫療科', commandId: randomUUID() })
  t.equal(published.statusCode, 303, published.body.slice(0, 300))
  const later = [...now, { code: 'ZB', name: '次月新科' }]
  const dated = await post(s, '/review/admin/settings/departments', { content: JSON.stringify(later), effectiveDate: '1130320', effectiveTime: '0000', reason: '次月新增', commandId: randomUUID() })
  t.equal(dated.statusCode, 303, dated.body.slice(0, 300))

  const pro = await login(app, professional())
  const page = await app.inject({ url: '/reports/new', headers: { cookie: pro.cookie } })
  t.match(page.body, '<option value="ZA">ZA 遠距醫療科</option>', 'the form offers the new department')
  t.notMatch(page.body, 'value="ZB"', 'not the one dated next month')

  // the form (HTTP) accepts ZA and refuses ZB on its field
  const ok = filingForm(pro.csrf, 'ZA')
  const filed = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...ok.headers }, payload: ok.payload })
  t.equal(filed.statusCode, 303, filed.body.slice(0, 400))
  const casePage = await app.inject({ url: String(filed.headers.location), headers: { cookie: pro.cookie } })
  t.match(casePage.body, 'ZA 遠距醫療科', 'the case page names the new department')
  const before = await eventCount()
  const bad = filingForm(pro.csrf, 'ZB')
  const refused = await followForm(app, await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...bad.headers }, payload: bad.payload }), pro.cookie)
  t.equal(refused.status, 303, 'back to the form (POST-redirect-GET)')
  t.match(refused.body, '支援科別不存在')
  t.equal(await eventCount(), before, 'a refused filing appends nothing')

  // the domain, given the lists in force by the case service, judges the same way (the API path)
  const actor = { role: 'professional' as const, id: 'A123456789', via: 'hca-professional-card' as const, institutionCode: '0163010001' }
  const terms = (department: string) => ({ supportedCode: '3565010003', department, purpose: '01', schedule: { kind: 'weekly' as const, from: '2024-04-01', to: '2024-04-30', weekdays: [2 as const], windows: [{ start: '09:00', end: '12:00' }] } })
  const o = await parts.reports.file({ applicantId: 'A123456789', terms: terms('ZA') }, { commandId: randomUUID(), actor })
  t.ok(o.caseId, 'filed with ZA')
  await parts.waitFor(o.position)
  const ntp = await login(app, { actor: { role: 'reviewer', id: 'NTP-R001', name: '鄭淑惠', via: 'staff-card', county: '65' }, name: '鄭淑惠' })
  t.match((await app.inject({ url: `/review/cases/${o.caseId}`, headers: { cookie: ntp.cookie } })).body, '遠距醫療科', 'and so does the case file')
  const err = await parts.reports.file({ applicantId: 'A123456789', terms: terms('ZB') }, { commandId: randomUUID(), actor }).then(() => undefined, (e: unknown) => e)
  t.ok(isDomainError(err) && err.code === 'UNKNOWN_DEPARTMENT', 'ZB refused before its date')

  // the batch template's code sheet lists the departments in force
  const inst = await login(app, institution())
  const tpl = await app.inject({ url: '/institution/batch/template.xlsx', headers: { cookie: inst.cookie } })
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(tpl.rawPayload as unknown as ArrayBuffer)
  const codes: string[] = []
  wb.getWorksheet('代碼表')!.eachRow((r) => { codes.push(String(r.getCell(1).value ?? '')) })
  t.ok(codes.includes('ZA'), 'template lists ZA')
  t.notOk(codes.includes('ZB'), 'template does not list ZB yet')
})

t.test('the back office query offers and accepts a 醫事人員類別 published now', async (t) => {
  const s = await login(app, admin)
  const r = await post(s, '/review/admin/settings/professions', { content: JSON.stringify([...PROFESSIONS, { code: '7', name: '測試新類別' }]), effectiveDate: '1130220', effectiveTime: '1000', reason: '新增類別', commandId: randomUUID() })
  t.equal(r.statusCode, 303, r.body.slice(0, 300))
  const rev = await login(app, reviewer())
  const page = await app.inject({ url: '/review/cases', headers: { cookie: rev.cookie } })
  t.match(page.body, 'value="7"')
  t.match(page.body, '測試新類別')
  const q = await app.inject({ url: '/review/cases?profession=7', headers: { cookie: rev.cookie } })
  t.equal(q.statusCode, 200)
  t.notMatch(q.body, '醫事人員類別不存在', 'the filter accepts it')
  const unknown = await app.inject({ url: '/review/cases?profession=8', headers: { cookie: rev.cookie } })
  t.match(unknown.body, '醫事人員類別不存在', 'a code on no list is still refused')
})

t.test('a county published now: the account form offers it and an account in it is accepted', async (t) => {
  const s = await login(app, admin)
  const body = { commandId: randomUUID(), accountId: 'NEW-R001', profile: { name: '新縣審查', agency: '新縣衛生局', county: '73', role: 'reviewer', certificates: [{ subjectDn: 'C=TW,CN=新縣審查' }] }, reason: '新縣成立' }
  const api = (b: unknown, url = '/api/admin/accounts') => app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, payload: JSON.stringify(b) })
  const early = await api(body)
  t.equal(early.statusCode, 400, 'no such county yet')
  t.equal(early.json().code, 'ACCOUNT_INVALID')
  const counties = [...COUNTIES, { code: '73', name: '測試新縣', bureau: '測試新縣衛生局', districts: [{ name: '新市', zip: '999' }] }]
  const published = await api({ commandId: randomUUID(), effectiveFrom: '2024-02-20T02:00:00.000Z', reason: '新縣成立', content: counties }, '/api/admin/rules/counties')
  t.equal(published.statusCode, 201, published.body)
  const formPage = await app.inject({ url: '/review/admin/accounts/new', headers: { cookie: s.cookie } })
  t.match(formPage.body, '測試新縣', 'the county dropdown offers it')
  const created = await api({ ...body, commandId: randomUUID() })
  t.equal(created.statusCode, 201, created.body)
})
