// 系統管理 in real Chromium: the MOHW administrator creates a reviewer (帳號管理) and publishes a news item (網站資料管理)
// that the public 最新消息 page then shows; the pages at desktop (1366×768) and phone (390×844) sizes. Screenshots in
// test-output/screenshots/admin-*.png.
import t from 'tap'
import { buildTestApp } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import { findAccount } from '../../commands/accounts/find-account.js'
import { isoToRoc, taipeiDate } from '../../domain/roc-date.js'

const { app, tdb } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const SIZES = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const

async function pageAs(user: SessionUser | undefined, size: keyof typeof SIZES) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: SIZES[size], ...(size === 'phone' ? { isMobile: true, hasTouch: true } : {}) })
  if (user) {
    const r = await context.request.post(`${base}/__test/session`, { data: { user } })
    if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  }
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()) })
  // a missing asset (the browser's own favicon request aside) is an error too
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`) })
  return { context, page, errors }
}

t.test('an administrator creates a reviewer', async (t) => {
  const { page, context, errors } = await pageAs(admin, 'desktop')
  await page.goto(`${base}/review`)
  t.match(page.url(), /\/review\/admin\/accounts$/, 'an administrator starts at 帳號管理')
  t.match(await page.textContent('nav.side'), '系統設定')
  t.match(await page.textContent('nav.side'), '網站資料管理')
  await page.screenshot({ path: shot('admin-accounts-desktop'), fullPage: true })
  await page.click('#new-account')
  await page.waitForSelector('#account-form')
  await page.fill('#accountId', 'HSZ-R001')
  await page.fill('#name', '吳志強')
  await page.fill('#agency', '新竹縣政府衛生局')
  await page.selectOption('#role', 'reviewer')
  await page.selectOption('#county', '04')
  await page.fill('#certIssuer', 'C=TW,O=行政院,OU=政府憑證管理中心')
  await page.fill('#certSerial', '5A3F0012')
  await page.fill('#reason', '新竹縣衛生局新進審查人員')
  await page.screenshot({ path: shot('admin-account-form-desktop'), fullPage: true })
  await Promise.all([page.waitForURL(/HSZ-R001\?done=created/), page.click('#create-account')])
  t.match(await page.textContent('#done'), '已建立帳號')
  t.match(await page.textContent('#account-history'), '新竹縣衛生局新進審查人員')
  t.match(await page.textContent('main'), '新竹縣')
  await page.screenshot({ path: shot('admin-account-created-desktop'), fullPage: true })
  t.match(await findAccount(tdb.db, 'HSZ-R001'), { role: 'reviewer', county: '04', disabled: false })
  t.same(errors, [], 'no script errors')
  await context.close()
})

t.test('an administrator publishes a news item; the public page shows it (desktop and phone)', async (t) => {
  const { page, context, errors } = await pageAs(admin, 'desktop')
  await page.goto(`${base}/review/admin/site`)
  await page.click('#new-news')
  await page.waitForSelector('#site-form')
  await page.fill('#title', '報備支援系統新版上線')
  await page.fill('#body', '自即日起，**衛生局審查人員**改以新版系統審核。\n\n- 申辦方式請見「申辦方式說明」\n- 問題請洽各縣市衛生局')
  await page.fill('#publishedOn', isoToRoc(taipeiDate(new Date().toISOString())))
  await Promise.all([page.waitForURL(/done=published/), page.click('#publish')])
  t.match(await page.textContent('#site-pages'), '報備支援系統新版上線')
  await page.screenshot({ path: shot('admin-site-desktop'), fullPage: true })
  t.same(errors, [])
  await context.close()

  for (const size of ['desktop', 'phone'] as const) {
    const pub = await pageAs(undefined, size)
    await pub.page.goto(`${base}/news`)
    t.match(await pub.page.textContent('#news'), '報備支援系統新版上線', `${size}: listed`)
    await pub.page.screenshot({ path: shot(`admin-public-news-${size}`), fullPage: true })
    await pub.page.click('#news a')
    await pub.page.waitForSelector('article.public-page')
    t.match(await pub.page.innerHTML('article .md'), '<strong>衛生局審查人員</strong>', `${size}: Markdown rendered`)
    await pub.page.screenshot({ path: shot(`admin-public-news-item-${size}`), fullPage: true })
    await pub.page.goto(`${base}/progress`)
    await pub.page.screenshot({ path: shot(`admin-public-progress-${size}`), fullPage: true })
    const overflow = await pub.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
    t.notOk(overflow, `${size}: no sideways scrolling`)
    t.same(pub.errors, [], `${size}: no script errors`)
    await pub.context.close()
  }
  // the admin pages on a phone
  const phone = await pageAs(admin, 'phone')
  await phone.page.goto(`${base}/review/admin/accounts`)
  await phone.page.screenshot({ path: shot('admin-accounts-phone'), fullPage: true })
  await phone.page.goto(`${base}/review/admin/settings/quota`)
  await phone.page.screenshot({ path: shot('admin-setting-quota-phone'), fullPage: true })
  await phone.context.close()
})
