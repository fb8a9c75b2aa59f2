// Nothing typed is lost, in real Chromium (desktop and phone): the front office counts idle time down like the back
// office, warns one minute before with 「繼續使用」, and typing or clicking restarts the count in both offices; the
// idle logout lands on a login page that says so and not also 「登入中」; Back after 登出 shows the login page with
// 「已登出」; a filing answers with a redirect, so Back shows the form again (never the resubmit page); error pages
// speak zh-TW with the next step and keep the code and trace id in small print.
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { buildTestApp, professional, reviewer } from '../support/http.js'
import { fillWeeklyTerms, launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'

const { app } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const SIZES = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const
async function pageAs(user: SessionUser, size: { width: number; height: number } = SIZES[0]) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height } })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  const page = await context.newPage()
  await page.clock.install()
  return page
}
const countdown = (page: Page) => page.textContent('#idle-countdown')
// the page's clock is installed, not paused: real time flows between a step and the read after it (seconds under
// a loaded machine), so a countdown read is checked to be at most SLACK seconds below what the step set
const SLACK = 10
const secondsOf = (mmss: string | null) => { const [m, s] = (mmss ?? '').split(':').map(Number); return (m ?? NaN) * 60 + (s ?? NaN) }
const shows = async (t: Test, page: Page, mmss: string, what: string) => {
  const shown = await countdown(page)
  const d = secondsOf(mmss) - secondsOf(shown)
  t.ok(d >= 0 && d <= SLACK, `${what} (${shown}, set to ${mmss})`)
}

t.test('front office: idle countdown, warning with 繼續使用, typing resets, idle logout', async (t) => {
  for (const size of SIZES) {
    const page = await pageAs(professional(), size)
    await page.goto(`${base}/reports/new`)
    await shows(t, page, '20:00', 'the countdown is in the header')
    await page.clock.fastForward('05:00')
    await shows(t, page, '15:00', 'it counts down')
    await page.fill('#instQuery', '仁愛')
    await shows(t, page, '20:00', 'typing restarts it')
    await page.clock.runFor(1000) // the institution search (htmx, after a short delay) answers
    await page.locator('[data-pick-institution]').first().waitFor()

    // the warning takes the focus from the search field typed in: its change sends the form's live check by itself
    const checked = page.waitForResponse((r) => r.url().endsWith('/reports/check'))
    await page.clock.fastForward('19:01')
    const warning = page.locator('#idle-warning')
    await warning.waitFor()
    t.match(await warning.textContent(), /將於 \d+ 秒後自動登出/, 'warned one minute before')
    t.equal(await page.evaluate(() => document.activeElement?.textContent), '繼續使用', 'the button has the focus')
    await checked
    await page.clock.runFor(1100)
    t.equal(await warning.count(), 1, 'a request the page sent by itself does not close the warning (only the person does)')
    t.ok(secondsOf(await countdown(page)) <= 60, 'nor restart the countdown')
    await page.screenshot({ path: shot(`idle-warning-${size.name}`), fullPage: false })
    const ping = page.waitForRequest((r) => r.url().endsWith('/api/me'))
    await page.click('text=繼續使用')
    await ping
    t.pass('繼續使用 tells the server too')
    t.equal(await warning.count(), 0, 'the warning is gone')
    await shows(t, page, '20:00', 'and the countdown restarted')

    await page.clock.fastForward('20:01')
    await page.waitForURL(/\/login\?expired=1/)
    const main = await page.textContent('main')
    // something was typed in the form (the institution search): the idle logout kept it (test/e2e/kept-forms.e2e.test.ts)
    t.match(main, '登入逾時，您填寫的內容已保留')
    t.notMatch(main, '登入中', 'not also 登入中: the session really ended')
    await page.screenshot({ path: shot(`idle-logged-out-${size.name}`), fullPage: true })
    const after = await page.context().request.get(`${base}/api/me`)
    t.equal(after.status(), 401, 'the session is gone on the server')
    await page.context().close()
  }
})

t.test('back office: clicking and typing restart the countdown', async (t) => {
  const page = await pageAs(reviewer())
  await page.goto(`${base}/review/cases`)
  await page.clock.fastForward('10:00')
  await shows(t, page, '10:00', 'it counts down')
  await page.click('h1')
  await shows(t, page, '20:00', 'a click restarts it')
  await page.clock.fastForward('03:00')
  await page.fill('#name', '王')
  await shows(t, page, '20:00', 'typing restarts it')
  await page.context().close()
})

t.test('Back after 登出 shows the login page with 已登出', async (t) => {
  for (const size of SIZES) {
    const page = await pageAs(professional(), size)
    await page.goto(`${base}/home`)
    await page.goto(`${base}/reports`)
    await Promise.all([page.waitForURL(/\/login\?loggedOut=1/), page.click('header button:has-text("登出")')])
    t.match(await page.textContent('main'), '已登出')
    await page.goBack()
    await page.waitForURL(/\/login\?loggedOut=1/)
    const main = await page.textContent('main')
    t.match(main, '已登出', 'Back lands on the login page, which says 已登出')
    t.notMatch(main, '登入中')
    t.ok(await page.locator('#role-choice').isVisible(), 'the login form itself')
    await page.screenshot({ path: shot(`back-after-logout-${size.name}`), fullPage: true })
    await page.context().close()
  }
})

t.test('a filing answers with a redirect: Back shows the form again, not the resubmit page', async (t) => {
  const page = await pageAs(professional())
  const next = new Date(Date.now() + 40 * 86400_000)
  const roc = (d: number) => `${next.getUTCFullYear() - 1911}${String(next.getUTCMonth() + 1).padStart(2, '0')}${String(d).padStart(2, '0')}`
  await page.goto(`${base}/reports/new`)
  await fillWeeklyTerms(page, { supportedCode: '3563020002', department: '02', purpose: '01', from: roc(1), to: roc(28), weekday: 4, winStart: '0800', winEnd: '1200' })
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/reports')
  await page.click('button[name="intent"][value="draft"]')
  t.equal((await posted).status(), 303, 'POST /reports → 303')
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}\?done=draft/)
  await page.goBack()
  await page.waitForURL(/\/reports\/new$/)
  t.match(await page.textContent('h1'), '登錄', 'Back shows the form page (a GET), no resubmission')
  await page.context().close()
})

t.test('error pages: zh-TW, the next step, code and trace id in small print', async (t) => {
  for (const size of SIZES) {
    const page = await pageAs(professional(), size)
    const r = await page.goto(`${base}/reports/${randomUUID()}`)
    t.equal(r!.status(), 404)
    t.match(await page.textContent('h1'), '查無資料')
    const link = page.locator('main a.button', { hasText: '回到報備支援名單' })
    t.equal(await link.getAttribute('href'), '/reports', 'the next step: back to the list')
    t.match(await page.textContent('.fine-print small'), /錯誤代碼 REPORT_NOT_FOUND · 追蹤碼 \S+/)
    await page.screenshot({ path: shot(`error-page-${size.name}`), fullPage: true })
    await page.context().close()
  }
  const anon = await browser.newPage()
  await anon.goto(`${base}/home`)
  await anon.waitForURL(/\/login$/)
  t.pass('a page asked for without a session goes on to the login page')
  await anon.close()
})
