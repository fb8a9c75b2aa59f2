// (Named card-choice-login, not login-card-choice: it holds the two vpcd readers as login.e2e does, and tap starts
// the files in name order, several at a time; next to each other one of the two only waited for the lock.)
// Several cards inserted (issue #16), in real Chromium: the page → the reader agent (real pcsclite → pcscd → vpcd, the
// two vpcd readers) → virtual cards → the server.
//   1. Two professional cards: the page lists both (radio list in a fieldset), asks to choose, the chosen reader's
//      card signs and its holder is logged in.
//   2. An NHI card beside a professional card: the professional card is chosen by itself, the NHI card is named as not
//      suitable; the NHI method, the other way round.
//   3. Wrong kind only: the message names the card and the reader; the server still decides on the certificate.
//   4. A certificate card whose kind the agent cannot tell is offered when no card of the wanted kind is there, and
//      the server decides (a staff card of the government CA family logs in as staff, and not as a professional).
// axe-core (zero serious/critical) and screenshots at 1366x768 and 390x844: test-output/screenshots/login-choice-*.png.
import type { Browser, Page } from 'playwright-core'
import t from 'tap'
import { DEMO_NHI_PASSWORD } from '../../http/auth/login-demo.js'
import { startReaderAgent } from '../../reader/agent.js'
import type { CardBackend } from '../../reader/card-protocol.js'
import { createPcscBackend } from '../../reader/pcsc-backend.js'
import { PcscManager } from '../../reader/pcsc.js'
import { NhiVirtualCard } from '../../reader/virtual/nhi-virtual-card.js'
import { PkiVirtualCard } from '../../reader/virtual/pki-virtual-card.js'
import { launchBrowser, loginErrorText, shot } from '../support/browser.js'
import { agentLoginSite } from '../support/login.js'
import { holdVpcd, requireVpcd, vpcdSlots } from '../support/virtual-card.js'
import { seriousViolations } from '../support/axe.js'

await requireVpcd()
await holdVpcd(t)


const WIDTHS = [{ width: 1366, height: 768, tag: 'desktop' }, { width: 390, height: 844, tag: 'phone' }] as const

const { h, base, agentPort } = await agentLoginSite(t)
const wang = await h.issueCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', pin: '246810' })
const chen = await h.issueCard({ kind: 'professional', holderId: 'F122334458', name: '陳志豪', pin: '135246' })
const inst = await h.issueCard({ kind: 'institution', holderId: '0163010001', name: '示範大學附設醫院', pin: '112233' })
// a government (GCA) staff card without the demo's staff mark: the agent cannot tell its kind, only its CA family can
const staffUnmarked = await h.issueCard({ kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63', pin: '135790', profile: { subjectKinds: [] } })
const wangNhi = () => new NhiVirtualCard({ cardNumber: '000012345678', name: '王大明', nationalId: 'A123456789', birthDate: '0690512', sex: 'M', issueDate: '1100101' })
const chenNhi = () => new NhiVirtualCard({ cardNumber: '000034567890', name: '陳志豪', nationalId: 'F122334458', birthDate: '0670120', sex: 'M', issueDate: '1100101' })

const pcsc = new PcscManager()
const real = createPcscBackend(pcsc)
// `baobei reader` is installed on the person's PC apart from the site: while set, the agent answers as one older than
// the listing's kind and holder hint (card type and certificate kind only)
let olderAgent = false
const backend: CardBackend = {
  ...real,
  readers: async () => (await real.readers()).map((r) => (olderAgent ? { name: r.name, cardPresent: r.cardPresent, ...(r.cardType ? { cardType: r.cardType } : {}), ...(r.cardKind ? { cardKind: r.cardKind } : {}) } : r)),
}
const agent = await startReaderAgent({ backend, origin: base, port: agentPort })
t.teardown(async () => {
  await agent.close()
  await real.close()
})
const { readers, plug, unplugAll } = await vpcdSlots(pcsc)
t.afterEach(unplugAll)

const browser: Browser = await launchBrowser()
t.teardown(() => browser.close())


/** The login page in a fresh context (CSP bypassed only so that the test can inject axe-core). */
async function loginPage(size: { width: number; height: number }, query = ''): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height }, bypassCSP: true })
  const page = await context.newPage()
  await page.goto(`${base}/login${query}`)
  await page.waitForSelector('#login[data-ready="1"]')
  return page
}
/** 讀取卡片: the component is tried first (absent here), then the agent's listing is shown. */
async function readCards(page: Page) {
  await page.click('#card-read')
  await page.waitForFunction(() => document.querySelector('#card-via')?.getAttribute('data-via') === 'agent' || !document.querySelector('#login-error')?.hasAttribute('hidden'))
}
const radios = (page: Page, box: string) =>
  page.$$eval(`${box} input[type="radio"]`, (els) => els.map((e) => ({ value: (e as HTMLInputElement).value, checked: (e as HTMLInputElement).checked, label: e.closest('label')?.textContent ?? '' })))

