// Nothing typed is lost (issue #16), in real Chromium: a professional types a filing, the session ends on the
// server meanwhile, 送出 → the login page says the form is kept (303, no resubmit page) → a real card-less login →
// back on the same form with what was typed → 送出 → the case is filed; Back afterwards shows the form page (a GET),
// never the browser's resubmit page. A refused form comes back by 303 too, with the errors at their fields. The
// card-less login tells an expired SMS code apart from a wrong one. Both widths, axe clean, screenshots.
import t, { type Test } from 'tap'
import type { Page, Response } from 'playwright-core'
import { buildLoginApp, codeFrom } from '../support/login.js'
import { professional } from '../support/http.js'
import { fillWeeklyTerms, launchBrowser, shot } from '../support/browser.js'
import { IDLE_TIMEOUT_MS } from '../../http/session-store.js'
import { OTP_TTL_MS } from '../../http/auth/otp.js'
import { freePort } from '../support/net.js'
import { seriousViolations } from '../support/axe.js'

const port = await freePort()
const h = await buildLoginApp(t, { siteOrigin: `http://127.0.0.1:${port}`, hipkiUrl: `http://127.0.0.1:${await freePort()}` })
const base = await h.app.listen({ host: '127.0.0.1', port })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const SIZES = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const
/** Screenshots at both widths of the page as it is now, and axe at both. */
async function lookAt(t: Test, page: Page, name: string) {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height })
    t.same(await seriousViolations(page), [], `${name}: no serious or critical axe violation at ${size.width}`)
    await page.screenshot({ path: shot(`${name}-${size.name}`), fullPage: true })
  }
  await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height })
}
const postTo = (page: Page, path: string) => page.waitForResponse((r: Response) => r.request().method() === 'POST' && new URL(r.url()).pathname === path)

/** The ROC date of day `d` of the month two months ahead of the server's clock. */
function rocAhead(d: number): string {
  const n = new Date(h.clock.now.getTime() + 62 * 86400_000)
  return `${n.getUTCFullYear() - 1911}${String(n.getUTCMonth() + 1).padStart(2, '0')}${String(d).padStart(2, '0')}`
}

/** Card-less login on the login page (身分證號 → SMS code read from /dev/sms → code + 健保卡卡號). */
async function otpLogin(page: Page, nationalId: string, cardNumber: string) {
  await page.waitForSelector('#login[data-ready="1"]')
  await page.check('input[name="method"][value="otp"]')
  await page.fill('#otp-id', nationalId)
  await otpLoginFromStep1(page, cardNumber)
}
/** From step 1 with the ID typed: send the code, read it on /dev/sms, enter it with the card number. */
async function otpLoginFromStep1(page: Page, cardNumber: string) {
  await page.click('#otp-send')
  await page.locator('#form-otp-2:not([hidden])').waitFor()
  const phone = await page.context().newPage()
  await phone.goto(`${base}/dev/sms`)
  const code = codeFrom((await phone.locator('#sms-outbox .sms-body').first().textContent()) ?? '')
  await phone.close()
  await page.fill('#otp-code', code)
  await page.fill('#otp-card', cardNumber)
  await page.click('#otp-submit')
}

