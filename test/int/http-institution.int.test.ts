// Institution pages: file for own staff only, dashboard counts (live fragment), roster + Excel, 他院支援本院,
// 本院支援他院, quota use; another institution never sees the case.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { buildTestApp, followForm, institution, login, multipart } from '../support/http.js'
import { upsertProfessionals } from '../../commands/registry/registry.js'
import { personIds } from '../support/registry-files.js'

const { app, parts, clock, tdb } = await buildTestApp(t)
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
  const notOurs = await followForm(app, await file('F122334458'), hospital.cookie)
  t.equal(notOurs.status, 303, 'back to the form (POST-redirect-GET)')
  t.match(notOurs.body, '機構只能為本機構的醫事人員申請')
  const ok = await file('Q134567894')
  t.equal(ok.statusCode, 303, ok.body.slice(0, 300))
  caseId = String(ok.headers.location).split('/')[2]!.split('?')[0]!
})

t.test('dashboard: counts link to filtered lists; the tiles fragment is polled', async (t) => {
  const d = await get(hospital, '/institution')
  t.equal(d.statusCode, 200)
  t.match(d.body, /<span class="n">1<\/span>審核中/)
  t.match(d.body, 'href="/reports?status=under_review&amp;side=home"')
  for (const label of ['有效報備支援人數', '未送審', '審核中', '已核准', '未核准', '退回']) t.match(d.body, new RegExp(`<span class="n">\\d+</span>${label}`), label)
  t.match(d.body, 'href="/institution/inbound"')
  t.match(d.body, 'href="/institution/outbound"')
  t.match(d.body, 'hx-trigger="every 5s"')
  const o = await parts.reports.approve(caseId, {}, { commandId: randomUUID(), actor: reviewer })
  await parts.waitFor(o.position)
  const frag = await get(hospital, '/institution/counts')
  t.match(frag.body, /<span class="n">1<\/span>已核准/)
  t.match(frag.body, /<span class="n">0<\/span>審核中/)
  t.notMatch(frag.body, '<html')
  const list = await get(hospital, '/reports?status=approved&side=home')
  t.match(list.body, '劉冠宇')
  // at the supported clinic the case is support received, not its staff's: its 已核准 tile counts 0 and its link
  // lists 0 — the count is always the length of the list it opens
  const clinicTiles = await get(clinic, '/institution/counts')
  t.match(clinicTiles.body, /<span class="n">0<\/span>已核准/)
  const clinicList = await get(clinic, '/reports?status=approved&side=home')
  t.notMatch(clinicList.body, '劉冠宇')
  t.match((await get(clinic, '/reports?status=approved&side=supported')).body, '劉冠宇')
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

t.test('quota: each staff member\'s use for the current or any chosen week and month, with prev/next', async (t) => {
  const r = await get(hospital, '/institution/quota')
  t.equal(r.statusCode, 200)
  t.match(r.body, '劉冠宇')
  t.match(r.body, '報備支援額度限制')
  t.match(r.body, '民國113年第8週（1130219 星期一–1130225 星期日）', 'the current week by default (2024-02-20)')
  t.match(r.body, '民國113年2月')
  t.match(r.body, 'href="/institution/quota?week=2024-W09&amp;month=2024-02" rel="next"')
  t.match(r.body, 'href="/institution/quota?week=2024-W08&amp;month=2024-03"', 'next month keeps the chosen week')
  // the filing is on Tuesdays 1400–1700 in March 2024: week 10 holds one session, March five
  const liu = (body: string) => /劉冠宇.*?<\/tr>/s.exec(body)?.[0] ?? ''
  t.match(liu(r.body), /0 診次 \/ 0 小時.*0 診次 \/ 0 小時/s, 'nothing in February')
  const march = await get(hospital, '/institution/quota?week=2024-W10&month=2024-03')
  t.equal(march.statusCode, 200)
  t.match(march.body, '民國113年第10週（1130304 星期一–1130310 星期日）')
  t.match(march.body, '民國113年3月')
  t.match(liu(march.body), /data-label="該週">1 診次 \/ 3 小時.*data-label="該月">4 診次 \/ 12 小時/s)
  t.match(march.body, 'href="/institution/quota?week=2024-W09&amp;month=2024-03" rel="prev"')
  const yearEnd = await get(hospital, '/institution/quota?week=2024-W52&month=2024-12')
  t.match(yearEnd.body, 'week=2025-W01&amp;month=2024-12', 'next week across the year')
  t.match(yearEnd.body, 'week=2024-W52&amp;month=2025-01', 'next month across the year')
  t.equal((await get(hospital, '/institution/quota?week=2024-W60')).statusCode, 400)
})

t.test('quota: a hospital\'s staff a page of 50 at a time, found by name or ID, the page kept across periods', async (t) => {
  // 60 more staff recorded at the hospital (registry events, as a feed records them): 64 in all
  const ids = personIds(60, 'K', 500)
  await upsertProfessionals(tdb.db, ids.map((nationalId, i) => ({
    nationalId, name: `職員${String(i).padStart(2, '0')}`, profession: 'F', licenseNumber: `F${900000 + i}`, licenseValidFrom: '2020-01-01',
    licenseValidTo: '2030-12-31', practiceStatus: 'active', homeInstitutionCode: '0163010001',
  })))
  const rowsOf = (body: string) => (body.match(/data-label="醫事人員"/g) ?? []).length
  const first = await get(hospital, '/institution/quota?week=2024-W10&month=2024-03')
  t.equal(first.statusCode, 200)
  t.equal(rowsOf(first.body), 50, 'the first 50 in name order')
  t.match(first.body, '共 <strong id="staff-total">64</strong> 人，第 1／2 頁')
  t.match(first.body, 'href="/institution/quota?week=2024-W10&amp;month=2024-03&amp;page=2">下一頁 ›</a>')
  const second = await get(hospital, '/institution/quota?week=2024-W10&month=2024-03&page=2')
  t.equal(rowsOf(second.body), 14)
  t.match(second.body, 'href="/institution/quota?week=2024-W11&amp;month=2024-03&amp;page=2" rel="next"', 'the next week keeps the page')
  const all = [...first.body.matchAll(/data-label="醫事人員">([^<]+)</g), ...second.body.matchAll(/data-label="醫事人員">([^<]+)</g)].map((m) => m[1])
  t.equal(new Set(all).size, 64, 'every staff member once')
  // the search: a name, or the start of a national ID; the week and month kept
  const found = await get(hospital, '/institution/quota?week=2024-W10&month=2024-03&q=%E5%8A%89%E5%86%A0')
  t.equal(rowsOf(found.body), 1)
  t.match(found.body, '劉冠宇')
  t.match(found.body, /data-label="該週">1 診次 \/ 3 小時/, 'with their use')
  t.match(found.body, 'href="/institution/quota?week=2024-W11&amp;month=2024-03&amp;q=%E5%8A%89%E5%86%A0" rel="next"', 'the search kept')
  t.equal(rowsOf((await get(hospital, `/institution/quota?q=${ids[7]!.slice(0, 8).toLowerCase()}`)).body), 10, 'an ID prefix: 10 of the 60 share 8 characters')
  t.match((await get(hospital, '/institution/quota?q=%E6%B2%92%E6%9C%89%E9%80%99%E4%BA%BA')).body, '查無符合的本機構人員。')
  t.match((await get(hospital, '/institution/quota?week=2024-W10&month=2024-03&page=9')).body, '此頁沒有資料（共 64 人），<a href="/institution/quota?week=2024-W10&amp;month=2024-03">回到第 1 頁</a>', 'past the last page')
  t.equal((await get(hospital, `/institution/quota?q=${'x'.repeat(61)}`)).statusCode, 400, 'a search longer than 60 characters is refused')
  // the API pages the same way
  const api = await get(hospital, '/api/quota?week=2024-W10&month=2024-03&page=2')
  t.equal(api.statusCode, 200, api.body.slice(0, 200))
  t.match(api.json(), { total: 64, page: 2, pageSize: 50 })
  t.equal((api.json() as { rows: unknown[] }).rows.length, 14)
})

t.test('scope: another institution gets 404 and no data; professionals cannot open institution pages', async (t) => {
  const r = await get(other, `/reports/${caseId}`)
  t.equal(r.statusCode, 404)
  t.notMatch(r.body, '劉冠宇')
  t.notMatch((await get(other, '/institution/outbound')).body, '劉冠宇')
  t.equal((await get(other, '/institution')).statusCode, 200)
})

t.test('有效 is one list: the dashboard\'s 有效報備支援名單, the 有效報備支援名冊 and the 有效報備支援人數 tile agree', async (t) => {
  const was = clock.now
  t.teardown(() => { clock.now = was })
  const ids = (body: string) => [...new Set([...body.matchAll(/\/reports\/([0-9a-f-]{36})/g)].map((m) => m[1]!))].sort()
  const before = await get(hospital, '/institution')
  t.match(before.body, '今日沒有有效的報備支援案件', 'on 02-20 nothing is in force yet')
  clock.now = new Date('2024-03-05T02:00:00.000Z') // the approved March support is in force
  const again = await login(app, institution('0163010001', '示範大學附設醫院')) // the old session has long expired
  const dash = await get(again, '/institution')
  const roster = await get(again, '/institution/roster')
  const total = Number(/id="valid-total">(\d+)</.exec(dash.body)![1])
  t.equal(total, 1, 'the approved case, in force today')
  t.equal(Number(/id="list-total">(\d+)</.exec(roster.body)![1]), total, 'the roster counts the same')
  t.same(ids(dash.body.slice(dash.body.indexOf('id="valid-h"'))).filter((id) => ids(roster.body).includes(id)), ids(roster.body), 'and lists the same cases')
  t.match(dash.body, new RegExp(`<span class="n">${1}</span>有效報備支援人數`), 'one person')
  t.match(dash.body, /id="valid-people">1</)
  // a change asked to move the support to 新北示範醫院: until it is approved, that hospital supports nothing, and
  // neither its dashboard list nor its roster may say otherwise (although it may read the case)
  const hospitalActor = { role: 'institution' as const, id: '0163010001', institutionCode: '0163010001', via: 'hca-institution-card' as const }
  const ch = await parts.reports.requestChange(caseId, {
    reason: '改至新北支援',
    terms: { supportedCode: '0165020004', department: '04', purpose: '01', schedule: { kind: 'weekly', from: '2024-03-12', to: '2024-03-31', weekdays: [2], windows: [{ start: '14:00', end: '17:00' }] } },
  }, { commandId: randomUUID(), actor: hospitalActor })
  await parts.waitFor(ch.position)
  const newTaipei = await login(app, institution('0165020004', '新北示範醫院'))
  const theirs = await get(newTaipei, '/institution')
  t.match(theirs.body, '今日沒有有效的報備支援案件', 'not in its 有效報備支援名單 before the change is approved')
  t.match((await get(newTaipei, '/institution/roster')).body, '查無資料', 'nor in its roster')
  t.match(theirs.body, /<span class="n">0<\/span>有效報備支援人數/)
})