t.test('two professional cards: the page lists both, asks to choose, and the chosen card logs in', async (t) => {
  await plug(new PkiVirtualCard(wang), 0)
  await plug(new PkiVirtualCard(chen), 1)
  for (const size of WIDTHS) {
    const page = await loginPage(size)
    await readCards(page)
    t.equal(await page.textContent('#card-choice legend'), '找到 2 張醫事人員卡，請選擇要使用的卡片', `${size.tag}: the legend says how many and what to do`)
    t.same(await radios(page, '#card-choice'), [
      { value: readers[0], checked: false, label: `醫事人員卡（王○明），讀卡機「${readers[0]}」` },
      { value: readers[1], checked: false, label: `醫事人員卡（陳○豪），讀卡機「${readers[1]}」` },
    ], `${size.tag}: both cards, by reader, none chosen for the person`)
    t.equal(await page.textContent('#card-info'), '找到 2 張醫事人員卡，請在下方選擇。')
    t.same(await seriousViolations(page), [], `${size.tag}: axe, the list shown`)
    await page.screenshot({ path: shot(`login-choice-two-cards-${size.tag}`), fullPage: true })

    // 登入 without choosing: asked to choose, the PIN kept, focus on the list
    await page.fill('#pin', '135246')
    await page.click('#card-submit')
    t.equal(await loginErrorText(page), '找到 2 張醫事人員卡，請先選擇要使用的卡片，再按登入。')
    t.equal(await page.inputValue('#pin'), '135246', `${size.tag}: the PIN stays (it reached no card)`)
    t.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value), readers[0], 'focus on the first card')
    t.same(await seriousViolations(page), [], `${size.tag}: axe, asked to choose`)
    await page.screenshot({ path: shot(`login-choice-choose-${size.tag}`), fullPage: true })

    // keyboard: the arrow key moves the choice to the second reader (陳志豪), Enter in the PIN field logs in
    await page.keyboard.press('ArrowDown')
    t.same((await radios(page, '#card-choice')).map((r) => r.checked), [false, true], 'the arrow key chose the second card')
    await page.focus('#pin')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/home`)
    t.match(await page.textContent('header'), '陳志豪', `${size.tag}: the card in the chosen reader logged in`)
    if (size.tag === 'desktop') await page.screenshot({ path: shot('login-choice-logged-in'), fullPage: true })
    await page.context().close()
  }
  const audit = await h.tdb.db.query<{ subject_id: string }>(`SELECT subject_id FROM login_audit WHERE outcome = 'success' ORDER BY id DESC LIMIT 2`)
  t.same(audit.rows.map((r) => r.subject_id), ['F122334458', 'F122334458'], "the server logged in the chosen card's holder")
})

t.test('an NHI card beside a professional card: each method takes its own card by itself and names the other', async (t) => {
  await plug(wangNhi(), 0)
  await plug(new PkiVirtualCard(wang), 1)
  const page = await loginPage(WIDTHS[0])
  await readCards(page)
  t.same(await radios(page, '#card-choice'), [{ value: readers[1], checked: true, label: `醫事人員卡（王○明），讀卡機「${readers[1]}」` }], 'the only suitable card is chosen')
  t.equal(await page.textContent('#card-choice legend'), '使用的卡片')
  t.equal(await page.textContent('#card-choice .other-cards'), `讀卡機「${readers[0]}」：健保卡`, 'the other card is named, not offered')
  t.equal(await page.textContent('#card-info'), `已讀取卡片：醫事人員卡（王○明），讀卡機「${readers[1]}」`)
  await page.screenshot({ path: shot('login-choice-nhi-beside-hca'), fullPage: true })

  // the NHI method lists the same readers the other way round (shown as soon as the method is chosen)
  await page.check('input[name="method"][value="nhi"]')
  await page.locator('#nhi-choice input[type="radio"]').waitFor()
  t.same(await radios(page, '#nhi-choice'), [{ value: readers[0], checked: true, label: `健保卡，讀卡機「${readers[0]}」` }])
  t.equal(await page.textContent('#nhi-choice .other-cards'), `讀卡機「${readers[1]}」：醫事人員卡（王○明）`)
  t.same(await seriousViolations(page), [], 'axe, the NHI method with its list')
  await page.fill('#nhi-id', 'A123456789')
  await page.fill('#nhi-password', DEMO_NHI_PASSWORD)
  await page.click('#nhi-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '王大明')
  await page.context().close()
})

t.test('two NHI cards: the NHI method asks which one and reads the chosen card only', async (t) => {
  await plug(wangNhi(), 0)
  await plug(chenNhi(), 1)
  const page = await loginPage(WIDTHS[1])
  await page.check('input[name="method"][value="nhi"]')
  await page.fill('#nhi-id', 'F122334458')
  await page.fill('#nhi-password', DEMO_NHI_PASSWORD)
  await page.click('#nhi-submit')
  t.equal(await loginErrorText(page), '找到 2 張健保卡，請先選擇要使用的卡片，再按登入。')
  t.same((await radios(page, '#nhi-choice')).map((r) => r.label), [`健保卡，讀卡機「${readers[0]}」`, `健保卡，讀卡機「${readers[1]}」`])
  t.same(await seriousViolations(page), [], 'axe, phone width')
  await page.screenshot({ path: shot('login-choice-two-nhi-phone'), fullPage: true })
  // 王大明's card with 陳志豪's ID: the server compares the card read with the ID typed
  await page.check(`#nhi-choice input[value="${readers[0]}"]`)
  await page.click('#nhi-submit')
  await page.waitForFunction(() => {
    const e = document.querySelector('#login-error')
    return e && !e.hasAttribute('hidden') && e.getAttribute('data-code') !== 'CARD_CHOOSE'
  })
  t.equal(await page.getAttribute('#login-error', 'data-code'), 'NHI_CARD_MISMATCH', 'the card in the chosen reader (王大明) was read, and it is not 陳志豪\'s')
  t.equal(new URL(page.url()).pathname, '/login', 'no login')
  await page.check(`#nhi-choice input[value="${readers[1]}"]`)
  await page.fill('#nhi-password', DEMO_NHI_PASSWORD)
  await page.click('#nhi-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '陳志豪')
  await page.context().close()
})

