// Back office through HTTP: query with filters and Excel, open a case (terms, findings, history, time travel,
// read audit), decisions singly and in batch, scope (臺北市 never sees 新北市; 副知 is read-only; statisticians
// read only), double decisions, 套印 PDFs.
import { reportStream } from '../../domain/events.js'
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import t from 'tap'
import { lastAppendedPosition } from '../support/projection-env.js'
import { buildTestApp, followForm, form, login, TEST_CATCH_UP_MS } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor } from '../../domain/types.js'
import { auditStream } from '../../commands/read-audit.js'

const { app, parts, services } = await buildTestApp(t)
const store = services.store!

const staff = (id: string, name: string, county?: string, role: 'reviewer' | 'statistician' = 'reviewer'): SessionUser => ({
  actor: { role, id, name, via: 'staff-card', ...(county ? { county } : {}) }, name,
})
const tpe = await login(app, staff('TPE-R001', '周文華', '63'))
const tpe2 = await login(app, staff('TPE-R002', '林志明', '63'))
const ntp = await login(app, staff('NTP-R001', '鄭淑惠', '65'))
const tyn = await login(app, staff('TYN-R001', '許家豪', '68'))
const mohw = await login(app, staff('MOHW-S001', '蔡明哲', undefined, 'statistician'))

const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
async function file(applicantId: string, home: string, supportedCode: string, from: string, to: string, weekdays: (1 | 2 | 3 | 4 | 5 | 6 | 7)[] = [1, 3]) {
  const o = await parts.reports.file(
    { applicantId, terms: { supportedCode, department: '02', purpose: '01', schedule: { kind: 'weekly', from, to, weekdays, windows: [{ start: '08:00', end: '12:00' }] } } },
    { commandId: randomUUID(), actor: pro(applicantId, home) },
  )
  await parts.waitFor(o.position)
  return o.caseId
}
// A: 王大明 (臺北) → 仁愛家醫診所 (臺北): reviewed by 63
const A = await file('A123456789', '0163010001', '3563020002', '2024-03-04', '2024-03-29')
// B: 陳志豪 (新北) → 板橋康健診所 (新北): reviewed by 65
const B = await file('F122334458', '0165020004', '3565010003', '2024-03-05', '2024-03-28', [2])
// C: 林美玲, pharmacist of a 臺北 pharmacy → 永和好藥局 (新北): reviewed by 63 (home county), copied to 65
const C = await file('A223456012', '5963030005', '5965040006', '2024-03-06', '2024-03-27', [3])
// D: 劉冠宇 (臺北) → 仁愛家醫診所, for batch decisions
const D = await file('Q134567894', '0163010001', '3563020002', '2024-03-02', '2024-03-30', [6])

const get = (s: { cookie: string }, url: string) => app.inject({ url, headers: { cookie: s.cookie } })
const post = (s: { cookie: string; csrf: string }, url: string, fields: Record<string, string | string[]>, htmx = false) =>
  app.inject({
    method: 'POST', url,
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', ...(htmx ? { 'hx-request': 'true' } : {}) },
    payload: form({ _csrf: s.csrf, ...fields }),
  })
const streamOf = (id: string) => store.readStream(reportStream(id))
const versionOf = async (id: string) => String((await streamOf(id)).length)
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8').replace(/ +/g, ' ')
const pdfPages = (pdf: Buffer) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', ['-'], { input: pdf }).toString())?.[1])

t.test('guard: only bureau staff; anonymous users are sent to log in', async (t) => {
  t.equal((await app.inject({ url: '/review/cases' })).statusCode, 401)
  const wang = await login(app, { actor: pro('A123456789', '0163010001'), name: '王大明' })
  t.equal((await get(wang, '/review/cases')).statusCode, 403)
  const home = await get(tpe, '/review')
  t.equal(home.statusCode, 303)
  t.equal(home.headers.location, '/review/cases')
})

