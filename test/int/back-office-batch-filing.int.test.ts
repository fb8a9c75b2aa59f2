// 後台 整批申請 (issue #16): a reviewer uploads a batch of 登錄 rows for professionals or institutions of their own
// county. Every filed case is recorded as filed on behalf (the event's actor is the reviewer, onBehalfOf the party
// chosen for the file), exactly as 單筆申請; a row whose professional is of another county is refused per row with the
// zh-TW reason, and appends nothing.
import { reportStream } from '../../domain/events.js'
import t from 'tap'
import { buildTestApp, followForm, login, multipart } from '../support/http.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'
import type { SessionUser } from '../../http/session-store.js'

const { app, services, tdb } = await buildTestApp(t)
const store = services.store!
const staff = (id: string, name: string, county: string): SessionUser => ({ actor: { role: 'reviewer', id, name, via: 'staff-card', county }, name })
const tpe = await login(app, staff('TPE-R001', '周文華', '63'))
const ntp = await login(app, staff('NTP-R001', '鄭淑惠', '65'))

const upload = (as: { cookie: string; csrf: string }, content: Buffer, fields: Record<string, string>) => {
  const m = multipart({ _csrf: as.csrf, ...fields }, [{ name: 'file', filename: 'staff.csv', type: 'text/csv', content }])
  return app.inject({ method: 'POST', url: '/review/batch', headers: { cookie: as.cookie, ...m.headers }, payload: m.payload })
}
const jobOf = (body: string) => /\/review\/batch\/([0-9a-f]{64})\/confirm/.exec(body)?.[1]
async function confirmAndWait(as: { cookie: string; csrf: string }, jobId: string) {
  const c = await app.inject({ method: 'POST', url: `/review/batch/${jobId}/confirm`, headers: { cookie: as.cookie, 'x-csrf-token': as.csrf } })
  if (c.statusCode !== 303) throw new Error(`confirm: ${c.statusCode}`)
  for (let i = 0; i < 200; i++) {
    const r = await app.inject({ url: `/review/batch/${jobId}`, headers: { cookie: as.cookie, 'hx-request': 'true' } })
    if (!r.body.includes('hx-trigger="every 1s"')) return r.body
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error('batch did not finish')
}
const filedCases = async (jobId: string) =>
  (await tdb.db.query<{ row_number: number; case_id: string }>(`SELECT row_number, case_id FROM batch_job_rows WHERE job_id = $1 AND outcome = 'filed' ORDER BY row_number`, [jobId])).rows
const drafted = async () => (await store.readAll({ limit: 100_000 })).filter((e) => e.type === 'ReportDrafted').length

// 王大明 (A123456789, home 示範大學附設醫院, 臺北) and 陳志豪 (F122334458, home 新北示範醫院, 新北)
const file = Buffer.from(`\uFEFF${[
  BATCH_COLUMNS.join(','),
  'A123456789,3563020002,02,01,1130304,1130329,1,0800,1200,代為申請',
  'F122334458,3565010003,01,01,1130305,1130326,2,0800,1200,代為申請',
  ',3563020002,02,01,1130306,1130327,3,0800,1200,',
].join('\r\n')}\r\n`)

t.test('the page: in the back office menu, the party of record to choose, the 登錄 template', async (t) => {
  const r = await app.inject({ url: '/review/batch', headers: { cookie: tpe.cookie } })
  t.equal(r.statusCode, 200)
  t.match(r.body, /<a href="\/review\/batch" aria-current="page">整批申請<\/a>/)
  t.match(r.body, /name="onBehalfOf" value="professional"/)
  t.notMatch(r.body, /name="kind"/, 'a reviewer files registrations only: no 申請類別 to choose')
  t.match(r.body, 'template.csv?kind=register')
  const csv = await app.inject({ url: '/review/batch/template.csv', headers: { cookie: tpe.cookie } })
  t.match(csv.body, BATCH_COLUMNS.join(','))
  const none = await upload(tpe, file, {})
  const nonePage = await followForm(app, none, tpe.cookie)
  t.equal(nonePage.status, 303)
  t.match(nonePage.body, /id="err-onBehalfOf"[^>]*>請選擇代為申請的對象/)
  t.match(nonePage.body, '請重新選擇檔案', 'the file is chosen again')
})

t.test('臺北 reviewer on behalf of the institution: own county filed as such, another county refused per row', async (t) => {
  const before = await drafted()
  const r = await upload(tpe, file, { onBehalfOf: 'institution' })
  t.equal(r.statusCode, 200, r.body.slice(0, 400))
  t.match(r.body, '代為申請的對象：<strong>其執業機構</strong>')
  t.match(r.body, '共 3 筆，<strong>可申請 1 筆</strong>，有錯誤 2 筆')
  t.match(r.body, /第 3 列<\/td><td data-label="欄位">身分證號<\/td><td[^>]*>只能代為申請所屬縣市的醫事人員或機構（執業機構「新北示範醫院」不在您所屬縣市）/)
  t.match(r.body, /第 4 列<\/td><td data-label="欄位">身分證號<\/td><td[^>]*>[^<]*身分證號/, 'a reviewer must name the professional')
  const jobId = jobOf(r.body)!
  const done = await confirmAndWait(tpe, jobId)
  t.match(done, '完成：新申請 1 筆。')
  t.match(done, 'href="/review/cases?status=under_review"')
  t.equal(await drafted(), before + 1, 'the refused rows appended nothing')
  const [row] = await filedCases(jobId)
  t.equal(row!.row_number, 2)
  const events = await store.readStream(reportStream(row!.case_id))
  t.same(events.map((e) => e.type), ['ReportDrafted', 'ReportSubmitted'])
  t.equal(events[0]!.meta.actor.role, 'reviewer')
  t.equal(events[0]!.meta.actor.id, 'TPE-R001')
  t.same((events[0]!.data as { onBehalfOf?: unknown }).onBehalfOf, { role: 'institution', id: '0163010001' })
})

t.test('新北 reviewer, the same file on behalf of the professional: the 臺北 row refused, 陳志豪 filed for himself', async (t) => {
  const r = await upload(ntp, file, { onBehalfOf: 'professional' })
  t.match(r.body, '共 3 筆，<strong>可申請 1 筆</strong>，有錯誤 2 筆')
  t.match(r.body, /第 2 列<\/td><td data-label="欄位">身分證號<\/td><td[^>]*>[^<]*執業機構「示範大學附設醫院」不在您所屬縣市/)
  const jobId = jobOf(r.body)!
  t.match(await confirmAndWait(ntp, jobId), '完成：新申請 1 筆。')
  const [row] = await filedCases(jobId)
  t.equal(row!.row_number, 3)
  const events = await store.readStream(reportStream(row!.case_id))
  t.equal(events[0]!.meta.actor.id, 'NTP-R001')
  t.same((events[0]!.data as { onBehalfOf?: unknown }).onBehalfOf, { role: 'professional', id: 'F122334458' })
  // another reviewer's job is not theirs to see
  t.equal((await app.inject({ url: `/review/batch/${jobId}`, headers: { cookie: tpe.cookie } })).statusCode, 404)
})

t.test('the same file again files nothing twice', async (t) => {
  const before = await drafted()
  const again = await upload(tpe, file, { onBehalfOf: 'institution' })
  t.match(again.body, '此檔案已送出過')
  t.equal(await drafted(), before)
})
