// Issue #16, the back office and batch side, as people do it in Chromium (one server, one browser for the file):
// a reviewer files on behalf (單筆申請), decides with nothing preselected and a missing reason told at the field,
// confirms a batch decision; finds a case's record by its 案件編號; the statistician lands on statistics; an
// institution uploads a Big5 CSV and sees the rows to be filed. Screenshots at 1366x768 and 390x844 go to
// /tmp/back-shots (looked at by the developer, not committed).
import { reportStream } from '../../domain/events.js'
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { buildTestApp } from '../support/http.js'
import { fillWeeklyTerms, launchBrowser } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor } from '../../domain/types.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'
import { isoToRoc } from '../../domain/roc-date.js'

const SHOTS = process.env.BACK_SHOTS ?? '/tmp/back-shots'
mkdirSync(SHOTS, { recursive: true })
const { app, parts } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const WIDE = { width: 1366, height: 768 }
const PHONE = { width: 390, height: 844 }
const reviewer: SessionUser = { actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }, name: '周文華' }
const ntpReviewer: SessionUser = { actor: { role: 'reviewer', id: 'NTP-R001', name: '鄭淑惠', via: 'staff-card', county: '65' }, name: '鄭淑惠' }
const statistician: SessionUser = { actor: { role: 'statistician', id: 'MOHW-S001', name: '蔡明哲', via: 'staff-card' }, name: '蔡明哲' }
const hospital: SessionUser = { actor: { role: 'institution', id: '0163010001', name: '示範大學附設醫院', via: 'hca-institution-card', institutionCode: '0163010001' }, name: '示範大學附設醫院', institution: { code: '0163010001', name: '示範大學附設醫院' } }

async function pageAs(user: SessionUser, viewport = WIDE) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  return { context, page: await context.newPage() }
}
const snap = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10)
const roc = (n: number) => isoToRoc(day(n))
const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
// a case under review in 臺北市 for the decision journeys
const o = await parts.reports.file(
  { applicantId: 'A212345679', terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: day(40), to: day(70), weekdays: [2], windows: [{ start: '09:00', end: '12:00' }] } } },
  { commandId: randomUUID(), actor: pro('A212345679', '0163010001') },
)
await parts.waitFor(o.position)
const reviewCase = o.caseId

t.test('單筆申請: a reviewer files on behalf of a professional of the county; recorded as such; another county is told at the field', async (t) => {
  const { page, context } = await pageAs(reviewer)
  await page.goto(`${base}/review/cases`)
  await Promise.all([page.waitForURL(/\/review\/file$/), page.click('nav.side >> text=單筆申請')])
  t.equal(await page.locator('input[name=onBehalfOf]:checked').count(), 0, 'no party preselected')
  await page.check('input[name=onBehalfOf][value=professional]')
  await page.fill('#applicantId', 'A123456789')
  await fillWeeklyTerms(page, { supportedCode: '3563020002', department: '02', purpose: '01', from: roc(20), to: roc(48), weekday: 3, winStart: '0800', winEnd: '1200' })
  await snap(page, 'staff-file-form-1366')
  await Promise.all([page.waitForURL(/done=filed/), page.click('#staff-file-form button[type=submit]')])
  const main = await page.textContent('main')
  t.match(main, '已代為申請並送審此案件')
  t.match(main, '由衛生局審查人員代為申請')
  t.match(main, '周文華')
  t.match(await page.textContent('h1'), '審核中')
  await snap(page, 'staff-file-done-1366')
  await context.close()

  const other = await pageAs(ntpReviewer, PHONE)
  await other.page.goto(`${base}/review/file`)
  await other.page.check('input[name=onBehalfOf][value=institution]')
  await other.page.fill('#applicantId', 'A123456789')
  await fillWeeklyTerms(other.page, { supportedCode: '3563020002', department: '02', purpose: '01', from: roc(90), to: roc(110), weekday: 5, winStart: '1400', winEnd: '1700' })
  await other.page.click('#staff-file-form button[type=submit]')
  await other.page.waitForSelector('#err-applicantId')
  t.match(await other.page.textContent('#err-applicantId'), '執業機構「示範大學附設醫院」不在您所屬縣市', 'refused for another county, at the applicant field')
  t.notMatch(await other.page.textContent('#err-applicantId'), '%s')
  t.equal(await other.page.inputValue('#applicantId'), 'A123456789', 'what was typed is kept')
  await snap(other.page, 'staff-file-other-county-390')
  await other.context.close()
})