t.test('query: county scope, filters, menu, masked IDs, ROC dates, Excel', async (t) => {
  const r = await get(tpe, '/review/cases')
  t.equal(r.statusCode, 200)
  for (const label of ['報備支援管理', '登錄', '變更', '註銷', '報備支援額度限制查詢', '統計分析', '紀錄查詢', 'idle-countdown']) t.match(r.body, label)
  t.match(r.body, '<strong id="total">3</strong>', 'A, C, D routed to 臺北市; B is not')
  t.match(r.body, 'A1234XXXX9')
  t.notMatch(r.body, 'A123456789')
  t.notMatch(r.body, '陳志豪')
  t.match(r.body, '1130304 星期一')
  const pharm = await get(tpe, '/review/cases?profession=D')
  t.match(pharm.body, '<strong id="total">1</strong>')
  t.match(pharm.body, '林美玲')
  const combined = await get(tpe, `/review/cases?profession=A&profession=F&supportFrom=1130302&supportTo=1130302&weekday=6&county=63&startHour=08&startMinute=00&endHour=12&endMinute=00&status=under_review&applicationType=register&submittedFrom=1130220&submittedTo=1130220`)
  t.match(combined.body, '<strong id="total">1</strong>')
  t.match(combined.body, '劉冠宇')
  const byName = await get(tpe, `/review/cases?name=${encodeURIComponent('王')}&applyingInstitution=${encodeURIComponent('示範')}`)
  t.match(byName.body, '<strong id="total">1</strong>')
  const bad = await get(tpe, '/review/cases?submittedFrom=1130231&personId=A111')
  t.equal(bad.statusCode, 200)
  t.match(bad.body, /id="err-submittedFrom"[^>]*>送審日期（起）格式不正確/, 'the bad date at its field')
  t.match(bad.body, '身分證統一編號或居留證號格式不正確')
  const paged = await get(tpe, '/review/cases?pageSize=20&sort=name&dir=asc')
  t.ok(paged.body.indexOf('林美玲') < paged.body.indexOf('王大明') || paged.body.indexOf('劉冠宇') < paged.body.indexOf('王大明'))
  const partial = await app.inject({ url: '/review/cases?profession=D', headers: { cookie: tpe.cookie, 'hx-request': 'true', 'hx-target': 'results' } })
  t.notMatch(partial.body, '<html', 'htmx gets the results fragment only')
  t.match(partial.body, '林美玲')
  const nb = await get(ntp, '/review/cases')
  t.match(nb.body, '<strong id="total">2</strong>', 'B routed to 新北市, C copied to it')
  t.notMatch(nb.body, '王大明')
  const x = await get(tpe, '/review/cases.xlsx?status=under_review')
  t.equal(x.statusCode, 200)
  t.match(String(x.headers['content-type']), 'spreadsheetml')
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
  const ws = wb.worksheets[0]!
  t.equal(ws.rowCount, 4, 'header + 3 cases')
  t.equal(ws.getRow(1).getCell(1).value, '案件編號')
  const names = [2, 3, 4].map((i) => ws.getRow(i).getCell(4).value).sort()
  t.same(names, ['劉冠宇', '林美玲', '王大明'].sort())
  t.ok([2, 3, 4].every((i) => /^[A-Z]\d{4}XXXX\d$/.test(String(ws.getRow(i).getCell(5).value))), 'IDs masked in the file too')
})

t.test('open a case: terms, findings at filing and now, history with actor and card; the view is audited', async (t) => {
  const r = await get(tpe, `/review/cases/${A}`)
  t.equal(r.statusCode, 200)
  t.match(r.body, '王大明')
  t.match(r.body, 'A1234XXXX9')
  t.match(r.body, '仁愛家醫診所（3563020002')
  t.match(r.body, '1130304 星期一 至 1130329 星期五，每週一、三，0800–1200')
  t.match(r.body, '送審時（送審（登錄）')
  t.match(r.body, '目前重新檢核')
  t.match(r.body, '無時段衝突')
  t.match(r.body, '醫事人員卡')
  t.match(r.body, '建立草稿')
  t.match(r.body, 'name="version" value="2"')
  const audit = await store.readStream(auditStream('2024-02-20'))
  const mine = audit.filter((e) => (e.data as { viewer: string }).viewer === 'TPE-R001')
  t.same(mine.slice(-2).map((e) => (e.data as { subject: unknown }).subject), [{ kind: 'case', id: A }, { kind: 'person', id: 'A123456789' }])
  t.equal((mine.at(-1)?.data as { via: string }).via, 'GET /review/cases/:caseId')
})

