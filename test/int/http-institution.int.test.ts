// Institution pages: file for own staff only, dashboard counts (live fragment), roster + Excel, 他院支援本院,
// 本院支援他院, quota use; another institution never sees the case.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { buildTestApp, institution, login, multipart } from '../support/http.js'

const { app, parts } = await buildTestApp(t)
const hospital = await login(app, institution('0163010001', '示範大學附設醫院'))
const clinic = await login(app, institution('3563020002', '仁愛家醫診所'))
const other = await login(app, institution('0165020004', '新北示範醫院'))
const reviewer = { role: 'reviewer' as const, id: 'TPE-R001', via: 'staff-card' as const, county: '63' }
const get = (s: { cookie: string }, url: string) => app.inject({ url, headers: { cookie: s.cookie } })
const file = (applicantId: string, commandId = randomUUID()) => {
  const m = multipart({ _csrf: hospital.csrf, commandId, applicantId, supportedCode: '3563020002', department: '04', purpose: '01', scheduleKind: 'weekly', from: '1130301', to: '1130331', weekdays: ['2'], winStart: ['1400'], winEnd: ['1700'], intent: 'submit' })
  return app.inject({ method: 'POST', url: '/reports', headers: { cookie: hospital.cookie, ...m.headers }, payload: m.payload })
}
let caseId = ''

t.test('an institution files for its own staff, never for another institution\'s', async (t) => {
  const notOurs = await file('F122334458')
  t.equal(notOurs.statusCode, 422)
  t.match(notOurs.body, '機構只能為本機構的醫事人員申請')
  const ok = await file('Q134567894')
  t.equal(ok.statusCode, 303, ok.body.slice(0, 300))
  caseId = String(ok.headers.location).split('/')[2]!.split('?')[0]!
})

t.test('dashboard: counts link to filtered lists; the tiles fragment is polled', async (t) => {
  const d = await get(hospital, '/institution')
  t.equal(d.statusCode, 200)
  t.match(d.body, /<span class="n">1<\/span>審核中/)
  t.match(d.body, 'href="/reports?status=under_review"')
  t.match(d.body, 'hx-trigger="every 5s"')
  const o = await parts.reports.approve(caseId, {}, { commandId: randomUUID(), actor: reviewer })
  await parts.waitFor(o.position)
  const frag = await get(hospital, '/institution/counts')
  t.match(frag.body, /<span class="n">1<\/span>已核准/)
  t.match(frag.body, /<span class="n">0<\/span>審核中/)
  t.notMatch(frag.body, '<html')
  const list = await get(hospital, '/reports?status=approved')
  t.match(list.body, '劉冠宇')
})

t.test('roster of valid support, 本院支援他院 and 他院支援本院, with Excel download', async (t) => {
  t.match((await get(hospital, '/institution/outbound')).body, '劉冠宇')
  t.match((await get(clinic, '/institution/inbound')).body, '劉冠宇')
  t.notMatch((await get(hospital, '/institution/inbound')).body, '劉冠宇')
  const x = await get(hospital, '/institution/outbound?format=xlsx')
  t.equal(x.statusCode, 200)
  t.match(x.headers['content-type'], /spreadsheetml/)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
  const ws = wb.worksheets[0]!
  t.equal(ws.getRow(1).getCell(1).value, '案件編號')
  t.equal(ws.getRow(2).getCell(2).value, '劉冠宇')
  t.equal(ws.getRow(2).getCell(3).value, 'Q1345XXXX4', 'masked in the file too')
  t.equal(ws.getRow(2).getCell(8).value, '1130301')
  const filtered = await get(hospital, `/institution/outbound?q=${encodeURIComponent('王大明')}`)
  t.notMatch(filtered.body, '劉冠宇')
})

t.test('quota: each staff member\'s use this week and month with numbers', async (t) => {
  const r = await get(hospital, '/institution/quota')
  t.equal(r.statusCode, 200)
  t.match(r.body, '劉冠宇')
  t.match(r.body, '報備支援額度限制')
})

t.test('scope: another institution gets 404 and no data; professionals cannot open institution pages', async (t) => {
  const r = await get(other, `/reports/${caseId}`)
  t.equal(r.statusCode, 404)
  t.notMatch(r.body, '劉冠宇')
  t.notMatch((await get(other, '/institution/outbound')).body, '劉冠宇')
  t.equal((await get(other, '/institution')).statusCode, 200)
})
