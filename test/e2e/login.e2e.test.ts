// Login in real Chromium, end to end: the page → the local reader agent (real pcsclite → pcscd → vpcd) → a virtual
// card → the server. Each of the four methods lands on its home page (plus the staff card on the reviewer pages);
// the page explains a wrong PIN (tries left), a locked card, a card pulled out mid-signature, a reader that is gone
// and an agent that is not running. Screenshots in test-output/screenshots/login-*.png.
import t from 'tap'
import { DomainError } from '../../domain/errors.js'
import { DEMO_NHI_PASSWORD } from '../../http/auth/login-demo.js'
import { startReaderAgent, type ReaderAgent } from '../../reader/agent.js'
import type { CardBackend } from '../../reader/card-protocol.js'
import { createPcscBackend } from '../../reader/pcsc-backend.js'
import { PcscManager } from '../../reader/pcsc.js'
import { NhiVirtualCard } from '../../reader/virtual/nhi-virtual-card.js'
import { PkiVirtualCard } from '../../reader/virtual/pki-virtual-card.js'
import { launchBrowser, loginErrorText, openLoginPage, shot } from '../support/browser.js'
import { agentLoginSite, codeFrom } from '../support/login.js'
import { holdVpcd, requireVpcd, vpcdSlots } from '../support/virtual-card.js'

await requireVpcd()
await holdVpcd(t)