t.test('scope: 臺北市 never sees or decides a 新北市 case; 副知 is read-only; statisticians never decide', async (t) => {
  const seen = await get(tpe, `/review/cases/${B}`)
  t.equal(seen.statusCode, 404)
  t.notMatch(seen.body, '陳志豪')
  t.notMatch(seen.body, '板橋康健診所')
  const v = await versionOf(B)
  const d = await post(tpe, `/review/cases/${B}/decision`, { decision: 'approve', commandId: randomUUID(), version: v })
  t.equal(d.statusCode, 404)
  t.equal((await streamOf(B)).length, Number(v), 'nothing appended')
  t.equal((await get(tpe, `/review/cases/${B}/approval.pdf`)).statusCode, 404)
  t.equal((await get(ntp, `/review/cases/${A}`)).statusCode, 404)
  const copied = await get(ntp, `/review/cases/${C}`)
  t.equal(copied.statusCode, 200)
  t.match(copied.body, '副知案件')
  t.notMatch(copied.body, '送出審核')
  const cd = await post(ntp, `/review/cases/${C}/decision`, { decision: 'approve', commandId: randomUUID() })
  t.equal(cd.statusCode, 403)
  t.match(cd.body, '副知案件，僅供檢視')
  const all = await get(mohw, '/review/cases')
  t.match(all.body, '<strong id="total">4</strong>')
  t.equal((await get(mohw, `/review/cases/${B}`)).statusCode, 200)
  const sd = await post(mohw, `/review/cases/${B}/decision`, { decision: 'approve', commandId: randomUUID() })
  t.equal(sd.statusCode, 403)
})

t.test('reasons: reject needs a reason, return needs a reason and fields', async (t) => {
  const r1 = await followForm(app, await post(tpe, `/review/cases/${C}/decision`, { decision: 'reject', reason: ' ', commandId: randomUUID() }), tpe.cookie)
  t.equal(r1.status, 303, 'shown on the case page at the reason')
  t.match(r1.body, '請填寫理由')
  const r2 = await followForm(app, await post(tpe, `/review/cases/${C}/decision`, { decision: 'return', reason: '請補附件', commandId: randomUUID() }), tpe.cookie)
  t.equal(r2.status, 303, 'back to the case page (POST-redirect-GET)')
  t.match(r2.body, '勾選需修正的欄位')
  const bogus = await followForm(app, await post(tpe, `/review/cases/${C}/decision`, { decision: 'return', reason: '請補附件', fieldsToFix: ['attachments', 'bogus'], commandId: randomUUID(), version: await versionOf(C) }), tpe.cookie)
  t.equal(bogus.status, 303, 'a field that cannot be returned is refused by the decider')
  const r3 = await post(tpe, `/review/cases/${C}/decision`, { decision: 'return', reason: '請補附件', fieldsToFix: ['attachments'], commandId: randomUUID(), version: await versionOf(C) })
  t.equal(r3.statusCode, 303)
  const last = (await streamOf(C)).at(-1)!
  t.equal(last.type, 'ReportReturned')
  t.same(last.data, { reviewerId: 'TPE-R001', reason: '請補附件', fieldsToFix: ['attachments'] })
  t.equal(last.meta.actor.id, 'TPE-R001')
})

