// The front office in real Chromium: a professional files through the form (institution search via htmx, live
// checks), sees the case in the list and the calendar, prints; an institution sees its dashboard update and
// batch-uploads. Screenshots of each main page go to test-output/screenshots/.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { buildTestApp, institution, professional } from '../support/http.js'
import { fillWeeklyTerms, launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'

const { app, parts } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

async function pageAs(user: SessionUser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  return context.newPage()
}

// a future month so the filing is never in the past
const next = new Date(Date.now() + 40 * 86400_000)
const y = next.getUTCFullYear(), m = String(next.getUTCMonth() + 1).padStart(2, '0')
const roc = (d: number) => `${y - 1911}${m}${String(d).padStart(2, '0')}`
const month = `${y}-${m}`

t.test('professional: file via the form, list, case page, calendar, print', async (t) => {
  const page = await pageAs(professional())
  await page.goto(`${base}/home`)
  t.match(await page.textContent('header'), '王大明')
  await page.screenshot({ path: shot('professional-home'), fullPage: true })

  await page.goto(`${base}/reports/new`)
  await page.fill('#instQuery', '仁愛')
  await page.click('[data-pick-institution][data-code="3563020002"]')
  t.equal(await page.inputValue('#supportedCode'), '3563020002', 'picked from the htmx search')
  await page.selectOption('#department', '02')
  await page.selectOption('#purpose', '01')
  await page.fill('#from', roc(1))
  await page.fill('#to', roc(28))
  await page.check('input[name="weekdays"][value="2"]')
  await page.fill('input[name="winStart"]', '0800')
  await page.fill('input[name="winEnd"]', '0700')
  await page.locator('#checks').getByText('結束時間須晚於開始時間').waitFor()
  t.pass('live check shows the time error')
  await page.fill('input[name="winEnd"]', '1200')
  await page.click('[data-add-row="windows"]')
  t.equal(await page.locator('#windows .row').count(), 2, 'a window row added')
  await page.locator('#windows .row').nth(1).locator('[data-remove-row]').click()
  t.equal(await page.locator('#windows .row').count(), 1, 'and removed')
  await page.screenshot({ path: shot('report-form'), fullPage: true })
  await page.click('button[name="intent"][value="submit"]')
  await page.click('#confirm-filing [data-confirm]') // 確認案件內容後存檔送出
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}\?done=submit/)
  t.match(await page.textContent('main'), '已送出申請')
  t.match(await page.textContent('main'), '審核中')
  await page.screenshot({ path: shot('case-page'), fullPage: true })
  const caseId = new URL(page.url()).pathname.split('/')[2]!

  await page.goto(`${base}/reports`)
  t.match(await page.textContent('table'), '仁愛家醫診所')
  await page.screenshot({ path: shot('case-list'), fullPage: true })

  const o = await parts.reports.approve(caseId, {}, { commandId: randomUUID(), actor: { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' } })
  await parts.waitFor(o.position)
  await page.goto(`${base}/home?month=${month}`)
  t.ok(await page.locator('.occ.approved').count() >= 4, 'approved occurrences on the calendar')
  await page.screenshot({ path: shot('professional-calendar'), fullPage: true })
  const title = await page.textContent('#cal-title')
  await page.click('text=下個月 ›')
  await page.waitForFunction((t) => document.querySelector('#cal-title')?.textContent !== t, title)
  t.match(page.url(), /month=/, 'the URL follows (hx-push-url)')
  t.pass('htmx month navigation')

  // a second filing on the same Tuesdays: the live check names the clashing case next to the time windows
  await page.goto(`${base}/reports/new`)
  await fillWeeklyTerms(page, { supportedCode: '3563020002', department: '02', purpose: '01', from: roc(1), to: roc(28), weekday: 2, winStart: '0900', winEnd: '1100' })
  await page.locator('#live-windows').getByText('支援時段與其他報備支援案件重疊').waitFor()
  t.pass('the conflict is shown next to the time windows, not swallowed')
  await page.screenshot({ path: shot('report-form-conflict'), fullPage: true })

  const pdf = await page.request.get(`${base}/reports/${caseId}/print.pdf`)
  t.equal(pdf.headers()['content-type'], 'application/pdf')

  const phone = await pageAs(professional(), { width: 390, height: 844 })
  await phone.goto(`${base}/reports`)
  await phone.screenshot({ path: shot('case-list-phone'), fullPage: true })
  await phone.goto(`${base}/reports/new`)
  await phone.screenshot({ path: shot('report-form-phone'), fullPage: true })
  await phone.context().close()
  await page.context().close()
})

t.test('institution: dashboard updates live; batch upload with progress', async (t) => {
  const page = await pageAs(institution())
  await page.goto(`${base}/institution`)
  const tile = page.locator('.tile', { hasText: '審核中' }).locator('.n')
  const before = Number(await tile.textContent())
  await page.screenshot({ path: shot('institution-dashboard'), fullPage: true })

  const csv = [BATCH_COLUMNS.join(','), `Q134567894,3563020002,04,01,${roc(2)},${roc(27)},3,1400,1700,`].join('\r\n')
  const file = join(tmpdir(), `batch-${randomUUID()}.csv`)
  writeFileSync(file, `\uFEFF${csv}\r\n`)
  const upload = await browser.newPage()
  await upload.context().request.post(`${base}/__test/session`, { data: { user: institution() } })
  await upload.goto(`${base}/institution/batch`)
  await upload.setInputFiles('#file', file)
  await upload.click('text=上傳並檢查')
  await upload.getByText('可申請 1 筆').waitFor()
  await upload.screenshot({ path: shot('batch-check'), fullPage: true })
  await upload.click('text=確認送出 1 筆正確資料')
  await upload.getByText('完成：新申請 1 筆').waitFor()
  await upload.screenshot({ path: shot('batch-done'), fullPage: true })

  await page.waitForFunction((n) => Number(document.querySelector('.tile:nth-child(3) .n')?.textContent) === n, before + 1)
  t.pass('the dashboard tile updated by polling')
  await page.goto(`${base}/institution/outbound`)
  await page.screenshot({ path: shot('institution-outbound'), fullPage: true })
  await page.goto(`${base}/institution/inbound`)
  await page.screenshot({ path: shot('institution-inbound'), fullPage: true })
  await page.goto(`${base}/institution/quota`)
  const week0 = await page.textContent('#week-label')
  await page.click('text=下一週 ›')
  await page.waitForURL(/week=\d{4}-W\d{2}/)
  t.not(await page.textContent('#week-label'), week0, 'another week chosen')
  await page.screenshot({ path: shot('institution-quota'), fullPage: true })
  await upload.context().close()
  await page.context().close()
})
