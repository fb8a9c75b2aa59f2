// Forgiving date inputs in the back office and the administration (issue #16 "ROC everywhere, inputs that forgive"):
// every date field takes 1130304, 113/03/04 and 2024/03/04 alike (domain/roc-date.ts parseDateInput), shows what it
// read (讀作：民國113年3月4日（星期一）) under the field, has placeholders in the current ROC year, and a bad value is
// said at its field in zh-TW with no unfiltered list shown instead and nothing appended.
import { reportStream } from '../../domain/events.js'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp, followForm, form, login, type Login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor } from '../../domain/types.js'

const { app, parts, services, tdb } = await buildTestApp(t) // 2024-02-20 10:00 Taipei: 民國113年
const store = services.store!
const staff = (id: string, name: string, county: string): SessionUser => ({ actor: { role: 'reviewer', id, name, via: 'staff-card', county }, name })
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const tpe = await login(app, staff('TPE-R001', '周文華', '63'))
const mohwAdmin = await login(app, admin)
const eventCount = async () => Number((await tdb.db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n)

const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
async function file(applicantId: string, home: string, supportedCode: string, from: string, to: string) {
  const o = await parts.reports.file(
    { applicantId, terms: { supportedCode, department: '02', purpose: '01', schedule: { kind: 'weekly', from, to, weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] } } },
    { commandId: randomUUID(), actor: pro(applicantId, home) },
  )
  await parts.waitFor(o.position)
  return o.caseId
}
const MARCH = await file('A123456789', '0163010001', '3563020002', '2024-03-04', '2024-03-25')
const APRIL = await file('Q134567894', '0163010001', '3563020002', '2024-04-01', '2024-04-29')

const get = (s: Login, url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { cookie: s.cookie, ...headers } })
const post = (s: Login, url: string, fields: Record<string, string | string[]>) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: s.csrf, ...fields }) })
const enc = encodeURIComponent
const EXAMPLES = '（可輸入民國 1130104、113/01/04 或西元 2024/01/04）'
/** A refused page form: 303 back to its page (POST-redirect-GET), followed; the page with the values and errors. */
const refused = async (s: Login, url: string, fields: Record<string, string | string[]>) => followForm(app, await post(s, url, fields), s.cookie)

t.test('案件查詢: 1130304, 113/3/4 and 2024/03/04 find the same cases; each date says what it was read as', async (t) => {
  const ids = (body: string) => [...body.matchAll(/href="\/review\/cases\/([0-9a-f-]{36})"/g)].map((m) => m[1]).sort()
  const compact = await get(tpe, '/review/cases?supportFrom=1130301&supportTo=1130331')
  t.same(ids(compact.body), [MARCH], 'the March case only')
  for (const [from, to] of [['113/3/1', '113/03/31'], ['2024/03/01', '2024-03-31'], ['113.03.01', '2024.3.31']]) {
    const r = await get(tpe, `/review/cases?supportFrom=${enc(from!)}&supportTo=${enc(to!)}`)
    t.equal(r.statusCode, 200)
    t.same(ids(r.body), [MARCH], `${from}～${to}: the same cases`)
    t.match(r.body, /id="understood-supportFrom"[^>]*>起 讀作：民國113年3月1日（星期五）</, 'what the from date was read as')
    t.match(r.body, /id="understood-supportTo"[^>]*>迄 讀作：民國113年3月31日（星期日）</)
    t.match(r.body, `value="${from}"`, 'the value stays as typed')
  }
  const page = await get(tpe, '/review/cases')
  t.match(page.body, /id="supportFrom"[^>]*placeholder="113\d{4}"/, 'placeholders in the current ROC year')
  t.match(page.body, '日期可輸入民國 1130104、113/01/04 或西元 2024/01/04')
})

t.test('案件查詢: a bad date is said at its field, and no unfiltered list is shown (page and htmx)', async (t) => {
  const r = await get(tpe, `/review/cases?approvedFrom=${enc('113/02/30')}`)
  t.equal(r.statusCode, 200)
  t.match(r.body, `id="err-approvedFrom">核准日期（起）格式不正確${EXAMPLES}<`)
  t.match(r.body, /id="approvedFrom"[^>]*aria-invalid="true"[^>]*aria-describedby="err-approvedFrom"/, 'tied to its input')
  t.match(r.body, '<strong id="total">0</strong>', 'no list')
  t.notMatch(r.body, MARCH)
  t.notMatch(r.body, APRIL)
  // the query form runs over htmx: the results come with the fields' feedback out of band
  const h = await get(tpe, `/review/cases?supportFrom=${enc('2024/04/01')}&supportTo=1139999`, { 'hx-request': 'true', 'hx-target': 'results' })
  t.notMatch(h.body, '<html')
  t.match(h.body, /<div id="fb-supportFrom" class="date-feedback" hx-swap-oob="true">[\s\S]*?讀作：民國113年4月1日（星期一）[\s\S]*?id="err-supportTo">支援日期（迄）格式不正確/, 'read and refused, at the fields')
  t.match(h.body, 'id="query-errors"')
  t.notMatch(h.body, APRIL, 'no list instead')
  const long = await get(tpe, `/review/cases?submittedTo=${'1'.repeat(30)}`)
  t.equal(long.statusCode, 200, 'a long value is answered at its field, not cut short')
  t.match(long.body, 'id="err-submittedTo"')
})