t.test('two reviewers decide the same case at once: one wins, the other gets a clear message, nothing twice', async (t) => {
  const v = await versionOf(A)
  const [a, b] = await Promise.all([
    post(tpe, `/review/cases/${A}/decision`, { decision: 'approve', commandId: randomUUID(), version: v }),
    post(tpe2, `/review/cases/${A}/decision`, { decision: 'approve', note: '第二位審查員', commandId: randomUUID(), version: v }),
  ])
  // both answer 303 (POST-redirect-GET): the winner to the case page saying done, the loser to it with a notice
  t.same([a.statusCode, b.statusCode], [303, 303])
  const [la, lb] = [String(a.headers.location), String(b.headers.location)]
  t.ok([la, lb].filter((l) => l.includes('?done=')).length === 1 && [la, lb].filter((l) => l.includes('?form=')).length === 1, `one wins, one is refused: ${la} ${lb}`)
  const loser = la.includes('?form=') ? { r: a, s: tpe } : { r: b, s: tpe2 }
  const loserPage = await followForm(app, loser.r, loser.s.cookie)
  t.ok(/id="flash-notice">(案件已被其他人更新，請重新整理後再試|此案件目前沒有待審核的申請)/.test(loserPage.body), 'zh-TW message on the case page')
  const decisions = (await streamOf(A)).filter((e) => ['ReportApproved', 'ReportRejected'].includes(e.type))
  t.equal(decisions.length, 1)
  // a stale page (older version) is refused even after the race
  const stale = await post(tpe2, `/review/cases/${A}/decision`, { decision: 'approve', commandId: randomUUID(), version: v })
  t.equal(stale.statusCode, 303)
  t.match((await followForm(app, stale, tpe2.cookie)).body, /id="flash-notice">案件已被其他人更新/)
  // the same command again (double click) is answered, not re-applied
  const cmd = randomUUID()
  const vD = await versionOf(D)
  const first = await post(tpe, `/review/cases/${D}/decision`, { decision: 'approve', commandId: cmd, version: vD })
  const again = await post(tpe, `/review/cases/${D}/decision`, { decision: 'approve', commandId: cmd, version: vD })
  t.equal(first.statusCode, 303)
  t.equal(again.statusCode, 303)
  t.equal((await streamOf(D)).filter((e) => e.type === 'ReportApproved').length, 1)
  // deciding a case that has nothing under review
  const none = await post(tpe, `/review/cases/${D}/decision`, { decision: 'approve', commandId: randomUUID() })
  t.equal(none.statusCode, 303)
  t.match((await followForm(app, none, tpe.cookie)).body, /id="flash-notice">此案件目前沒有待審核的申請/)
})

t.test('batch decisions: per-case outcome, scope kept', async (t) => {
  const E = await file('A212345679', '0163010001', '3563020002', '2024-03-12', '2024-03-26', [2])
  const r = await post(tpe, '/review/decisions', { decision: 'approve', commandId: randomUUID(), caseId: [E, B, D] }, true)
  t.equal(r.statusCode, 200)
  t.match(r.body, '成功 1 件，未處理 2 件')
  t.match(r.body, 'data-code="REPORT_NOT_FOUND"', 'B is not 臺北市\'s: not found')
  t.match(r.body, 'data-code="NOTHING_TO_DECIDE"')
  t.notMatch(r.body, '陳志豪')
  t.equal((await streamOf(E)).at(-1)?.type, 'ReportApproved')
  t.equal((await streamOf(B)).at(-1)?.type, 'ReportSubmitted')
  // what a rejection must say is the decider's rule: asked of a case still under review
  const F = await file('A212345679', '0163010001', '3563020002', '2024-04-02', '2024-04-30', [2])
  const rej = await post(tpe, '/review/decisions', { decision: 'reject', commandId: randomUUID(), caseId: [F] }, true)
  t.match(rej.body, 'data-code="REASON_REQUIRED"')
})

t.test('套印: one approval form, a batch in one PDF, unapproved refused', async (t) => {
  const approval = (await streamOf(A)).find((e) => e.type === 'ReportApproved')!.data as { approvalNumber: string }
  const one = await get(tpe, `/review/cases/${A}/approval.pdf`)
  t.equal(one.statusCode, 200)
  t.equal(one.headers['content-type'], 'application/pdf')
  t.equal(pdfPages(one.rawPayload), 1)
  const text = pdfText(one.rawPayload)
  t.match(text, '臺北市政府衛生局')
  t.match(text, '醫事人員報備支援核准表')
  t.match(text, approval.approvalNumber)
  t.match(text, '1130304 星期一 至 1130329 星期五')
  t.match(text, 'A1234XXXX9')
  t.equal((await get(tpe, `/review/print?caseId=${A}&caseId=${D}`)).statusCode, 404, 'batch print is a POST, never a GET with ids in the URL')
  const batch = await post(tpe, '/review/print', { caseId: [A, D] })
  t.equal(batch.statusCode, 200)
  t.equal(pdfPages(batch.rawPayload), 2)
  t.match(pdfText(batch.rawPayload), '劉冠宇')
  const unapproved = await get(ntp, `/review/cases/${B}/approval.pdf`)
  t.equal(unapproved.statusCode, 409)
  t.match(unapproved.body, '尚未核准')
})

