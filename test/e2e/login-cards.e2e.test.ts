// Real cards' ways in, in real Chromium: SoftHSM2 tokens (Debian's PKCS#11 module) holding cards of the HCA and GCA
// test CAs.
//   1. No HiCOS component on the machine: the page finds none, falls back to `baobei reader`'s PKCS#11 backend, and a
//      professional, an institution and a reviewer log in.
//   2. The HiPKI path: the login page drives a local stand-in of the HiPKI LocalSignServer (a TEST DOUBLE implementing
//      the popupForm protocol, test/support/hipki-standin.ts) backed by the same SoftHSM2 token: 讀取卡片 (GetUserCert),
//      a wrong PIN, then the login (MakeSignature over the login payload).
//   3. Neither the component nor the agent: the page says how to install the component or start the agent.
//   4. Two professional tokens: the page lists both (slot and token label) and the chosen token signs.
// Screenshots in test-output/screenshots/login-cards-*.png.
import t from 'tap'
import { startReaderAgent, type ReaderAgent } from '../../reader/agent.js'
import { openPkcs11Backend } from '../../reader/pkcs11-backend.js'
import { launchBrowser, loginErrorText, openLoginPage, shot } from '../support/browser.js'
import { startHipkiStandIn, type HipkiStandIn } from '../support/hipki-standin.js'
import { buildLoginApp } from '../support/login.js'
import { createSoftHsm } from '../support/softhsm.js'
import { freePort } from '../support/net.js'


const [appPort, agentPort, hipkiPort] = [await freePort(), await freePort(), await freePort()]
const base = `http://127.0.0.1:${appPort}`
const h = await buildLoginApp(t, { agentUrl: `http://127.0.0.1:${agentPort}`, siteOrigin: base, hipkiUrl: `http://127.0.0.1:${hipkiPort}` })
await h.app.listen({ host: '127.0.0.1', port: appPort })