t.test('案件時光回溯: the date in any form; a bad one at its field', async (t) => {
  const r = await get(tpe, `/review/cases/${MARCH}?asOfDate=${enc('2024/02/21')}&asOfTime=0900`)
  t.equal(r.statusCode, 200)
  t.match(r.body, /id="understood-asOfDate"[^>]*>讀作：民國113年2月21日（星期三）</)
  t.match(r.body, 'id="asof-result"')
  const bad = await get(tpe, `/review/cases/${MARCH}?asOfDate=${enc('113/2/31')}`)
  t.match(bad.body, `id="err-asOfDate">日期格式不正確${EXAMPLES}<`)
  t.notMatch(bad.body, 'id="asof-result"')
})

t.test('紀錄查詢 (衛生局): 113/02/01 and 2024/02/01 are read; a bad one at its field, no list', async (t) => {
  await get(tpe, `/review/cases/${MARCH}`)
  const r = await get(tpe, `/review/audit?from=${enc('113/2/1')}&to=${enc('2024/12/31')}`)
  t.match(r.body, /id="understood-a-from"[^>]*>讀作：民國113年2月1日（星期四）</)
  t.match(r.body, /id="audit-table"[\s\S]*?開啟案件/, 'the reads within the period')
  const bad = await get(tpe, `/review/audit?from=${enc('2024/13/01')}`)
  t.match(bad.body, `id="err-a-from">起日格式不正確${EXAMPLES}<`)
  t.notMatch(bad.body, 'id="audit-table"')
})

t.test('單筆申請: the support dates in any form, read back as ROC with what they mean; a bad one at its field, nothing appended', async (t) => {
  const before = await eventCount()
  // no party chosen: the form comes back, the dates as understood
  const r = await refused(tpe, '/review/file', {
    commandId: randomUUID(), applicantId: 'A123456789', supportedCode: '3563020002', department: '02', purpose: '01',
    from: '2024/05/06', to: '113/5/27', weekdays: ['1'], winStart: '0800', winEnd: '1200',
  })
  t.equal(r.status, 303, 'refused: back to its page')
  t.match(r.location, /\?form=/)
  t.match(r.body, /id="from"[^>]*value="1130506"/, 'kept in the form as 民國 yyyMMdd')
  t.match(r.body, /id="understood-from"[^>]*>讀作：民國113年5月6日（星期一）</)
  t.match(r.body, /id="understood-to"[^>]*>讀作：民國113年5月27日（星期一）</)
  const bad = await refused(tpe, '/review/file', {
    commandId: randomUUID(), onBehalfOf: 'professional', applicantId: 'A123456789', supportedCode: '3563020002', department: '02', purpose: '01',
    from: '113/5/32', to: '1130527', weekdays: ['1'], winStart: '0800', winEnd: '1200',
  })
  t.equal(bad.status, 303, 'refused: back to its page')
  t.match(bad.location, /\?form=/)
  t.match(bad.body, /id="err-from">日期格式不正確（可輸入民國 yyyMMdd、yyy\/MM\/dd 或西元 yyyy\/MM\/dd）</)
  t.match(bad.body, 'value="113/5/32"', 'the bad value as typed, never cut short')
  t.equal(await eventCount(), before, 'nothing appended')
  const ok = await post(tpe, '/review/file', {
    commandId: randomUUID(), onBehalfOf: 'professional', applicantId: 'A123456789', supportedCode: '3563020002', department: '02', purpose: '01',
    from: '2024/05/06', to: '113/5/27', weekdays: ['1'], winStart: '0800', winEnd: '1200',
  })
  t.equal(ok.statusCode, 303, ok.body.slice(0, 300))
  const caseId = /\/review\/cases\/([0-9a-f-]{36})/.exec(String(ok.headers.location))![1]!
  const drafted = (await store.readStream(reportStream(caseId)))[0]!.data as { terms: { schedule: { from: string; to: string } } }
  t.same([drafted.terms.schedule.from, drafted.terms.schedule.to], ['2024-05-06', '2024-05-27'], 'filed for the days understood')
})

