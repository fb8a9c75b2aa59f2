// Issue #16 "ROC everywhere, inputs that forgive" and 額度限制查詢 in real Chromium, at 1366×768 and 390×844: a reviewer
// types dates as people do (2026/12/10, 115/12/1, 1151231) into the case query (sent over htmx), the statistics
// period and 單筆申請 and sees what each was read as; a bad date is told at its field with no list; statistics by
// month in ROC words; a clinic's ratio rules with their numbers; the administrator's rule effective date. axe-core on
// each screen: no serious or critical violation. Screenshots: test-output/screenshots/bo-dates-*.png.
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import type { Browser, Page } from 'playwright-core'
import { buildTestApp } from '../support/http.js'
import { htmxSwapInto, launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor } from '../../domain/types.js'
import { addDays, isoToRoc, rocMonthLabel, taipeiDate } from '../../domain/roc-date.js'
import { seriousViolations } from '../support/axe.js'

t.setTimeout(600_000)
const SIZES = [{ name: '1366', width: 1366, height: 768 }, { name: '390', width: 390, height: 844 }] as const

const { app, parts } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser: Browser = await launchBrowser()
t.teardown(() => browser.close())

const reviewer: SessionUser = { actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }, name: '周文華' }
const statistician: SessionUser = { actor: { role: 'statistician', id: 'MOHW-S001', name: '蔡明哲', via: 'staff-card' }, name: '蔡明哲' }
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }

const today = taipeiDate(new Date().toISOString())
const day = (n: number) => addDays(today, n)
const slashedRoc = (iso: string) => { const r = isoToRoc(iso); return `${Number(r.slice(0, 3))}/${Number(r.slice(3, 5))}/${Number(r.slice(5, 7))}` }
const western = (iso: string) => iso.replaceAll('-', '/')
const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
async function file(applicantId: string, home: string, from: string, to: string, weekdays: (1 | 2 | 3 | 4 | 5)[]) {
  const o = await parts.reports.file(
    { applicantId, terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from, to, weekdays, windows: [{ start: '08:00', end: '12:00' }] } } },
    { commandId: randomUUID(), actor: pro(applicantId, home) },
  )
  await parts.waitFor(o.position)
  return o.caseId
}
// three physicians support 仁愛家醫診所 (1 own physician, 12 sessions a week) from next week: over both ratio rules
const soon = await file('A123456789', '0163010001', day(7), day(30), [1, 2, 3])
await file('Q134567894', '0163010001', day(7), day(30), [4, 5])
await file('F122334458', '0165020004', day(7), day(30), [1])
const later = await file('A212345679', '0163010001', day(60), day(80), [2])

async function pageAs(user: SessionUser, size: (typeof SIZES)[number]) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height }, bypassCSP: true }) // the test injects axe-core
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return { context, page, errors }
}
const look = async (t: Test, page: Page, name: string) => {
  await page.screenshot({ path: shot(`bo-dates-${name}`), fullPage: true })
  t.same(await seriousViolations(page), [], `${name}: axe, no serious or critical violation`)
}