const pro = await h.issueCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', pin: '246810' })
const inst = await h.issueCard({ kind: 'institution', holderId: '0163010001', name: '示範大學附設醫院', pin: '112233' })
const staff = await h.issueCard({ kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63', pin: '135790' })
const pro2 = await h.issueCard({ kind: 'professional', holderId: 'F122334458', name: '陳志豪', pin: '135246' })

const hsm = createSoftHsm()
t.teardown(() => hsm.close())
hsm.addToken('PRO', pro)
hsm.addToken('INST', inst)
hsm.addToken('STAFF', staff)
hsm.addToken('PRO2', pro2)
// one module instance for the process: the agent and the HiPKI stand-in share it (the same tokens)
const backend = openPkcs11Backend(hsm.module)
let agent: ReaderAgent | undefined = await startReaderAgent({ backend, origin: base, port: agentPort })
let hipki: HipkiStandIn | undefined
t.teardown(async () => {
  await hipki?.close()
  await agent?.close()
  await backend.close()
})

const browser = await launchBrowser()
t.teardown(() => browser.close())
const newPage = (query = '') => openLoginPage(browser, `${base}/login${query}`, { width: 1100, height: 900 })
const errorText = (page: import('playwright-core').Page) => loginErrorText(page)

t.test('no HiCOS component: the page falls back to baobei reader over PKCS#11 for each kind of card', async (t) => {
  for (const [query, pin, home, name] of [
    ['?role=institution', '112233', '/institution', '示範大學附設醫院'],
    ['?role=staff', '135790', '/review', '周文華'],
  ] as const) {
    const page = await newPage(query)
    await page.fill('#pin', pin)
    await page.click('#card-submit')
    await page.waitForURL(new RegExp(`^${base}${home}`))
    t.match(await page.textContent('header'), name, `${name} is logged in`)
    await page.screenshot({ path: shot(`login-cards-agent-${home.slice(1)}`), fullPage: true })
    await page.context().close()
  }
})

t.test('two professional tokens (PKCS#11): the page lists both by slot and token label; the chosen one signs', async (t) => {
  const page = await newPage()
  await page.fill('#pin', '135246')
  await page.click('#card-submit')
  t.equal(await errorText(page), '找到 2 張醫事人員卡，請先選擇要使用的卡片，再按登入。')
  const listed = await page.$$eval('#card-choice label', (els) => els.map((e) => e.textContent ?? ''))
  // SoftHSM2 numbers its slots at random: the slot descriptions are checked for shape, the order ignored
  t.same(listed.map((l) => l.replace(/讀卡機「SoftHSM slot ID 0x[0-9a-f]+」/, '讀卡機「…」')).sort(), [
    '醫事人員卡（王○明），讀卡機「…」（卡片標籤 PRO）',
    '醫事人員卡（陳○豪），讀卡機「…」（卡片標籤 PRO2）',
  ])
  t.match(await page.textContent('#card-choice .other-cards'), '醫事機構卡（示範大學附設醫院）', 'the other tokens named as not suitable')
  await page.screenshot({ path: shot('login-cards-agent-two-tokens'), fullPage: true })
  await page.click('#card-choice label:has-text("PRO2")')
  await page.click('#card-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '陳志豪', "the chosen token's holder is logged in")
  await page.screenshot({ path: shot('login-cards-agent-home'), fullPage: true })
  await page.context().close()
})

t.test('HiPKI path (stand-in test double): read the card, a wrong PIN, then the login', async (t) => {
  hipki = await startHipkiStandIn(backend, { port: hipkiPort })
  hipki.insert(['PRO'])
  const page = await newPage()
  await page.click('#card-read')
  await page.waitForFunction(() => /王大明/.test(document.querySelector('#card-info')?.textContent ?? ''))
  t.equal(await page.getAttribute('#card-via', 'data-via'), 'hipki', 'GetUserCert went through the component')
  await page.screenshot({ path: shot('login-cards-hipki-card-read'), fullPage: true })

  await page.fill('#pin', '000000')
  await page.click('#card-submit')
  t.equal(await errorText(page), 'PIN 碼錯誤')
  await page.screenshot({ path: shot('login-cards-hipki-wrong-pin'), fullPage: true })

  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  await page.waitForURL(`${base}/home`)
  t.match(await page.textContent('header'), '王大明')
  t.same(hipki.requests, ['GetUserCert', 'MakeSignature', 'MakeSignature'], 'every step through the popupForm bridge')
  const audit = await h.tdb.db.query<{ subject_id: string; method: string }>(`SELECT subject_id, method FROM login_audit WHERE outcome = 'success' ORDER BY id DESC LIMIT 1`)
  t.same(audit.rows[0], { subject_id: 'A123456789', method: 'hca-professional-card' })
  await page.context().close()
})

t.test('HiPKI answers a person can cause: no card, no reader', async (t) => {
  hipki!.insert([])
  const page = await newPage()
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  t.match(await errorText(page), '讀卡機中沒有卡片')
  hipki!.insert('no-reader')
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  await page.waitForFunction(() => /找不到讀卡機/.test(document.querySelector('#login-error')?.textContent ?? ''))
  t.pass('no reader is said so')
  await page.context().close()
})

t.test('neither the component nor the agent: how to install HiCOS or start baobei reader', async (t) => {
  await hipki?.close()
  hipki = undefined
  await agent?.close()
  agent = undefined
  const page = await newPage()
  await page.fill('#pin', '246810')
  await page.click('#card-submit')
  t.equal(await errorText(page), '未偵測到 HiCOS 跨平台網頁元件，也無法連線到本機讀卡程式，請依下方說明安裝或啟動後再試。')
  t.ok(await page.isVisible('#hipki-missing'))
  t.match(await page.textContent('#hipki-missing'), 'HiCOS 卡片管理工具')
  await page.screenshot({ path: shot('login-cards-nothing-installed'), fullPage: true })
  await page.context().close()
})