const { h, base, agentPort } = await agentLoginSite(t)
const proCard = await h.issueCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', pin: '246810' })
const instCard = await h.issueCard({ kind: 'institution', holderId: '0163010001', name: '示範大學附設醫院', pin: '112233' })
const staffCard = await h.issueCard({ kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63', pin: '135790' })

// The agent runs the real PC/SC backend. vpcd's readers exist as long as pcscd runs (they cannot be unplugged like a
// USB reader without restarting the machine-wide pcscd), so "the reader is gone" is modelled by this switch: while
// set, the agent sees no reader at all, exactly what the PC/SC backend reports when pcscd lists none.
const pcsc = new PcscManager()
const real = createPcscBackend(pcsc)
let unplugged = false
const noReader = () => new DomainError('READER_ABSENT')
const backend: CardBackend = {
  readers: async () => (unplugged ? [] : real.readers()),
  readNhiCard: async (reader) => {
    if (unplugged) throw noReader()
    return real.readNhiCard(reader)
  },
  signChallenge: async (c, pin, reader) => {
    if (unplugged) throw noReader()
    return real.signChallenge(c, pin, reader)
  },
  close: () => real.close(),
}
let agent: ReaderAgent | undefined = await startReaderAgent({ backend, origin: base, port: agentPort })
t.teardown(async () => {
  await agent?.close()
  await real.close()
})
const { plug, unplugAll } = await vpcdSlots(pcsc)
t.afterEach(unplugAll)

const browser = await launchBrowser()
t.teardown(() => browser.close())
const newPage = () => openLoginPage(browser, `${base}/login`, { width: 1100, height: 860 })
const errorText = (page: import('playwright-core').Page) => loginErrorText(page)

t.test('醫事人員憑證 + PIN → /home', async (t) => {
  await plug(new PkiVirtualCard(proCard), 1)
  const page = await newPage()
  await page.screenshot({ path: shot('login-page'), fullPage: true })
  const phone = await browser.newPage({ locale: 'zh-TW', viewport: { width: 390, height: 844 } })
  await phone.goto(`${base}/login?role=institution`)
  await phone.waitForSelector('#login[data-ready="1"]')
  t.ok(await phone.isHidden('#method-choice'), '?role= preselects the institution')
  await phone.screenshot({ path: shot('login-page-phone'), fullPage: true })
  await phone.close()
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '王大明')
  await page.screenshot({ path: shot('login-professional-home'), fullPage: true })
  await page.context().close()
})

t.test('健保卡 inserted + 身分證號 + 網路服務註冊密碼 → /home', async (t) => {
  await plug(new NhiVirtualCard({ cardNumber: '000012345678', name: '王大明', nationalId: 'A123456789', birthDate: '0690512', sex: 'M', issueDate: '1100101' }), 0)
  const page = await newPage()
  await page.check('input[name="method"][value="nhi"]')
  t.ok(await page.isHidden('#form-card'), 'the card form gives way')
  await page.fill('#nhi-id', 'a123456789')
  await page.fill('#nhi-password', 'not-the-password')
  await page.click('#nhi-submit')
  t.match(await errorText(page), '身分證號或健保卡網路服務註冊密碼錯誤，尚可嘗試 4 次')
  await page.screenshot({ path: shot('login-nhi-wrong-password'), fullPage: true })
  await page.fill('#nhi-password', DEMO_NHI_PASSWORD)
  await page.click('#nhi-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '王大明')
  t.match(await page.textContent('header'), '上次登入', 'the previous login (the card login above) is shown')
  await page.context().close()
})

t.test('健保卡免插卡: 身分證號 → SMS code (read on /dev/sms) → code + card number → /home', async (t) => {
  const page = await newPage()
  await page.check('input[name="method"][value="otp"]')
  await page.fill('#otp-id', 'H220112234')
  await page.click('#otp-send')
  await page.locator('#form-otp-2:not([hidden])').waitFor()
  t.match(await page.textContent('#login-info'), '驗證碼已傳送至 *******777')
  t.equal(await page.textContent('#otp-who-id'), 'H2201XXXX4', 'step 2 names the ID being verified')
  await page.screenshot({ path: shot('login-otp-step2'), fullPage: true })
  const phone = await page.context().newPage()
  await phone.goto(`${base}/dev/sms`)
  const body = (await phone.locator('#sms-outbox .sms-body').first().textContent()) ?? ''
  await phone.screenshot({ path: shot('login-dev-sms'), fullPage: true })
  const code = codeFrom(body)
  t.match(code, /^\d{6}$/, 'the code is in the outbox')
  // a wrong code is told as wrong (not "wrong or expired")
  await page.fill('#otp-code', code === '000000' ? '111111' : '000000')
  await page.fill('#otp-card', '000056789012')
  await page.click('#otp-submit')
  await page.locator('#login-error', { hasText: '簡訊驗證碼錯誤' }).waitFor()
  t.notMatch(await page.textContent('#login-error'), '逾時', 'a wrong code is not called expired')
  t.ok(await page.isVisible('#form-otp-2'), 'still on step 2')
  await page.fill('#otp-code', code)
  await page.fill('#otp-card', '000056789012')
  await page.click('#otp-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '陳怡君')
  await page.context().close()
})

t.test('機構憑證 + PIN → /institution', async (t) => {
  await plug(new PkiVirtualCard(instCard), 1)
  const page = await newPage()
  await page.check('input[name="role"][value="institution"]')
  t.ok(await page.isHidden('#method-choice'), 'institutions have one method')
  t.ok(await page.isVisible('[data-card-hint="institution"]'))
  await page.fill('#pin', '112233')
  await page.click('#card-submit')
  await page.waitForURL(`${base}/institution`)
  t.match(await page.textContent('header'), '示範大學附設醫院')
  await page.screenshot({ path: shot('login-institution-home'), fullPage: true })
  await page.context().close()
})

t.test('衛生局審查人員 staff card + PIN → reviewer pages with the idle countdown', async (t) => {
  await plug(new PkiVirtualCard(staffCard), 1)
  const page = await newPage()
  await page.check('input[name="role"][value="staff"]')
  await page.fill('#pin', '135790')
  await page.click('#card-submit')
  await page.waitForURL(/\/review\/cases/)
  t.match(await page.textContent('header'), '周文華')
  const first = await page.textContent('#idle-countdown')
  await page.waitForFunction((v) => document.querySelector('#idle-countdown')?.textContent !== v, first)
  // below 20:00 and, however slow the machine, still in the first minute
  t.match(await page.textContent('#idle-countdown'), /^19:[0-5]\d$/, 'the countdown runs')
  await page.screenshot({ path: shot('login-reviewer-home'), fullPage: true })
  // logout from the header (POST with CSRF) ends the session
  await page.click('header button:has-text("登出")')
  await page.waitForURL((u) => u.pathname === '/login')
  await page.goto(`${base}/review/cases`)
  // after a logout the page says so (the 401 page forwards to the login page with 「已登出」): read the page it lands
  // on, not the one in between (read during the forward, main was empty)
  await page.waitForURL((u) => u.pathname === '/login')
  await page.waitForSelector('#login[data-ready="1"]')
  t.match(await page.textContent('main'), /已登出/)
  await page.context().close()
})

t.test('wrong PIN shows the tries left; the third locks the card', async (t) => {
  await plug(new PkiVirtualCard(proCard), 1)
  const page = await newPage()
  await page.fill('#pin', '000000')
  await page.click('#card-submit')
  t.equal(await errorText(page), 'PIN 碼錯誤，尚可嘗試 2 次（錯誤次數過多將鎖卡）')
  t.equal(await page.inputValue('#pin'), '', 'the PIN field is cleared')
  await page.screenshot({ path: shot('login-wrong-pin'), fullPage: true })
  await page.fill('#pin', '000001')
  await page.click('#card-submit')
  await page.waitForFunction(() => /1 次/.test(document.querySelector('#login-error')?.textContent ?? ''))
  await page.fill('#pin', '000002')
  await page.click('#card-submit')
  await page.waitForFunction(() => /鎖卡/.test(document.querySelector('#login-error')?.textContent ?? '') && !/尚可/.test(document.querySelector('#login-error')?.textContent ?? ''))
  t.equal(await page.textContent('#login-error'), '卡片已鎖卡（PIN 碼錯誤次數過多），請洽發卡單位解鎖。')
  await page.screenshot({ path: shot('login-card-locked'), fullPage: true })
  t.equal(new URL(page.url()).pathname, '/login', 'still on the login page')
  await page.context().close()
})

t.test('card pulled out in the middle of signing', async (t) => {
  await plug(new PkiVirtualCard(proCard), 1, { onApdu: (apdu) => (apdu[1] === 0x2a ? 'remove' : undefined) })
  const page = await newPage()
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  t.equal(await errorText(page), '讀卡機中沒有卡片（或卡片在讀取中被取出），請插入卡片後再試。')
  await page.screenshot({ path: shot('login-card-removed'), fullPage: true })
  await page.context().close()
})

t.test('no card in the reader, and the reader gone', async (t) => {
  const page = await newPage()
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  t.match(await errorText(page), '讀卡機中沒有卡片')
  unplugged = true
  t.teardown(() => {
    unplugged = false
  })
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  await page.waitForFunction(() => /找不到讀卡機/.test(document.querySelector('#login-error')?.textContent ?? ''))
  t.equal(await page.textContent('#login-error'), '找不到讀卡機，請確認讀卡機已連接後再試。')
  await page.screenshot({ path: shot('login-no-reader'), fullPage: true })
  await page.context().close()
})

t.test('reader agent not running: says so, with the command to start it', async (t) => {
  await agent!.close()
  agent = undefined
  const page = await newPage()
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  t.equal(await errorText(page), '未偵測到 HiCOS 跨平台網頁元件，也無法連線到本機讀卡程式，請依下方說明安裝或啟動後再試。')
  t.ok(await page.isVisible('#hipki-missing'), 'how to install the component, or to start baobei reader')
  t.match(await page.textContent('#hipki-missing'), 'baobei reader')
  await page.screenshot({ path: shot('login-no-agent'), fullPage: true })
  await page.context().close()
  agent = await startReaderAgent({ backend, origin: base, port: agentPort })
})
