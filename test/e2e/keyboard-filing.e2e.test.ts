// Keyboard only, in real Chromium: a professional logs in (健保卡免插卡: ID → SMS code → code + card number) and
// files a report, reaching every field with Tab, typing, choosing with the arrow keys / Space, and sending with Enter;
// before the filing is sent the whole case is shown for confirmation (確認案件內容後存檔送出), at both widths.
import t from 'tap'
import type { Page } from 'playwright-core'
import { launchBrowser, shot } from '../support/browser.js'
import { buildLoginApp, codeFrom } from '../support/login.js'

const h = await buildLoginApp(t)
const base = await h.app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

/** Presses Tab until the focus is on `selector` (fails after 120 presses): proves it is reachable in focus order. */
async function tabTo(page: Page, selector: string) {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`${selector} not reachable with Tab`)
}

const next = new Date(Date.now() + 40 * 86400_000)
const roc = (d: number) => `${next.getUTCFullYear() - 1911}${String(next.getUTCMonth() + 1).padStart(2, '0')}${String(d).padStart(2, '0')}`
const SIZES = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const

t.test('keyboard only: log in without a card, file, confirm the whole case, send', async (t) => {
  for (const [i, size] of SIZES.entries()) {
    const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height } })
    const page = await context.newPage()
    await page.goto(`${base}/login`)

    // 登入: the professional's method group (arrow keys move within a radio group), ID, Enter
    await tabTo(page, 'input[name="method"]:checked')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    t.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), 'otp', '健保卡免插卡 chosen')
    await tabTo(page, '#otp-id')
    await page.keyboard.type('H220112234')
    await page.keyboard.press('Enter')
    await page.locator('#form-otp-2:not([hidden])').waitFor()
    const sms = await context.newPage()
    await sms.goto(`${base}/dev/sms`)
    const code = codeFrom((await sms.locator('#sms-outbox .sms-body').first().textContent()) ?? '')
    await sms.close()
    await page.bringToFront()
    await tabTo(page, '#otp-code')
    await page.keyboard.type(code)
    await page.keyboard.press('Tab')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'otp-card', 'the card number follows the code')
    await page.keyboard.type('000056789012')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/home`)
    t.match(await page.textContent('header'), '陳怡君')

    // 登錄: from the menu, every field by Tab
    await tabTo(page, 'nav.main a[href="/reports/new"]')
    await Promise.all([page.waitForURL(`${base}/reports/new`), page.keyboard.press('Enter')])
    await tabTo(page, '#supportedCode')
    await page.keyboard.type('3563020002')
    await tabTo(page, '#department')
    await page.keyboard.type('0') // type-ahead picks the first code starting 0: 「00 不分科」
    t.equal(await page.inputValue('#department'), '00')
    await tabTo(page, '#purpose')
    await page.keyboard.press('ArrowDown')
    t.not(await page.inputValue('#purpose'), '', 'a purpose chosen')
    await tabTo(page, '#from')
    await page.keyboard.type(roc(1))
    await page.keyboard.press('Tab')
    await page.keyboard.type(roc(28))
    const weekday = String(3 + i) // 星期三 on the desktop, 星期四 on the phone: the second filing does not clash
    await tabTo(page, `input[name="weekdays"][value="${weekday}"]`)
    await page.keyboard.press('Space')
    await tabTo(page, 'input[name="winStart"]')
    await page.keyboard.type('0800')
    await page.keyboard.press('Tab')
    await page.keyboard.type('1200')
    await tabTo(page, 'button[name="intent"][value="submit"]')
    await page.keyboard.press('Enter')

    // 確認案件內容後存檔送出: the whole case, the focus on 確認送出
    const dialog = page.locator('#confirm-filing')
    await dialog.waitFor()
    t.match(await dialog.locator('h2').textContent(), '確認案件內容後存檔送出')
    const summary = (await dialog.locator('dl').textContent()) ?? ''
    t.match(summary, '3563020002', '被支援機構')
    t.match(summary, '00 不分科', '支援科別')
    t.match(summary, `${roc(1)} 至 ${roc(28)}`, '支援期間')
    t.match(summary, `星期${'三四'[i]}`, '星期')
    t.match(summary, '08:00~12:00', '每日時段')
    t.notMatch(summary, '指定日期時段', 'only the section of the chosen kind')
    t.equal(await page.evaluate(() => document.activeElement?.textContent), '確認送出', 'the focus is on 確認送出')
    await page.screenshot({ path: shot(`confirm-filing-${size.name}`), fullPage: false })

    // 返回修改 keeps everything; then send for real
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    t.equal(await dialog.isVisible(), false, '返回修改 closes the dialog')
    t.equal(await page.inputValue('#from'), roc(1), 'nothing typed is lost')
    await tabTo(page, 'button[name="intent"][value="submit"]')
    await page.keyboard.press('Enter')
    await dialog.waitFor()
    await Promise.all([page.waitForURL(/\/reports\/[0-9a-f-]{36}\?done=submit/), page.keyboard.press('Enter')])
    t.match(await page.textContent('main'), '已送出申請')
    t.match(await page.textContent('main'), '審核中')
    await page.screenshot({ path: shot(`keyboard-filed-${size.name}`), fullPage: true })
    await context.close()
  }
})
