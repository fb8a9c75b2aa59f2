// Issue #16 in real Chromium: a professional sets 通知方式 on 通知設定 (a wrong address told at the field, then
// 電子郵件 saved), a reviewer returns the case on the back office, the notifier sends, and the demo e-mail outbox
// (/dev/mail) shows the zh-TW message with the case number, the outcome, the reason and the link. axe-core on the new
// pages at 1366x768 and 390x844: no serious or critical violation. Screenshots in test-output/screenshots/.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Page } from 'playwright-core'
import { buildTestApp, professional } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor } from '../../domain/types.js'
import { registerDevMailRoutes } from '../../http/routes/dev-mail.js'
import { createNotifier } from '../../http/notify/notifier.js'
import { embeddedEmailOutbox } from '../../http/notify/email.js'
import { embeddedSmsOutbox } from '../../http/auth/sms.js'
import { createPreferenceService } from '../../commands/notify/preference-service.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { notifyMigrations } from '../../http/notify/notify-migrations.js'

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const { app, parts, tdb, services } = await buildTestApp(t, {}, { now: new Date().toISOString() })
await runMigrations(tdb.db, notifyMigrations)
await registerDevMailRoutes(app)
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())
const notifier = createNotifier({
  store: services.store, db: tdb.db, logger: services.logger, preferences: createPreferenceService({ store: services.store }),
  channels: { email: embeddedEmailOutbox(tdb.db), sms: embeddedSmsOutbox(tdb.db) }, siteOrigin: () => base,
})
await notifier.runOnce() // the checkpoint starts at the head of the log

const DESKTOP = { width: 1366, height: 768, name: '1366' }
const PHONE = { width: 390, height: 844, name: '390' }
const reviewer: SessionUser = { actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }, name: '周文華' }
async function pageAs(user: SessionUser | undefined, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: viewport.width, height: viewport.height }, bypassCSP: true }) // axe is injected by the test
  if (user) {
    const r = await context.request.post(`${base}/__test/session`, { data: { user } })
    if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  }
  const page = await context.newPage()
  page.setDefaultTimeout(8000)
  return page
}
async function seriousViolations(page: Page) {
  await page.addScriptTag({ content: AXE })
  const all = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))
  })
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}
const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10)
const pro: Actor = { role: 'professional', id: 'A123456789', name: '王大明', via: 'hca-professional-card', institutionCode: '0163010001' }

t.test('通知設定 → a reviewer returns the case → the demo outbox shows the zh-TW e-mail', async (t) => {
  // 1. the professional opens 通知設定 from the menu: 不通知 by default
  const page = await pageAs(professional(), DESKTOP)
  await page.goto(`${base}/home`)
  t.match(await page.textContent('#notify-channel'), '不通知', 'the profile (個人資料) says how one is told')
  await page.getByRole('navigation', { name: '主選單' }).getByRole('link', { name: '通知設定' }).click()
  await page.waitForURL(/\/settings\/notifications$/)
  t.ok(await page.isChecked('input[name=channel][value=none]'), '不通知 by default')
  t.same(await seriousViolations(page), [], 'axe: 通知設定 at 1366')
  await page.screenshot({ path: shot('notify-settings-1366'), fullPage: true })

  // a wrong address is told at the field, in zh-TW, and what was typed is kept
  await page.check('input[name=channel][value=email]')
  await page.fill('#email', 'wang@')
  await page.click('#notify-form button[type=submit]')
  await page.waitForSelector('#err-email')
  t.match(await page.textContent('#err-email'), '電子郵件地址格式不正確')
  t.equal(await page.inputValue('#email'), 'wang@')
  t.ok(await page.isChecked('input[name=channel][value=email]'), 'the choice is kept')
  t.same(await seriousViolations(page), [], 'axe: the error state')
  await page.screenshot({ path: shot('notify-settings-error-1366'), fullPage: true })

  await page.fill('#email', 'wang.daming@example.com.tw')
  await page.click('#notify-form button[type=submit]')
  await page.waitForURL(/saved=1/)
  t.match(await page.textContent('.alert.ok'), '已儲存通知設定：電子郵件（wang.daming@example.com.tw）')
  await page.screenshot({ path: shot('notify-settings-saved-1366'), fullPage: true })
  await page.goto(`${base}/home`)
  t.match(await page.textContent('#notify-channel'), '電子郵件（wang.daming@example.com.tw）')
  await page.locator('#notify-channel').getByRole('link', { name: '變更通知方式' }).click()
  await page.waitForURL(/\/settings\/notifications$/)

  const phone = await pageAs(professional(), PHONE)
  await phone.goto(`${base}/settings/notifications`)
  t.ok(await phone.isChecked('input[name=channel][value=email]'), 'the saved choice on another device')
  t.same(await seriousViolations(phone), [], 'axe: 通知設定 at 390')
  await phone.screenshot({ path: shot('notify-settings-390'), fullPage: true })

  // 2. a case is filed, and the reviewer returns it on the back office
  const filed = await parts.reports.file({ applicantId: 'A123456789', terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: day(40), to: day(60), weekdays: [2], windows: [{ start: '08:00', end: '12:00' }] } } }, { commandId: randomUUID(), actor: pro })
  await parts.waitFor(filed.position)
  const caseNumber = filed.state.exists ? filed.state.caseNumber! : ''
  const rev = await pageAs(reviewer, DESKTOP)
  await rev.goto(`${base}/review/cases/${filed.caseId}`)
  await rev.check('input[name=decision][value=return]')
  await rev.fill('#reason', '支援時段與貴院門診表不符，請更正後重送')
  await rev.check('input[name=fieldsToFix][value=schedule]')
  await rev.click('#decision button[type=submit]')
  await rev.waitForLoadState('load')

  // 3. the notifier sends; the outbox shows it
  t.equal(await notifier.runOnce(), 1, 'one decision handled')
  const outbox = await pageAs(undefined, DESKTOP)
  await outbox.goto(`${base}/dev/mail`)
  const items = outbox.locator('#mail-outbox > li')
  t.equal(await items.count(), 1, 'exactly one e-mail')
  t.equal(await items.first().locator('.mail-subject').textContent(), `【報備支援】案件 ${caseNumber} 登錄申請退回補正`)
  const body = (await items.first().locator('.mail-body').textContent()) ?? ''
  t.match(body, `案件編號 ${caseNumber}`)
  t.match(body, '審查意見：支援時段與貴院門診表不符，請更正後重送')
  t.match(body, '請修正：支援時段')
  t.match(body, `${base}/reports/${filed.caseId}`)
  t.match(await items.first().textContent(), 'wang.daming@example.com.tw')
  t.same(await seriousViolations(outbox), [], 'axe: /dev/mail at 1366')
  await outbox.screenshot({ path: shot('notify-dev-mail-1366'), fullPage: true })
  const outboxPhone = await pageAs(undefined, PHONE)
  await outboxPhone.goto(`${base}/dev/mail`)
  t.same(await seriousViolations(outboxPhone), [], 'axe: /dev/mail at 390')
  await outboxPhone.screenshot({ path: shot('notify-dev-mail-390'), fullPage: true })

  // the link in the message opens the case for its applicant
  await page.goto(`${base}/reports/${filed.caseId}`)
  t.match(await page.locator('#decision').textContent(), '支援時段與貴院門診表不符')
})
