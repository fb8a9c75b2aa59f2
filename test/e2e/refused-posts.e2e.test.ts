// Every page POST answers 303 (issue #16), in real Chromium at 1366x768 and 390x844: a refused 系統管理 form and a
// refused one-click action come back by 303 to their page with the zh-TW message (and, for the form, what was typed);
// the history holds GETs only, so Back shows the previous page (never the browser's resubmit page) and reload shows
// the message again without sending anything. axe: no serious or critical violation on either page.
// Screenshots: test-output/screenshots/refused-*.png.
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { buildTestApp, institution, professional } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import { seriousViolations } from '../support/axe.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor } from '../../domain/types.js'

const { app, parts } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const SIZES = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const wang: Actor = { role: 'professional', id: 'A123456789', name: '王大明', via: 'hca-professional-card', institutionCode: '0163010001' }
const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10)

async function pageAs(user: SessionUser, size: { width: number; height: number }) {
  // bypassCSP: the test injects axe-core; the app's CSP stays strict
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height }, bypassCSP: true })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  const page = await context.newPage()
  page.setDefaultTimeout(8000)
  // every document request the page makes, to prove Back and reload send no POST
  const documents: string[] = []
  page.on('request', (q) => { if (q.resourceType() === 'document') documents.push(`${q.method()} ${new URL(q.url()).pathname}`) })
  return { page, documents }
}

/** Back from the refused page: the previous entry is a GET page, shown without any POST (no resubmit page). */
async function backIsAGet(t: Test, page: Page, documents: string[], previous: string) {
  documents.length = 0
  const back = await page.goBack()
  t.ok(back, 'Back navigates')
  t.equal(new URL(page.url()).pathname + new URL(page.url()).search, previous, 'Back shows the page before (a GET)')
  t.notOk(documents.some((d) => d.startsWith('POST')), `no POST on Back: ${documents.join(', ')}`)
  t.notMatch(await page.textContent('body'), /ERR_CACHE_MISS|確認重新提交表單|Confirm Form Resubmission/, 'never the resubmit page')
}

t.test('a refused 系統管理 form (網站資料: a date that does not exist) comes back by 303 with the error and the values', async (t) => {
  for (const size of SIZES) {
    const { page, documents } = await pageAs(admin, size)
    await page.goto(`${base}/review/admin/site/new?kind=news`)
    await page.fill('#title', `停機公告（${size.name}）`)
    await page.fill('#body', '本週六 **08:00–12:00** 系統維護')
    await page.fill('#publishedOn', '113/02/30')
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/review/admin/site'))
    await page.click('#publish')
    t.equal((await posted).status(), 303, 'the POST answers 303')
    await page.waitForURL(/\/review\/admin\/site\/new\?form=/)
    t.match(await page.textContent('#err-publishedOn'), '發布日期格式不正確', 'the error at its field, in zh-TW')
    t.equal(await page.inputValue('#title'), `停機公告（${size.name}）`, 'the title typed')
    t.equal(await page.inputValue('#body'), '本週六 **08:00–12:00** 系統維護', 'the body typed')
    t.equal(await page.inputValue('#publishedOn'), '113/02/30', 'the date as typed')
    t.equal(await page.getAttribute('#publishedOn', 'aria-invalid'), 'true')
    await page.screenshot({ path: shot(`refused-admin-form-${size.name}`), fullPage: true })
    t.same((await seriousViolations(page)).map((v) => v.id), [], 'axe: no serious or critical violation')
    // reload: a GET of the same address, the same values and error, nothing sent again
    documents.length = 0
    await page.reload()
    t.same(documents, ['GET /review/admin/site/new'], 'reload is a GET')
    t.match(await page.textContent('#err-publishedOn'), '發布日期格式不正確', 'reload shows the error again')
    await backIsAGet(t, page, documents, '/review/admin/site/new?kind=news')
    await page.context().close()
  }
})