t.test('the session ends while a filing is typed: kept, log in again, the same form with the values, filed', async (t) => {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: 1366, height: 768 }, bypassCSP: true }) // axe is injected by the test
  const opened = await context.request.post(`${base}/__test/session`, { data: { user: professional() } })
  t.equal(opened.status(), 200)
  const page = await context.newPage()
  await page.goto(`${base}/reports/new`)
  const from = rocAhead(1)
  const to = rocAhead(28)
  await fillWeeklyTerms(page, { supportedCode: '3563020002', department: '02', purpose: '01', from, to, weekday: 4, winStart: '0800', winEnd: '1200' })
  await page.fill('#note', '每週四上午門診，請協助安排')

  // the session ends on the server (idle past 20 minutes; this page's own countdown has not run out)
  h.clock.advance(IDLE_TIMEOUT_MS + 60_000)
  const kept = postTo(page, '/reports')
  await page.click('button[name="intent"][value="submit"]')
  const confirm = page.locator('#confirm-filing [data-confirm]')
  if (await confirm.count()) await confirm.click()
  const answer = await kept
  t.equal(answer.status(), 303, 'POST /reports → 303')
  t.equal(answer.headers().location, '/login?expired=1&kept=1')
  await page.waitForURL(/\/login\?expired=1&kept=1$/)
  const notice = (await page.textContent('main')) ?? ''
  t.match(notice, '登入逾時，您填寫的內容已保留，重新登入後會回到原頁面')
  t.notMatch(notice, '登入中', 'not also 登入中: the session really ended')
  t.notMatch(notice, '閒置過久', 'one notice')
  await page.waitForSelector('#login[data-ready="1"]')
  await lookAt(t, page, 'kept-login-notice')

  // a real login of the same person (card-less): back to the form, values as typed, not sent by itself
  await otpLogin(page, 'A123456789', '000012345678')
  await page.waitForURL(/\/reports\/new\?form=[\w-]+$/)
  t.match(await page.textContent('#kept-notice'), '已還原您登入逾時前填寫的內容')
  t.equal(await page.inputValue('#supportedCode'), '3563020002')
  t.equal(await page.inputValue('#from'), from)
  t.equal(await page.inputValue('#to'), to)
  t.equal(await page.inputValue('#department'), '02')
  t.equal(await page.inputValue('#note'), '每週四上午門診，請協助安排')
  t.ok(await page.isChecked('input[name="weekdays"][value="4"]'), '星期四 still ticked')
  t.equal(await page.inputValue('input[name="winStart"]'), '0800')
  await lookAt(t, page, 'kept-form-restored')

  const filed = postTo(page, '/reports')
  await page.click('button[name="intent"][value="submit"]')
  if (await confirm.count()) await confirm.click()
  t.equal((await filed).status(), 303, 'the filing answers 303 too')
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}\?done=submit$/)
  t.match(await page.textContent('main'), '審核中', 'the case is filed')

  // Back: the form page again (a GET), never the browser's resubmit page
  const back = await page.goBack()
  t.equal(back?.request().method(), 'GET', 'Back loads the form page with a GET')
  await page.waitForURL(/\/reports\/new\?form=/)
  t.match(await page.textContent('h1'), '登錄')
  await context.close()
})

t.test('the page\'s idle countdown runs out on a form typed in: kept, logged out, given back after logging in', async (t) => {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: 1366, height: 768 }, bypassCSP: true })
  await context.request.post(`${base}/__test/session`, { data: { user: professional() } })
  const page = await context.newPage()
  await page.clock.install()
  await page.goto(`${base}/reports/new`)
  await fillWeeklyTerms(page, { supportedCode: '3563020002', department: '02', purpose: '01', from: rocAhead(2), to: rocAhead(27), weekday: 5, winStart: '1400', winEnd: '1700' })
  await page.fill('#note', '週五下午')
  await page.clock.fastForward('19:01')
  t.match(await page.textContent('#idle-warning'), '您填寫的內容會保留', 'the warning says the form will be kept')
  // (axe on the idle warning: test/e2e/accessibility.e2e.test.ts; injecting it here would count as use)
  await page.screenshot({ path: shot('kept-idle-warning-desktop') })
  const kept = postTo(page, '/reports')
  await page.clock.fastForward('01:00')
  await page.clock.runFor(2000)
  const answer = await kept
  t.equal(answer.status(), 303, 'the page sent its form to be kept: 303')
  await page.waitForURL(/\/login\?expired=1&kept=1$/)
  t.match(await page.textContent('main'), '登入逾時，您填寫的內容已保留')
  t.equal((await context.request.get(`${base}/api/me`)).status(), 401, 'logged out on the server')

  // the same person logs in again (the harness login, as a successful login does): back to the form
  const again = await context.request.post(`${base}/__test/session`, { data: { user: professional() } })
  const { redirect } = (await again.json()) as { redirect?: string }
  t.match(redirect, /^\/reports\/new\?form=/, 'sent back to the form')
  await page.goto(`${base}${redirect}`)
  t.equal(await page.inputValue('#note'), '週五下午')
  t.equal(await page.inputValue('input[name="winStart"]'), '1400')
  t.ok(await page.isChecked('input[name="weekdays"][value="5"]'))
  await context.close()
})