t.test('decisions: nothing preselected, a missing choice and a missing reason told at the field; a batch asks first', async (t) => {
  const { page, context } = await pageAs(reviewer)
  await page.goto(`${base}/review/cases/${reviewCase}`)
  t.equal(await page.locator('input[name=decision]:checked').count(), 0, 'no outcome preselected')
  await page.click('#decision button[type=submit]')
  await page.waitForSelector('#err-decision')
  t.match(await page.textContent('#err-decision'), '請選擇審核結果')
  await page.check('input[name=decision][value=return]')
  await page.check('input[name=fieldsToFix][value=schedule]')
  await page.click('#decision button[type=submit]')
  await page.waitForSelector('#err-reason')
  t.match(await page.textContent('#err-reason'), '請填寫理由')
  t.ok(await page.isChecked('input[name=decision][value=return]'), 'the choice is kept')
  await snap(page, 'decision-missing-reason-1366')

  // batch: the decision starts unchosen and the reviewer confirms before anything is decided
  await page.goto(`${base}/review/cases?status=under_review`)
  t.equal(await page.inputValue('#batch-decision'), '', 'the batch decision starts at 請選擇')
  await page.check(`input[name=caseId][value="${reviewCase}"]`)
  await page.selectOption('#batch-decision', 'approve')
  let asked = ''
  page.once('dialog', (d) => { asked = d.message(); void d.dismiss() })
  await page.click('button[hx-post="/review/decisions"]')
  await page.waitForTimeout(300)
  t.match(asked, '確定對勾選的案件送出批次審核', 'asked for confirmation')
  t.equal(await page.locator('#batch-summary').count(), 0, 'dismissed: nothing decided')
  page.once('dialog', (d) => void d.accept())
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/review/decisions')), page.click('button[hx-post="/review/decisions"]')])
  await page.waitForSelector('#batch-summary')
  t.match(await page.textContent('#batch-summary'), '成功 1 件')
  t.equal(await page.getAttribute('button[formaction="/review/print"]', 'formmethod'), 'post', '套印 of the ticked cases is a POST')
  await snap(page, 'batch-decided-1366')
  await context.close()
})

t.test('紀錄查詢 by 案件編號: decisions and logins beside reads; a bad date at its field and no list', async (t) => {
  const { page, context } = await pageAs(reviewer, PHONE)
  const caseNumber = ((await app.services.store!.readStream(reportStream(reviewCase))).find((e) => e.type === 'ReportSubmitted')!.data as { caseNumber: string }).caseNumber
  await page.goto(`${base}/review/audit`)
  await page.fill('#a-subject', caseNumber)
  await page.fill('#a-viewer', 'TPE-R001')
  await Promise.all([page.waitForURL(/subject=/), page.click('form[action="/review/audit"] button[type=submit]')])
  t.match(await page.textContent('#dec-log-h'), caseNumber)
  t.match(await page.textContent('#decision-table'), '周文華')
  t.match(await page.textContent('main'), '查閱者 TPE-R001 的登入紀錄')
  await snap(page, 'audit-case-number-390')
  await page.fill('#a-from', '1139999')
  await page.click('form[action="/review/audit"] button[type=submit]')
  await page.waitForSelector('#err-a-from')
  t.match(await page.textContent('#err-a-from'), '起日格式不正確')
  t.equal(await page.locator('#audit-table').count(), 0, 'no unfiltered list')
  await snap(page, 'audit-bad-date-390')
  await context.close()
})

t.test('the statistician lands on 統計分析: all 22 counties, the period stated, no review menus', async (t) => {
  for (const [vp, name] of [[WIDE, '1366'], [PHONE, '390']] as const) {
    const { page, context } = await pageAs(statistician, vp)
    await page.goto(`${base}/review`)
    t.match(page.url(), /\/review\/statistics$/)
    const nav = await page.textContent('nav.side')
    t.notMatch(nav, '報備支援管理')
    t.notMatch(nav, '單筆申請')
    t.match(await page.textContent('main'), '統計期間：')
    t.equal(await page.locator('#stat-table tbody tr').count(), 22, 'every county, zero rows too')
    await snap(page, `statistician-landing-${name}`)
    await page.goto(`${base}/review/statistics?report=profession&byMonth=1`)
    t.match(await page.textContent('main'), '每月申辦件數（依醫事人員類別）')
    t.notMatch(await page.textContent('#stat-table'), /\d{4}-\d{2}/, 'month labels in ROC')
    t.match(await page.textContent('#stat-table thead'), '審理天數中位數（以日計）', 'the median says it counts whole days')
    t.match(await page.textContent('main'), '以滿日計（未滿 24 小時為 0 日）')
    await snap(page, `statistics-monthly-${name}`)
    await context.close()
  }
})

t.test('批次上傳: a Big5 CSV saved by Excel is read, the rows to be filed previewed, then filed', async (t) => {
  const text = [BATCH_COLUMNS.join(','), `Q134567894,3563020002,02,01,${roc(15)},${roc(43)},4,1400,1700,支援門診`, `Q134567894,3563020002,02,01,${roc(15)},${roc(43)},4,1500,1800,重疊`].join('\r\n') + '\r\n'
  const big5 = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP950'], { input: text })
  const { page, context } = await pageAs(hospital)
  await page.goto(`${base}/institution/batch`)
  await page.setInputFiles('#file', { name: 'batch-big5.csv', mimeType: 'text/csv', buffer: big5 })
  await Promise.all([page.waitForURL(/\/institution\/batch$/), page.click('form[action="/institution/batch"] button[type=submit]')])
  const main = await page.textContent('main')
  t.match(main, '可申請 1 筆')
  t.match(main, '將送出的資料（1 筆）')
  t.match(await page.textContent('#preview-h + .table-wrap'), '支援門診', 'the Big5 note reads right')
  t.match(main, /第 3 列[\s\S]*開始時間/, 'the clashing second row is refused at the check, not at filing')
  t.match(main, '支援時段與本檔第 2 列重疊', 'naming the row it clashes with')
  t.notMatch(main, '[object', 'the schedule in words')
  await snap(page, 'batch-check-big5-1366')
  await Promise.all([page.waitForURL(/\/institution\/batch\/[0-9a-f]{64}$/), page.click('form[action$="/confirm"] button[type=submit]')])
  await page.waitForSelector('text=完成：新申請 1 筆')
  await snap(page, 'batch-done-1366')
  await context.close()
})