t.test('a refused one-click action (送出 a draft already sent from another tab) comes back by 303 to the case page with a notice', async (t) => {
  for (const size of SIZES) {
    const terms = { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly' as const, from: day(20), to: day(48), weekdays: [size.name === 'desktop' ? 2 : 4] as (2 | 4)[], windows: [{ start: '08:00', end: '12:00' }] } }
    const drafted = await parts.reports.draft({ applicantId: wang.id, terms }, { commandId: randomUUID(), actor: wang })
    await parts.waitFor(drafted.position)
    const { page, documents } = await pageAs(professional(), size)
    await page.goto(`${base}/reports`)
    await page.goto(`${base}/reports/${drafted.caseId}`)
    const submitButton = page.locator(`form[action="/reports/${drafted.caseId}/submit"] button`)
    await submitButton.waitFor()
    // meanwhile the draft is sent from another tab: this page is stale
    await parts.waitFor((await parts.reports.submit(drafted.caseId, { commandId: randomUUID(), actor: wang })).position)
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/submit'))
    await submitButton.click()
    t.equal((await posted).status(), 303, 'the refused POST answers 303, not a 409 error page')
    await page.waitForURL(new RegExp(`/reports/${drafted.caseId}\\?form=`))
    t.match(await page.textContent('#flash-notice'), '案件目前的狀態不可進行此操作', 'the notice says why, in zh-TW')
    t.match(await page.textContent('main'), '審核中', 'on the case page, as it stands now')
    await page.screenshot({ path: shot(`refused-action-${size.name}`), fullPage: true })
    t.same((await seriousViolations(page)).map((v) => v.id), [], 'axe: no serious or critical violation')
    documents.length = 0
    await page.reload()
    t.same(documents, [`GET /reports/${drafted.caseId}`], 'reload is a GET')
    await backIsAGet(t, page, documents, `/reports/${drafted.caseId}`)
    t.equal(await page.locator('#flash-notice').count(), 0, 'the page before carries no notice')
    await page.context().close()
  }
})

t.test('a refused upload and a refused 帳號 form: the error at its field, the choices kept, the file to choose again', async (t) => {
  for (const size of SIZES) {
    const { page } = await pageAs(institution(), size)
    await page.goto(`${base}/institution/batch?kind=register`)
    await page.check('input[name="kind"][value="cancel"]')
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/institution/batch')
    await page.click('button:has-text("上傳並檢查")')
    t.equal((await posted).status(), 303, 'no file: 303, not 422')
    await page.waitForURL(/\/institution\/batch\?form=/)
    t.match(await page.textContent('#err-file'), '請選擇要上傳的檔案')
    t.match(await page.textContent('#choose-again'), '請重新選擇檔案', 'the page says the file is chosen again')
    t.ok(await page.isChecked('input[name="kind"][value="cancel"]'), 'the 申請類別 chosen is kept')
    await page.screenshot({ path: shot(`refused-upload-${size.name}`), fullPage: true })
    t.same((await seriousViolations(page)).map((v) => v.id), [], 'axe: upload page')
    await page.context().close()

    const a = await pageAs(admin, size)
    await a.page.goto(`${base}/review/admin/accounts/new`)
    await a.page.fill('#accountId', 'TPE-R001') // taken
    await a.page.fill('#reason', '新進審查人員')
    await a.page.fill('#name', '高雄審查員')
    await a.page.fill('#agency', '高雄市政府衛生局')
    await a.page.selectOption('#county', '64')
    await a.page.fill('input[name="certSubject"]', 'C=TW, CN=高雄審查員')
    await a.page.click('#create-account')
    await a.page.waitForURL(/\/review\/admin\/accounts\/new\?form=/)
    t.match(await a.page.textContent('#err-accountId'), '帳號已存在', 'an account code taken: said at its field')
    t.equal(await a.page.inputValue('#accountId'), 'TPE-R001', 'the account code typed')
    t.equal(await a.page.inputValue('#reason'), '新進審查人員', 'the reason typed')
    t.equal(await a.page.inputValue('#name'), '高雄審查員', 'the name typed')
    t.equal(await a.page.inputValue('#county'), '64', 'the county chosen')
    await a.page.screenshot({ path: shot(`refused-account-form-${size.name}`), fullPage: true })
    t.same((await seriousViolations(a.page)).map((v) => v.id), [], 'axe: account form')
    // 停用 with a reason of spaces only (the browser's required check passes it): back to the account page, said there
    await a.page.goto(`${base}/review/admin/accounts/TPE-R001`)
    await a.page.fill('#statusReason', '   ')
    await a.page.click('#status-form button[type="submit"]')
    await a.page.waitForURL(/\/review\/admin\/accounts\/TPE-R001\?form=/)
    t.match(await a.page.textContent('#err-statusReason'), '請填寫理由', 'the reason is asked for at its field')
    t.match(await a.page.textContent('h1'), '使用中', 'nothing changed: the account is still in use')
    await a.page.screenshot({ path: shot(`refused-account-status-${size.name}`), fullPage: true })
    t.same((await seriousViolations(a.page)).map((v) => v.id), [], 'axe: account page')
    await a.page.context().close()
  }
})