t.test('time travel: the case as it stood before the decision', async (t) => {
  const before = await get(tpe, `/review/cases/${A}?asOfDate=1130220&asOfTime=1000`)
  t.equal(before.statusCode, 200)
  const section = before.body.slice(before.body.indexOf('id="asof-result"'))
  t.match(section, '審核中')
  t.match(section, '1130220 1000')
  const earlier = await get(tpe, `/review/cases/${A}?asOfDate=1130219&asOfTime=0900`)
  t.match(earlier.body, '案件尚未建立')
  const now = await get(tpe, `/review/cases/${A}`)
  t.match(now.body, '已核准')
})

t.test('attachments are streamed from the blob store, only in scope', async (t) => {
  const content = Buffer.from('%PDF-1.4\n%back office test\n')
  const att = await parts.blobs.put('診所同意書.pdf', content)
  // C was returned to its filer: attachments may be added again
  const o = await parts.reports.addAttachment(C, att, { commandId: randomUUID(), actor: pro('A223456012', '5963030005') })
  await parts.waitFor(o.position)
  const page = await get(tpe, `/review/cases/${C}`)
  t.match(page.body, '診所同意書.pdf')
  const r = await get(tpe, `/review/cases/${C}/attachments/${att.hash}`)
  t.equal(r.statusCode, 200)
  t.equal(r.headers['content-type'], 'application/pdf')
  t.same(r.rawPayload, content)
  t.equal((await get(ntp, `/review/cases/${C}/attachments/${att.hash}`)).statusCode, 200, 'copied county reads it')
  t.equal((await get(tyn, `/review/cases/${C}/attachments/${att.hash}`)).statusCode, 404)
  t.equal((await get(tpe, `/review/cases/${D}/attachments/${att.hash}`)).statusCode, 404, 'not an attachment of that case')
})

t.test('紀錄查詢: views by reviewer, filtered, county-scoped', async (t) => {
  t.ok(await parts.runner!.waitFor(await lastAppendedPosition(services.db!), ['read_audit'], TEST_CATCH_UP_MS), 'read_audit caught up')
  const r = await get(tpe, `/review/audit?subject=${A}`)
  t.equal(r.statusCode, 200)
  t.match(r.body, '周文華')
  t.match(r.body, `案件 <a href="/review/cases/${A}">`)
  const numberOfA = (await store.readStream(reportStream(A))).map((e) => (e.data as { caseNumber?: string }).caseNumber).find(Boolean)
  t.ok(numberOfA, 'case A has a case number')
  t.match(r.body, `案件 <a href="/review/cases/${A}">${numberOfA}</a>`, 'shown by its 案件編號, not its internal id')
  t.match(r.body, '>開啟案件</small>', 'how the case was read, in zh-TW (not the route)')
  const person = await get(tpe, '/review/audit?subject=A123456789&viewer=TPE-R001')
  t.match(person.body, '個人 A1234XXXX9')
  const theirs = await get(ntp, '/review/audit?viewer=TPE-R001')
  t.match(theirs.body, '共 <strong>0</strong> 筆', 'a county sees its own staff\'s views only')
})