t.test('系統設定: a rule version effective 2024/03/01 or 113/3/1; a bad date at its field, nothing appended', async (t) => {
  const page = await get(mohwAdmin, '/review/admin/settings/purposes')
  t.match(page.body, /id="effectiveDate"[^>]*placeholder="1130104"/, 'placeholder in the current ROC year')
  const before = await eventCount()
  const content = (await app.services.rules.versions('purposes')).at(-1)!.content
  const bad = await refused(mohwAdmin, '/review/admin/settings/purposes', { content: JSON.stringify(content), effectiveDate: '113/02/30', effectiveTime: '0000', reason: '測試', commandId: randomUUID() })
  t.equal(bad.status, 303, 'refused: back to its page')
  t.match(bad.location, /\?form=/)
  t.match(bad.body, `id="err-effectiveDate">生效日期格式不正確${EXAMPLES}<`)
  t.match(bad.body, 'value="113/02/30"', 'as typed')
  const badTime = await refused(mohwAdmin, '/review/admin/settings/purposes', { content: JSON.stringify(content), effectiveDate: '2024/03/01', effectiveTime: '2500', reason: '測試', commandId: randomUUID() })
  t.equal(badTime.status, 303, 'refused: back to its page')
  t.match(badTime.location, /\?form=/)
  t.match(badTime.body, /id="understood-effectiveDate"[^>]*>讀作：民國113年3月1日（星期五）</, 'the date read, the time refused at its field')
  t.match(badTime.body, 'id="err-effectiveTime"')
  t.equal(await eventCount(), before, 'nothing appended')
  const ok = await post(mohwAdmin, '/review/admin/settings/purposes', { content: JSON.stringify(content), effectiveDate: '2024/03/01', effectiveTime: '0000', reason: '三月起（測試）', versionId: 'purposes-date-test', commandId: randomUUID() })
  t.equal(ok.statusCode, 303, ok.body.slice(0, 300))
  const v = (await app.services.rules.versions('purposes')).find((x) => x.versionId === 'purposes-date-test')
  t.equal(v?.effectiveFrom, '2024-02-29T16:00:00.000Z', '113年3月1日 00:00 Taipei')
})

t.test('紀錄查詢 (系統管理) and 網站資料管理: dates in any form; bad ones at their field', async (t) => {
  const r = await get(mohwAdmin, `/review/admin/audit?tab=admin&from=${enc('2024/02/01')}`)
  t.match(r.body, /id="understood-audit-from"[^>]*>讀作：民國113年2月1日（星期四）</)
  t.match(r.body, 'id="audit-rows"')
  const bad = await get(mohwAdmin, `/review/admin/audit?tab=logins&to=${enc('113/02/30')}`)
  t.match(bad.body, `id="err-audit-to">日期迄格式不正確${EXAMPLES}<`)
  t.notMatch(bad.body, 'id="audit-rows"', 'no unfiltered list')
  const before = await eventCount()
  const badSite = await refused(mohwAdmin, '/review/admin/site', { commandId: randomUUID(), kind: 'news', title: '測試', body: '內容', publishedOn: '2024/02/30' })
  t.equal(badSite.status, 303, 'refused: back to its page')
  t.match(badSite.location, /\?form=/)
  t.match(badSite.body, `id="err-publishedOn">發布日期格式不正確${EXAMPLES}<`)
  t.equal(await eventCount(), before, 'nothing appended')
  const okSite = await post(mohwAdmin, '/review/admin/site', { commandId: randomUUID(), kind: 'news', title: '日期測試', body: '內容', publishedOn: '113/2/20' })
  t.equal(okSite.statusCode, 303, okSite.body.slice(0, 300))
  const list = await get(mohwAdmin, '/review/admin/site')
  t.match(list.body, /日期測試<\/a><\/td><td>1130220</, 'published on the day understood')
})

t.test('while typing: GET /review/date-reading gives the same reading, or the same message, as the sent form', async (t) => {
  const reading = (q: Record<string, string>) => get(tpe, `/review/date-reading?${new URLSearchParams(q).toString()}`)
  const ok = await reading({ field: 'supportFrom', id: 'supportFrom', label: '支援日期（起）', side: '起', supportFrom: '2024/03/01' })
  t.equal(ok.statusCode, 200)
  t.match(ok.body, /id="understood-supportFrom"[^>]*>起 讀作：民國113年3月1日（星期五）</)
  t.notMatch(ok.body, '<html', 'a fragment for the field\'s slot')
  const bad = await reading({ field: 'from', id: 'stat-from', label: '起日', from: '113/02/30' })
  t.match(bad.body, `id="err-stat-from">起日格式不正確${EXAMPLES}<`, 'the message the statistics page gives when sent')
  const sent = await get(tpe, `/review/statistics?from=${enc('113/02/30')}`)
  t.match(sent.body, `id="err-stat-from">起日格式不正確${EXAMPLES}<`)
  t.equal((await reading({ field: 'from', id: 'x', label: '起日' })).body.trim(), '', 'nothing typed: nothing said')
  t.equal((await reading({ field: 'name', id: 'x', label: 'x', name: '1130301' })).statusCode, 400, 'only date fields')
  // each date input asks for its reading when it changes
  const page = await get(tpe, '/review/statistics')
  t.match(page.body, /id="stat-from"[^>]*hx-get="\/review\/date-reading" hx-trigger="change" hx-target="#reading-stat-from" hx-push-url="false"/)
  const cases = await get(tpe, '/review/cases')
  t.match(cases.body, /id="supportTo"[^>]*hx-get="\/review\/date-reading"[^>]*hx-target="#reading-supportTo"/)
})