for (const size of SIZES) {
  t.test(`${size.name}: case query over htmx — dates typed any way are read and said; a bad one at its field, no list`, async (t) => {
    const { page, context, errors } = await pageAs(reviewer, size)
    await page.goto(`${base}/review/cases`)
    await page.fill('#supportFrom', western(day(7)))
    await page.press('#supportFrom', 'Tab')
    await page.waitForSelector('#reading-supportFrom #understood-supportFrom')
    t.match(await page.textContent('#reading-supportFrom'), '起 讀作：民國', 'read as soon as the field changes')
    t.match(page.url(), /\/review\/cases$/, 'the address stays (no history entry for the reading)')
    await page.fill('#supportTo', slashedRoc(day(40)))
    // the page opens with a list already (it may hold both cases): read the list the query swaps in, not that one
    await htmxSwapInto(page, '#results', () => page.click('form.query-form button[type=submit]'))
    t.match(await page.textContent('#understood-supportFrom'), `讀作：民國${Number(isoToRoc(day(7)).slice(0, 3))}年`)
    t.match(await page.textContent('#understood-supportTo'), '讀作：民國')
    await page.waitForSelector(`#results a[href="/review/cases/${soon}"]`)
    t.equal(await page.locator(`#results a[href="/review/cases/${later}"]`).count(), 0, 'the later case is outside the period')
    await look(t, page, `cases-read-${size.name}`)
    await page.fill('#supportTo', `${isoToRoc(day(40)).slice(0, 3)}/02/30`)
    await htmxSwapInto(page, '#results', () => page.click('form.query-form button[type=submit]'))
    await page.waitForSelector('#err-supportTo')
    t.match(await page.textContent('#err-supportTo'), '支援日期（迄）格式不正確（可輸入民國')
    t.match(await page.textContent('#query-errors'), '查詢條件有誤')
    t.equal(await page.locator('#results a[href^="/review/cases/"]').count(), 0, 'no unfiltered list')
    await look(t, page, `cases-bad-${size.name}`)
    t.same(errors, [], 'no script errors')
    await context.close()
  })

  t.test(`${size.name}: statistics — a period typed any way, by month in ROC words; a bad date at its field`, async (t) => {
    const { page, context } = await pageAs(statistician, size)
    await page.goto(`${base}/review/statistics?report=county`)
    const year = today.slice(0, 4)
    t.equal(await page.getAttribute('#stat-from', 'placeholder'), isoToRoc(`${year}-01-01`), 'placeholder in the current ROC year')
    await page.fill('#stat-from', `${Number(year) - 1911}/1/1`)
    await page.press('#stat-from', 'Tab')
    // read while typing, before the form is sent
    await page.waitForSelector('#reading-stat-from #understood-stat-from')
    t.match(await page.textContent('#reading-stat-from'), `讀作：民國${Number(year) - 1911}年1月1日`, 'read as soon as the field changes')
    t.match(page.url(), /\/review\/statistics\?report=county$/, 'the address stays')
    await page.fill('#stat-to', `${year}/12/32`)
    await page.press('#stat-to', 'Tab')
    await page.waitForSelector('#reading-stat-to #err-stat-to')
    t.match(await page.textContent('#err-stat-to'), '期間迄格式不正確', 'a bad value said before sending')
    await page.fill('#stat-to', `${year}/12/31`)
    // leave the field and let its reading replace the error first: the swap moves the checkbox, and a click that
    // blurred the field could land where the box was (seen on a busy machine)
    await page.press('#stat-to', 'Tab')
    await page.waitForSelector('#reading-stat-to #understood-stat-to')
    await page.check('input[name=byMonth]')
    await Promise.all([page.waitForURL(/byMonth=1/), page.click('form[action="/review/statistics"] button[type=submit]')])
    t.match(await page.textContent('#understood-stat-from'), `讀作：民國${Number(year) - 1911}年1月1日`)
    t.match(await page.textContent('#stat-table'), rocMonthLabel(today.slice(0, 7)), 'this month labelled in ROC words')
    t.notMatch(await page.textContent('main'), new RegExp(`${year}-\\d\\d`), 'no western month')
    await look(t, page, `statistics-${size.name}`)
    await page.fill('#stat-from', '1151301')
    await page.click('form[action="/review/statistics"] button[type=submit]')
    await page.waitForSelector('#err-stat-from')
    t.match(await page.textContent('#err-stat-from'), '起日格式不正確')
    t.equal(await page.locator('#stat-table').count(), 0, 'no table instead')
    await look(t, page, `statistics-bad-${size.name}`)
    await context.close()
  })

  t.test(`${size.name}: 額度限制查詢 of a clinic — its ratio rules with limit, current and excess`, async (t) => {
    const { page, context } = await pageAs(reviewer, size)
    await page.goto(`${base}/review/quota`)
    await page.fill('input[name=institution]', '3563020002')
    await Promise.all([page.waitForURL(/institution=3563020002/), page.click('form[action="/review/quota"] button[type=submit]')])
    await page.waitForSelector('#ratio-rules')
    t.match(await page.textContent('#ratio-rules'), '專任醫師 1 人')
    t.match(await page.textContent('table[data-rule="clinic-supporting-physicians"]'), '超出 1 人', 'three supporting physicians against 2')
    t.match(await page.textContent('table[data-rule="clinic-support-session-share"]'), '超出', 'the weekly share exceeded')
    t.match(await page.textContent('#ratio-rules'), /第\d+週/)
    await look(t, page, `quota-clinic-${size.name}`)
    await context.close()
  })

  t.test(`${size.name}: 單筆申請 and 系統設定 — dates read back with what they mean; a bad one at its field`, async (t) => {
    const r = await pageAs(reviewer, size)
    await r.page.goto(`${base}/review/file`)
    await r.page.fill('#applicantId', 'A123456789')
    await r.page.fill('#from', western(day(90)))
    await r.page.fill('#to', slashedRoc(day(120)))
    await r.page.click('#staff-file-form button[type=submit]')
    await r.page.waitForSelector('#understood-from')
    t.match(await r.page.textContent('#understood-from'), '讀作：民國')
    t.equal(await r.page.inputValue('#from'), isoToRoc(day(90)), 'kept as 民國 yyyMMdd')
    await look(t, r.page, `file-${size.name}`)
    await r.context.close()
    const a = await pageAs(admin, size)
    await a.page.goto(`${base}/review/admin/settings/purposes`)
    await a.page.fill('#effectiveDate', `${isoToRoc(today).slice(0, 3)}/02/30`)
    await a.page.fill('#reason', '測試')
    await a.page.click('#publish-form button[type=submit]')
    await a.page.waitForSelector('#err-effectiveDate')
    t.match(await a.page.textContent('#err-effectiveDate'), '生效日期格式不正確（可輸入民國')
    await look(t, a.page, `setting-bad-${size.name}`)
    await a.context.close()
  })
}