t.test('batch decisions over htmx: the results refresh in place, each case with its outcome', async (t) => {
  const F = await file('Q134567894', '0163010001', '3563020002', '2024-03-07', '2024-03-28', [4])
  const G = await file('A212345679', '0163010001', '3563020002', '2024-03-08', '2024-03-29', [5])
  // another reviewer of the same bureau decides G first
  const other = await post(tpe2, `/review/cases/${G}/decision`, { decision: 'approve', commandId: randomUUID(), version: await versionOf(G) })
  t.equal(other.statusCode, 303)
  const returnTo = `name=${encodeURIComponent('劉冠宇')}&sort=caseNumber&dir=asc`
  const commandId = randomUUID()
  const r = await post(tpe, '/review/decisions', { decision: 'approve', commandId, caseId: [F, G, B], returnTo }, true)
  t.equal(r.statusCode, 200)
  t.notMatch(r.body, '<html', 'a fragment for #results')
  t.match(r.body, '成功 1 件，未處理 2 件')
  t.match(r.body, '<strong id="total">2</strong>', 'the query the reviewer was on (劉冠宇: D and F), re-run')
  const numberOf = async (id: string) => (await streamOf(id)).find((e) => e.type === 'ReportSubmitted')!.data as { caseNumber: string }
  const fNo = (await numberOf(F)).caseNumber
  const row = (body: string, caseNumber: string) => {
    const at = body.indexOf(`>${caseNumber}</a>`, body.indexOf('aria-label="查詢結果"'))
    return body.slice(body.lastIndexOf('<tr', at), body.indexOf('</tr>', at))
  }
  const fRow = row(r.body, fNo)
  t.match(fRow, 'data-outcome="ok"')
  t.match(fRow, '已核准', 'the row shows the new status')
  t.match(fRow, '<span class="badge outcome-ok" title="成功">成功</span>')
  const summary = r.body.slice(r.body.indexOf('id="batch-summary"'), r.body.indexOf('</table>', r.body.indexOf('id="batch-summary"')))
  t.match(summary, /<tr class="outcome-ok" data-code="OK">.*成功/)
  t.match(summary, '已被他人處理（林志明），目前：已核准', 'G was decided by a colleague')
  t.match(summary, /<tr class="outcome-failed" data-code="REPORT_NOT_FOUND">.*失敗：/, 'B is not 臺北市\'s')
  t.notMatch(r.body, '陳志豪')
  t.notMatch(r.body, `value="${commandId}"`, 'a fresh command id for the next batch')
  t.match(r.body, `name="returnTo" value="${returnTo.replace(/&/g, '&amp;')}"`, 'the refreshed form still knows its query')
  t.equal((await streamOf(F)).at(-1)?.type, 'ReportApproved')
  t.equal((await streamOf(G)).filter((e) => e.type === 'ReportApproved').length, 1, 'G decided once')
  // without htmx: a page with the outcomes and a link back to the same (refreshed) results
  // (POST-redirect-GET: 303 to 批次審核結果, whose address names the outcomes; a reload shows them and decides nothing)
  const sent = await post(tpe, '/review/decisions', { decision: 'approve', commandId: randomUUID(), caseId: [F], returnTo }, false)
  t.equal(sent.statusCode, 303)
  t.match(String(sent.headers.location), /^\/review\/decisions\/result\?form=[\w-]+$/)
  const eventsBefore = (await streamOf(F)).length
  const plain = await followForm(app, sent, tpe.cookie)
  t.equal(plain.statusCode, 200)
  t.match(plain.body, '已處理過，目前：已核准')
  t.match(plain.body, `href="/review/cases?${returnTo.replace(/&/g, '&amp;')}"`)
  const reload = await app.inject({ url: plain.location, headers: { cookie: tpe.cookie } })
  t.match(reload.body, '已處理過，目前：已核准', 'a reload shows the same outcomes')
  t.equal((await streamOf(F)).length, eventsBefore, 'and decides nothing')
  const stale = await app.inject({ url: '/review/decisions/result', headers: { cookie: tpe.cookie } })
  t.equal(stale.statusCode, 303, 'without the outcomes: back to 案件查詢')
  t.match(String(stale.headers.location), /^\/review\/cases\?form=/)
  // a tampered returnTo is no query at all, not an error
  const odd = await post(tpe, '/review/decisions', { decision: 'approve', commandId: randomUUID(), caseId: [F], returnTo: 'status=bogus&pageSize=999999&x=1' }, true)
  t.equal(odd.statusCode, 200)
})