t.test('wrong kind only: the message names the card and the reader, at both widths', async (t) => {
  await plug(wangNhi(), 1)
  for (const size of WIDTHS) {
    const page = await loginPage(size)
    await page.fill('#pin', '246810')
    await page.click('#card-submit')
    t.equal(await loginErrorText(page), `讀卡機「${readers[1]}」中的是健保卡，請插入醫事人員卡。`, `${size.tag}: which card, which reader`)
    t.equal(await page.getAttribute('#login-error', 'data-code'), 'CARD_WRONG_KIND')
    t.equal(await page.textContent('#card-choice .other-cards'), `讀卡機「${readers[1]}」：健保卡`, 'what was found is listed')
    t.same(await seriousViolations(page), [], `${size.tag}: axe, wrong card`)
    await page.screenshot({ path: shot(`login-choice-wrong-kind-${size.tag}`), fullPage: true })
    await page.context().close()
  }
})

t.test('no suitable card among several: every card found is named with its reader', async (t) => {
  await plug(wangNhi(), 0)
  await plug(new PkiVirtualCard(inst), 1)
  const page = await loginPage(WIDTHS[0])
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  t.equal(
    await loginErrorText(page),
    `讀卡機「${readers[0]}」中的是健保卡；讀卡機「${readers[1]}」中的是醫事機構卡（示範大學附設醫院），請插入醫事人員卡。`,
  )
  await page.screenshot({ path: shot('login-choice-none-suitable'), fullPage: true })
  // the same cards suit the institution login: the institution card is chosen by itself and logs in
  await page.check('input[name="role"][value="institution"]')
  await page.locator('#card-choice input[type="radio"]:checked').waitFor()
  t.equal(await page.inputValue('#card-choice input[type="radio"]:checked'), readers[1])
  await page.fill('#pin', '112233')
  await page.click('#card-submit')
  await page.waitForURL(`${base}/institution`)
  t.match(await page.textContent('header'), '示範大學附設醫院')
  await page.context().close()
})

t.test('a card the agent cannot place: offered when nothing better is there, and the server decides its kind', async (t) => {
  await plug(wangNhi(), 0)
  await plug(new PkiVirtualCard(staffUnmarked), 1)
  // as a professional: the card is offered (the agent cannot say it is not one) and the server refuses it by its CA
  const page = await loginPage(WIDTHS[0])
  await page.fill('#pin', '135790')
  await page.click('#card-submit')
  t.equal(await loginErrorText(page).then(() => page.getAttribute('#login-error', 'data-code')), 'CERT_WRONG_TYPE', 'the claim of the listing changes nothing: the certificate is checked')
  t.same(await radios(page, '#card-choice'), [{ value: readers[1], checked: true, label: `憑證卡（無法判別類別）（周○華），讀卡機「${readers[1]}」` }])
  // as staff: the same card logs in
  await page.check('input[name="role"][value="staff"]')
  await page.locator('#card-choice input[type="radio"]:checked').waitFor()
  await page.fill('#pin', '135790')
  await page.click('#card-submit')
  await page.waitForURL(/\/review\//)
  t.match(await page.textContent('header'), '周文華')
  await page.context().close()
})

t.test('an agent older than the listing (no kind, no hint): the page still tells the cards apart by type', async (t) => {
  olderAgent = true
  t.teardown(() => {
    olderAgent = false
  })
  await plug(wangNhi(), 0)
  await plug(new PkiVirtualCard(wang), 1)
  const page = await loginPage(WIDTHS[0])
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '王大明', 'the professional card was chosen by itself, the NHI card left alone')
  await page.context().close()
})
