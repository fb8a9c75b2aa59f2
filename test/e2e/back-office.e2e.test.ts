// The back office in real Chromium: a 臺北市 reviewer queries (htmx results), opens a case, approves it, prints the
// approval form, and looks at statistics with the server-drawn chart. Screenshots go to test-output/screenshots/.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, TEST_CATCH_UP_MS } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor } from '../../domain/types.js'

const { app, parts } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const reviewer: SessionUser = { actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }, name: '周文華' }
async function pageAs(user: SessionUser) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: 1366, height: 900 }, acceptDownloads: true })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  return { context, page: await context.newPage() }
}

const inDays = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10)
const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
const filed: string[] = []
for (const [id, home, supported] of [['A123456789', '0163010001', '3563020002'], ['A212345679', '0163010001', '3563020002'], ['Q134567894', '0163010001', '5963030005']] as const) {
  const o = await parts.reports.file(
    { applicantId: id, terms: { supportedCode: supported, department: '02', purpose: '01', schedule: { kind: 'weekly', from: inDays(30), to: inDays(60), weekdays: [1, 4], windows: [{ start: '09:00', end: '12:00' }] } } },
    { commandId: randomUUID(), actor: pro(id, home) },
  )
  await parts.waitFor(o.position)
  filed.push(o.caseId)
}

t.test('query, open, approve, print, statistics', async (t) => {
  const { page, context } = await pageAs(reviewer)
  await page.goto(`${base}/review/cases`)
  t.match(await page.textContent('nav.side'), '報備支援額度限制查詢')
  t.match(await page.textContent('#idle-countdown'), /^(20:00|19:5\d)$/)
  await page.waitForTimeout(1100)
  t.match(await page.textContent('#idle-countdown'), /^19:5\d$/, 'the idle countdown runs')
  t.equal(await page.locator('#results tbody tr').count(), 3)
  await page.screenshot({ path: shot('back-office-query'), fullPage: true })

  // filter by name through htmx (the results swap in place)
  await page.fill('#name', '王大明')
  await Promise.all([page.waitForResponse((r) => r.url().includes('/review/cases?')), page.click('form.query-form button[type=submit]')])
  await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 1)
  t.match(await page.textContent('#total'), '1')
  t.match(page.url(), 'name=', 'the query is in the address bar')

  await page.click('#results tbody tr a')
  await page.waitForSelector('#hist-h')
  t.match(await page.textContent('h1'), '案件')
  t.match(await page.textContent('main'), 'A1234XXXX9')
  t.notMatch(await page.textContent('main'), 'A123456789', 'no raw national ID on the case page')
  const history = await page.textContent('section.history')
  t.match(history, '王大明', 'the applicant is named in the history')
  t.match(history, '醫事人員卡')
  t.notMatch(history, /\d{4}-\d{2}-\d{2}/, 'history dates in ROC')
  t.match(await page.textContent('section.findings'), /額度檢核（規則版本 [\d.]+）/, 'the quota check with its rule version')
  t.notMatch(await page.textContent('section.findings'), '上限 0')
  await page.screenshot({ path: shot('back-office-case'), fullPage: true })

  await page.check('input[name=decision][value=approve]')
  await page.fill('#note', '資料齊全')
  await Promise.all([page.waitForURL(/done=approve/), page.click('#decision button[type=submit]')])
  t.match(await page.textContent('main'), '已核准此案件')
  t.match(await page.textContent('h1'), '已核准')
  await page.screenshot({ path: shot('back-office-approved'), fullPage: true })

  const pdf = await context.request.get(`${base}/review/cases/${filed[0]}/approval.pdf`)
  t.equal(pdf.headers()['content-type'], 'application/pdf')
  t.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-')

  await page.goto(`${base}/review/statistics?report=profession`)
  await page.waitForSelector('.chart-box svg')
  t.match(await page.textContent('#stat-table'), '西醫師')
  await page.screenshot({ path: shot('back-office-statistics'), fullPage: true })
  await page.goto(`${base}/review/statistics?report=county`)
  await page.screenshot({ path: shot('back-office-statistics-county'), fullPage: true })

  t.ok(await parts.runner!.waitFor(await app.services.store!.headPosition(), ['read_audit'], TEST_CATCH_UP_MS), 'read_audit caught up')
  await page.goto(`${base}/review/audit`)
  t.match(await page.textContent('#audit-table'), '周文華')
  await page.screenshot({ path: shot('back-office-audit'), fullPage: true })
  await context.close()
})

t.test('batch approval: the results refresh in place with each case\'s outcome', async (t) => {
  const { page, context } = await pageAs(reviewer)
  await page.goto(`${base}/review/cases?sort=caseNumber&dir=asc`)
  t.equal(await page.locator('#results tbody tr').count(), 3)
  await page.check('[data-select-all]')
  await page.selectOption('#batch-decision', 'approve')
  // the batch asks for confirmation first (hx-confirm)
  page.once('dialog', (d) => void d.accept())
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/review/decisions') && r.status() === 200),
    page.click('button[hx-post="/review/decisions"]'),
  ])
  await page.waitForSelector('#batch-summary')
  t.match(await page.textContent('#batch-summary'), '成功 2 件，未處理 1 件')
  t.match(await page.textContent('#batch-summary'), '已處理過，目前：已核准', 'the case approved before is not approved twice')
  t.equal(await page.locator('#results tbody tr[data-outcome="ok"]').count(), 2, 'the decided rows are marked')
  const statuses = await page.locator('#results table[aria-label="查詢結果"] tbody tr .badge[class*="st-"]').allTextContents()
  t.same(statuses, ['已核准', '已核准', '已核准'], 'the table shows the new statuses without a reload')
  t.match(page.url(), 'sort=caseNumber', 'still on the same query')
  await page.screenshot({ path: shot('back-office-batch'), fullPage: true })
  await context.close()
})