t.test('the decision form: no outcome preselected; a missing choice or reason is shown at its field, nothing appended', async (t) => {
  const H = await file('Q134567894', '0163010001', '3563020002', '2024-05-04', '2024-05-25', [6])
  const page = await get(tpe, `/review/cases/${H}`)
  t.notMatch(page.body, /name="decision" value="[a-z]+" checked/, 'no outcome is preselected')
  const before = (await streamOf(H)).length
  const none = await followForm(app, await post(tpe, `/review/cases/${H}/decision`, { commandId: randomUUID(), reason: '' }), tpe.cookie)
  t.equal(none.status, 303, 'back to the case page (POST-redirect-GET)')
  t.match(none.body, /id="err-decision"[^>]*>請選擇審核結果/)
  const noReason = await followForm(app, await post(tpe, `/review/cases/${H}/decision`, { decision: 'return', fieldsToFix: 'schedule', note: '', commandId: randomUUID() }), tpe.cookie)
  t.equal(noReason.status, 303, 'back to the case page (POST-redirect-GET)')
  t.match(noReason.body, /id="err-reason"[^>]*>請填寫理由/)
  t.match(noReason.body, /value="return" checked/, 'the choice made is kept')
  t.match(noReason.body, /value="schedule" checked/, 'and the fields ticked')
  t.equal((await streamOf(H)).length, before, 'a refused decision appends nothing')
  const batchNone = await post(tpe, '/review/decisions', { commandId: randomUUID(), caseId: [H] }, true)
  t.equal(batchNone.headers['hx-retarget'], '#alerts', 'told in the page alert area')
  t.match(batchNone.body, '請選擇審核結果')
  const results = await get(tpe, '/review/cases?status=under_review')
  t.match(results.body, /<select name="decision" id="batch-decision"><option value="">請選擇<\/option>/, 'the batch decision starts unchosen')
  t.match(results.body, /hx-confirm="確定對勾選的案件送出批次審核/, 'and asks for confirmation')
  t.equal((await streamOf(H)).length, before)
})

t.test('紀錄查詢: a case found by its 案件編號 with its decisions beside the reads; a bad filter shown at its field, no list', async (t) => {
  const caseNumber = ((await streamOf(A)).find((e) => e.type === 'ReportSubmitted')!.data as { caseNumber: string }).caseNumber
  await get(tpe, `/review/cases/${A}`)
  const r = await get(tpe, `/review/audit?subject=${caseNumber}&viewer=TPE-R001`)
  t.equal(r.statusCode, 200)
  t.match(r.body, `案件 ${caseNumber} 的審核紀錄`)
  t.match(r.body, /id="decision-table"[\s\S]*?周文華|林志明/, 'the decision and who made it')
  t.match(r.body, new RegExp(`id="audit-table"[\\s\\S]*href="/review/cases/${A}"`), 'the reads of the case')
  t.match(r.body, '查閱者 TPE-R001 的登入紀錄', 'logins beside reads')
  const bad = await get(tpe, '/review/audit?from=1139999&subject=12345')
  t.match(bad.body, /id="err-a-from"[^>]*>起日格式不正確/)
  t.match(bad.body, /id="err-subject"[^>]*>/)
  t.notMatch(bad.body, 'id="audit-table"', 'no unfiltered list instead')
  const foreign = await get(ntp, `/review/audit?subject=${caseNumber}`)
  t.match(foreign.body, /id="err-subject"[^>]*>查無此案件編號/, "another county's case number does not resolve")
})

t.test('額度限制查詢: a person\'s use per period beside the limits that apply and the excess, periods in ROC', async (t) => {
  const r = await get(tpe, '/review/quota?personId=A123456789&period=week')
  t.equal(r.statusCode, 200)
  t.match(r.body, /適用上限：[\s\S]*?上限 \d+ (診次|小時)/, 'the limits that apply')
  t.match(r.body, /<th scope="col" class="num">超出<\/th>/, 'and the excess per period')
  t.match(r.body, /<td>113年第\d+週<\/td>/, 'weeks in ROC')
  t.notMatch(r.body, /<td>2024-W\d+<\/td>/)
  // a standing per period and per cap: the limit, then the excess or —
  const periods = (r.body.match(/<td>113年第\d+週<\/td>/g) ?? []).length
  const caps = (r.body.match(/<th scope="col" class="num">超出<\/th>/g) ?? []).length
  t.ok(periods > 0 && caps > 0)
  t.equal((r.body.match(/data-f="excess">(—|超出 [\d.]+)</g) ?? []).length, periods * caps)
})