t.test('a refused form comes back by 303 with the errors at their fields; a reload keeps them', async (t) => {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: 1366, height: 768 }, bypassCSP: true })
  await context.request.post(`${base}/__test/session`, { data: { user: professional() } })
  const page = await context.newPage()
  await page.goto(`${base}/reports/new`)
  await fillWeeklyTerms(page, { supportedCode: '3563020002', department: '02', purpose: '01', from: rocAhead(20), to: rocAhead(3), weekday: 2, winStart: '0900', winEnd: '1100' })
  const refused = postTo(page, '/reports')
  await page.click('button[name="intent"][value="draft"]')
  t.equal((await refused).status(), 303, 'no 422: POST-redirect-GET')
  await page.waitForURL(/\/reports\/new\?form=[\w-]+$/)
  t.match(await page.textContent('#err-to'), '結束日期不可早於開始日期', 'the error at its field')
  t.equal(await page.inputValue('#from'), rocAhead(20), 'the values typed')
  await page.reload()
  t.match(await page.textContent('#err-to'), '結束日期不可早於開始日期', 'a reload shows the same page, no resubmit prompt')
  await lookAt(t, page, 'form-errors-after-redirect')
  await context.close()
})

t.test('card-less login: an expired SMS code is told apart from a wrong one', async (t) => {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: 1366, height: 768 }, bypassCSP: true })
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.waitForSelector('#login[data-ready="1"]')
  await page.check('input[name="method"][value="otp"]')
  await page.fill('#otp-id', 'H220112234')
  await page.click('#otp-send')
  await page.locator('#form-otp-2:not([hidden])').waitFor()
  const phone = await context.newPage()
  await phone.goto(`${base}/dev/sms`)
  const code = codeFrom((await phone.locator('#sms-outbox .sms-body').first().textContent()) ?? '')
  await phone.close()
  t.match(code, /^\d{6}$/)

  await page.fill('#otp-code', code === '000000' ? '111111' : '000000')
  await page.fill('#otp-card', '000056789012')
  await page.click('#otp-submit')
  await page.locator('#login-error', { hasText: '簡訊驗證碼錯誤' }).waitFor()
  t.notMatch(await page.textContent('#login-error'), '逾時', 'a wrong code is called wrong')

  // the right code, after its 5 minutes (the server's clock moved on)
  h.clock.advance(OTP_TTL_MS + 1000)
  await page.fill('#otp-code', code)
  await page.fill('#otp-card', '000056789012')
  await page.click('#otp-submit')
  await page.locator('#login-error', { hasText: '簡訊驗證碼已逾時' }).waitFor()
  const said = (await page.textContent('#login-error')) ?? ''
  t.match(said, '簡訊驗證碼已逾時，請重新取得驗證碼', 'an expired code is called expired')
  t.notMatch(said, '錯誤', 'and not wrong')
  t.ok(await page.isVisible('#form-otp-1'), 'back at step 1 to ask for a new code')
  t.equal(await page.inputValue('#otp-id'), 'H220112234', 'the ID typed is kept')
  t.match(page.url(), /\/login/, 'not logged in')
  await lookAt(t, page, 'login-otp-expired')

  // a new code then logs in
  await otpLoginFromStep1(page, '000056789012')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '陳怡君')
  await context.close()
})
