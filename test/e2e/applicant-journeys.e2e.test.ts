// Applicant journeys of issue #16 in real Chromium, one server and one browser for the file: what a professional
// and the filing institution SEE after a reviewer's decision, while changing, cancelling and after a session ends.
// Screenshots (desktop 1366x768 and phone 390x844) go to test-output/screenshots/.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { buildTestApp, institution, professional } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor, Schedule, Weekday } from '../../domain/types.js'

const { app, parts } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const DESKTOP = { width: 1366, height: 768 }
const PHONE = { width: 390, height: 844 }
async function pageAs(user: SessionUser, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-TW', viewport })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  const page = await context.newPage()
  page.setDefaultTimeout(8000)
  return page
}

// future dates so a filing is never in the past
const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10)
const weekly = (from: string, to: string, weekdays: Weekday[], start: string, end: string): Schedule => ({ kind: 'weekly', from, to, weekdays, windows: [{ start, end }] })
const pro: Actor = { role: 'professional', id: 'A123456789', name: '王大明', via: 'hca-professional-card', institutionCode: '0163010001' }
const inst: Actor = { role: 'institution', id: '0163010001', name: '示範大學附設醫院', via: 'hca-institution-card', institutionCode: '0163010001' }
const reviewer: Actor = { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }
const meta = (actor: Actor) => ({ commandId: randomUUID(), actor })

async function file(actor: Actor, schedule: Schedule, department = '02') {
  const o = await parts.reports.file({ applicantId: 'A123456789', terms: { supportedCode: '3563020002', department, purpose: '01', schedule } }, meta(actor))
  await parts.waitFor(o.position)
  return o
}

t.test('1. a returned and a rejected case: reason and fields to fix wherever the filer looks', async (t) => {
  const returned = await file(pro, weekly(day(40), day(60), [1], '08:00', '12:00'))
  const rejected = await file(inst, weekly(day(40), day(60), [3], '13:00', '17:00'), '01')
  await parts.waitFor((await parts.reports.return(returned.caseId, { reason: '支援時段與門診表不符，請更正', fieldsToFix: ['schedule', 'note'] }, meta(reviewer))).position)
  await parts.waitFor((await parts.reports.reject(rejected.caseId, { reason: '被支援機構未開設該科別' }, meta(reviewer))).position)
  const returnedNo = returned.state.exists ? returned.state.caseNumber! : ''

  const page = await pageAs(professional())
  await page.goto(`${base}/home`)
  const notices = page.locator('#attention')
  t.match(await notices.textContent(), '審查結果通知', 'the home page has a notice section')
  const onReturned = notices.locator(`li[data-case="${returned.caseId}"]`)
  t.match(await onReturned.textContent(), '支援時段與門診表不符，請更正', 'the return reason on the home page')
  t.match(await onReturned.textContent(), '請修正：支援時段、備註', 'and the fields to fix')
  t.match(await notices.locator(`li[data-case="${rejected.caseId}"]`).textContent(), '被支援機構未開設該科別', 'the rejection reason too')
  const homeRow = page.locator('#home-list tr', { has: page.locator(`a[href="/reports/${returned.caseId}"]`) })
  t.match(await homeRow.locator('.decision-line').textContent(), '退回原因：支援時段與門診表不符', 'a line in the 報備支援名單')
  await page.screenshot({ path: shot('journey-1-home'), fullPage: true })

  await page.goto(`${base}/reports`)
  t.match(await page.locator('tr', { hasText: returnedNo }).locator('.decision-line').textContent(), '請修正：支援時段、備註', 'a line in the list')
  await page.screenshot({ path: shot('journey-1-list'), fullPage: true })

  await page.goto(`${base}/reports/${returned.caseId}`)
  const note = page.locator('#decision')
  t.match(await note.textContent(), '審查結果：退回補正（登錄申請）')
  t.match(await note.textContent(), '審查意見：支援時段與門診表不符，請更正')
  t.same(await note.locator('.fix-field').allTextContents(), ['支援時段', '備註'], 'the case page names the fields to fix')
  await page.screenshot({ path: shot('journey-1-case'), fullPage: true })
  await note.getByRole('link', { name: '修正後重送' }).click()
  await page.waitForURL(/\/resubmit$/)
  t.same(await page.locator('.to-fix').evaluateAll((els) => els.map((e) => e.getAttribute('data-fix'))), ['schedule', 'note'], 'exactly those fields highlighted on the form')
  t.match(await page.locator('fieldset.to-fix legend').textContent(), /支援時段\s*請修正/)
  t.match(await page.locator('#decision').textContent(), '支援時段與門診表不符', 'the reason stays in view while fixing')
  await page.screenshot({ path: shot('journey-1-resubmit'), fullPage: true })

  const phone = await pageAs(professional(), PHONE)
  await phone.goto(`${base}/home`)
  await phone.screenshot({ path: shot('journey-1-home-phone'), fullPage: true })
  await phone.goto(`${base}/reports/${returned.caseId}/resubmit`)
  t.equal(await phone.locator('.to-fix').count(), 2)
  await phone.screenshot({ path: shot('journey-1-resubmit-phone'), fullPage: true })
  await phone.context().close()

  // the institution that filed (and the applicant's institution) sees the same
  const office = await pageAs(institution())
  await office.goto(`${base}/institution`)
  t.match(await office.locator(`#attention li[data-case="${rejected.caseId}"]`).textContent(), '被支援機構未開設該科別', 'the institution is told of the rejection')
  t.match(await office.locator(`#attention li[data-case="${returned.caseId}"]`).textContent(), '請修正：支援時段、備註', 'and of the return')
  await office.screenshot({ path: shot('journey-1-institution'), fullPage: true })
  await office.goto(`${base}/reports/${rejected.caseId}`)
  t.match(await office.locator('#decision').textContent(), '審查結果：未核准（登錄申請）')
  t.match(await office.locator('#decision').textContent(), '被支援機構未開設該科別')
  await office.context().close()

  // fixed and sent again: the notice is gone, the case is under review
  await page.fill('#note', '已更正時段')
  await page.click('button[name="intent"][value="submit"]')
  const confirm = page.locator('#confirm-filing [data-confirm]')
  if (await confirm.count()) await confirm.click()
  await page.waitForURL(/done=submit/)
  t.equal(await page.locator('#decision').count(), 0, 'no decision shown once resubmitted')
  t.match(await page.textContent('main'), '審核中')
  await page.goto(`${base}/home`)
  t.equal(await page.locator(`#attention li[data-case="${returned.caseId}"]`).count(), 0, 'the notice is gone after resubmitting')
  await page.context().close()
})

t.test('2. 新通知: every decision on one\'s cases, newest first, for the professional and the filing institution', async (t) => {
  const approved = await file(inst, weekly(day(70), day(90), [5], '08:00', '12:00'))
  await parts.waitFor((await parts.reports.approve(approved.caseId, {}, meta(reviewer))).position)
  const page = await pageAs(professional())
  await page.goto(`${base}/home`)
  await page.getByRole('navigation', { name: '主選單' }).getByRole('link', { name: '新通知' }).click()
  await page.waitForURL(/\/notices$/)
  const items = page.locator('#notice-list li')
  t.ok(await items.count() >= 3, 'the approval, the rejection and the return of this file are listed')
  const first = items.first()
  t.equal(await first.getAttribute('data-case'), approved.caseId, 'the newest decision first')
  t.match(await first.textContent(), /登錄申請已核准/)
  t.match(await first.textContent(), /核准文號 \S+/)
  t.match(await first.locator('.badge.new').textContent(), '新', 'decided after the previous login: marked 新')
  const returnedNotice = page.locator('#notice-list li[data-outcome="returned"]').first()
  t.match(await returnedNotice.textContent(), '審查意見：支援時段與門診表不符，請更正')
  t.match(await returnedNotice.textContent(), '請修正：支援時段、備註')
  await page.screenshot({ path: shot('journey-2-notices'), fullPage: true })
  const phone = await pageAs(professional(), PHONE)
  await phone.goto(`${base}/notices`)
  await phone.screenshot({ path: shot('journey-2-notices-phone'), fullPage: true })
  await phone.context().close()

  const office = await pageAs(institution())
  await office.goto(`${base}/notices`)
  t.match(await office.locator(`#notice-list li[data-case="${approved.caseId}"]`).textContent(), '王大明', 'the institution sees its staff member\'s decision, with the name')
  await office.context().close()
  // another institution's staff decisions are not shown to someone else
  const other = await pageAs(professional('B123456780', '李小華'))
  await other.goto(`${base}/notices`)
  t.equal(await other.locator(`#notice-list li[data-case="${approved.caseId}"]`).count(), 0, 'not in another person\'s notices')
  await other.context().close()
  await page.context().close()
})

t.test('3. calendar: returned and rejected in their own style; a pending change draws approved and requested terms distinctly', async (t) => {
  // the approved case of journey 2 (Fridays 08:00~12:00) asks to add Saturdays: Fridays stay, Saturdays are requested
  const approved = (await listCases()).find((c) => c.status === 'approved')!
  await parts.waitFor((await parts.reports.requestChange(approved.caseId, { reason: '增加星期六門診', terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: weekly(day(70), day(90), [5, 6], '08:00', '12:00') } }, meta(pro))).position)
  const ret = await file(pro, weekly(day(70), day(90), [7], '14:00', '17:00'))
  await parts.waitFor((await parts.reports.return(ret.caseId, { reason: '請補附件', fieldsToFix: ['attachments'] }, meta(reviewer))).position)
  const rej = await file(pro, weekly(day(70), day(90), [4], '14:00', '17:00'), '01')
  await parts.waitFor((await parts.reports.reject(rej.caseId, { reason: '不符規定' }, meta(reviewer))).position)

  const page = await pageAs(professional())
  await page.goto(`${base}/home?month=${day(80).slice(0, 7)}`)
  const kinds = async (caseId: string) => new Set(await page.locator(`#calendar a.occ[href="/reports/${caseId}"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))))
  t.same([...await kinds(approved.caseId)].sort(), ['change-requested', 'change-same'], 'the unchanged Fridays once, the requested Saturdays apart')
  const fri = page.locator(`#calendar a.occ[href="/reports/${approved.caseId}"][data-kind="change-same"]`).first()
  t.match(await fri.textContent(), '已核准（變更不影響此時段）')
  t.match(await page.locator(`#calendar a.occ[data-kind="change-requested"]`).first().textContent(), '申請變更為')
  t.same([...await kinds(ret.caseId)], ['returned'], 'the returned case in its own style')
  t.match(await page.locator(`#calendar a.occ[href="/reports/${ret.caseId}"]`).first().textContent(), '退回補正')
  t.same([...await kinds(rej.caseId)], ['rejected'], 'the rejected case in its own style')
  const styles = await page.evaluate(() => ['change-same', 'change-requested', 'returned', 'rejected'].map((k) => {
    const el = document.querySelector(`#calendar a.occ[data-kind="${k}"]`)
    return el ? getComputedStyle(el).backgroundColor + getComputedStyle(el).borderLeftStyle : ''
  }))
  t.equal(new Set(styles).size, 4, 'four different looks')
  await page.screenshot({ path: shot('journey-3-calendar'), fullPage: true })
  const phone = await pageAs(professional(), PHONE)
  await phone.goto(`${base}/home?month=${day(80).slice(0, 7)}`)
  await phone.locator('#calendar').screenshot({ path: shot('journey-3-calendar-phone') })
  await phone.context().close()
  await page.context().close()
})

async function listCases() {
  const { searchCases } = await import('../../projections/queries/cases.js')
  return (await searchCases(parts.readModels, { kind: 'professional', nationalId: 'A123456789' }, {}, { page: 1, pageSize: 50 })).rows
}

t.test('4. 變更: the approved terms beside the form, no self-conflict in the live check, the result highlights what changed', async (t) => {
  const c = await file(pro, weekly(day(100), day(120), [2], '08:00', '12:00'))
  await parts.waitFor((await parts.reports.approve(c.caseId, {}, meta(reviewer))).position)
  const page = await pageAs(professional())
  await page.goto(`${base}/reports?action=change`)
  await page.locator(`a[href="/reports/${c.caseId}/change"]`).click()
  await page.waitForURL(/\/change$/)
  const approvedNow = page.locator('#approved-now')
  t.match(await approvedNow.textContent(), '目前核准之支援內容')
  t.match(await approvedNow.textContent(), '星期二', 'the approved weekdays shown next to the form')
  await page.check('input[name="weekdays"][value="4"]')
  await page.fill('#reason', '增加星期四門診')
  await page.locator('#checks').getByText('無時段衝突').waitFor()
  t.equal((await page.locator('#live-windows').textContent())?.trim(), '', 'the case does not conflict with itself')
  await page.screenshot({ path: shot('journey-4-change-form'), fullPage: true })
  await page.click('button[name="intent"][value="submit"]')
  const confirm = page.locator('#confirm-filing [data-confirm]')
  if (await confirm.count()) await confirm.click()
  await page.waitForURL(/done=change/)
  const changes = page.locator('#changes')
  t.match(await changes.locator('tr[data-field]').first().textContent(), /星期/, 'the changed weekdays listed')
  const row = changes.locator('tr[data-field]', { hasText: '星期' })
  t.match(await row.locator('del').textContent(), '二', 'the approved value struck through')
  t.match(await row.locator('mark').textContent(), /二.*四/, 'the requested value highlighted')
  t.equal(await changes.locator('tr[data-field]').count(), 1, 'only what changed')
  await page.screenshot({ path: shot('journey-4-change-result'), fullPage: true })
  const phone = await pageAs(professional(), PHONE)
  await phone.goto(page.url())
  await phone.screenshot({ path: shot('journey-4-change-result-phone'), fullPage: true })
  await phone.context().close()
  await page.context().close()
})

t.test('5. 註銷: every case that can be cancelled, why one with a pending change cannot yet, a confirmation', async (t) => {
  const free = await file(pro, weekly(day(130), day(150), [3], '08:00', '12:00'))
  await parts.waitFor((await parts.reports.approve(free.caseId, {}, meta(reviewer))).position)
  // journey 4's case has its change under review
  const changing = (await listCases()).find((c) => c.status === 'under_review' && c.applicationType === 'change')!
  const page = await pageAs(professional())
  await page.goto(`${base}/home`)
  await page.getByRole('navigation', { name: '主選單' }).getByRole('link', { name: '註銷' }).click()
  await page.waitForURL(/action=cancel/)
  const row = (id: string) => page.locator('tbody tr', { has: page.locator(`a[href="/reports/${id}"]`) })
  t.equal(await row(free.caseId).getByRole('link', { name: '註銷' }).count(), 1, 'an approved case offers 註銷')
  t.equal(await row(changing.caseId).count(), 1, 'the case with a pending change is listed too')
  t.equal(await row(changing.caseId).getByRole('link', { name: '註銷' }).count(), 0, 'without a 註銷 button')
  t.match(await row(changing.caseId).locator('.waiting').textContent(), '暫不能註銷：變更申請審核中', 'and says why')
  await page.screenshot({ path: shot('journey-5-cancel-list'), fullPage: true })
  const phone = await pageAs(professional(), PHONE)
  await phone.goto(`${base}/reports?action=cancel`)
  await phone.screenshot({ path: shot('journey-5-cancel-list-phone'), fullPage: true })
  await phone.context().close()

  await row(free.caseId).getByRole('link', { name: '註銷' }).click()
  await page.waitForURL(/\/cancel$/)
  const roc = (iso: string) => `${Number(iso.slice(0, 4)) - 1911}${iso.slice(5, 7)}${iso.slice(8, 10)}`
  await page.fill('#effectiveDate', roc(day(140)))
  await page.fill('#reason', '診所停診')
  let question = ''
  page.once('dialog', (d) => { question = d.message(); void d.dismiss() })
  await page.click('form[action$="/cancel"] button[type="submit"]')
  t.match(question, '確定要註銷案件', 'a confirmation is asked')
  t.match(page.url(), /\/cancel$/, 'dismissed: nothing sent')
  page.once('dialog', (d) => void d.accept())
  await page.click('form[action$="/cancel"] button[type="submit"]')
  await page.waitForURL(/done=cancel/)
  t.match(await page.textContent('main'), '已送出註銷申請')
  await page.context().close()
})

t.test('9. ROC dates that forgive: typed three ways, shown as understood; placeholders this year; one schedule section at a time', async (t) => {
  const page = await pageAs(professional())
  await page.goto(`${base}/reports/new`)
  const rocYearNow = new Date(Date.now() + 31 * 86400_000).getUTCFullYear() - 1911
  t.match(await page.getAttribute('#from', 'placeholder'), new RegExp(`^${rocYearNow}\\d{4}$`), 'the placeholder is in the current ROC year')
  t.notOk(await page.isVisible('#sessions'), 'weekly chosen: the dated sessions are hidden')
  t.ok(await page.isVisible('#from'))
  await page.fill('#supportedCode', '3563020002')
  await page.selectOption('#department', '02')
  await page.selectOption('#purpose', '01')
  const from = day(160), to = day(180)
  const western = from.replaceAll('-', '/') // 2027/01/04 style
  const rocSlashed = `${Number(to.slice(0, 4)) - 1911}/${to.slice(5, 7)}/${to.slice(8, 10)}` // 116/01/04 style
  await page.fill('#from', western)
  t.equal(await page.inputValue('#from'), western, 'typed in full, never cut short')
  await page.fill('#to', rocSlashed)
  await page.check('input[name="weekdays"][value="1"]')
  await page.fill('input[name="winStart"]', '0800')
  await page.fill('input[name="winEnd"]', '1200')
  const readAs = (iso: string) => `讀作：民國${Number(iso.slice(0, 4)) - 1911}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`
  await page.locator('#live-from').getByText(readAs(from)).waitFor()
  await page.locator('#live-to').getByText(readAs(to)).waitFor()
  t.pass('both dates shown as understood')
  await page.screenshot({ path: shot('journey-9-dates'), fullPage: true })
  await page.check('input[name="scheduleKind"][value="sessions"]')
  t.ok(await page.isVisible('#sessions'), 'sessions chosen: the dated sessions show')
  t.notOk(await page.isVisible('#from'), 'and the weekly section hides')
  await page.check('input[name="scheduleKind"][value="weekly"]')
  await page.click('button[name="intent"][value="draft"]')
  await page.waitForURL(/done=draft/)
  t.match(await page.textContent('main'), new RegExp(`${Number(from.slice(0, 4)) - 1911}${from.slice(5, 7)}${from.slice(8, 10)}`), 'saved with the date as understood')
  const phone = await pageAs(professional(), PHONE)
  await phone.goto(`${base}/reports/new`)
  await phone.screenshot({ path: shot('journey-9-form-phone'), fullPage: true })
  await phone.context().close()
  await page.context().close()
})

t.test('8. a professional\'s 報備支援額度限制: own use against every cap, in ROC weeks and months', async (t) => {
  const page = await pageAs(professional())
  await page.goto(`${base}/home`)
  await page.getByRole('navigation', { name: '主選單' }).getByRole('link', { name: '報備支援額度限制' }).click()
  await page.waitForURL(/\/quota$/)
  t.match(await page.textContent('#week-label'), /^民國\d{3}年第\d{2}週（\d{7} 星期一–\d{7} 星期日）$/, 'the week in ROC terms')
  t.match(await page.textContent('#month-label'), /^民國\d{3}年\d{1,2}月$/)
  const rows = page.locator('tbody tr')
  t.equal(await rows.count(), 1, 'only the professional themself')
  t.match(await rows.first().textContent(), '王大明')
  t.match(await rows.first().textContent(), /診次／\d|上限|／/, 'the caps with used and limit')
  t.match(await page.textContent('main'), '您於所選週與月')
  await page.click('text=下一週 ›')
  await page.waitForURL(/\/quota\?week=/)
  t.pass('the period links stay on the professional\'s page')
  await page.screenshot({ path: shot('journey-8-quota'), fullPage: true })
  const phone = await pageAs(professional(), PHONE)
  await phone.goto(`${base}/quota`)
  await phone.screenshot({ path: shot('journey-8-quota-phone'), fullPage: true })
  await phone.context().close()
  await page.context().close()
})

t.test('6. buttons that can only fail are not shown: another institution\'s case seen by the supported institution', async (t) => {
  const c = await file(inst, weekly(day(200), day(220), [2], '08:00', '12:00'))
  const host = await pageAs(institution('3563020002', '仁愛家醫診所'))
  await host.goto(`${base}/reports/${c.caseId}`)
  t.match(await host.textContent('main'), '審核中', 'the supported institution may read the case')
  const buttons = await host.locator('main .actions').first().locator('a, button').allTextContents()
  t.same(buttons.map((b) => b.trim()), ['列印'], 'only 列印: no 撤回, no 複製 on a case it cannot file for')
  await host.goto(`${base}/reports?side=supported`)
  const row = host.locator('tbody tr', { has: host.locator(`a[href="/reports/${c.caseId}"]`) })
  t.same((await row.locator('.actions a, .actions button').allTextContents()).map((b) => b.trim()), ['列印'], 'nor in its list')
  await host.screenshot({ path: shot('journey-6-inbound-case'), fullPage: true })
  await host.context().close()
  // the filing institution, for comparison, may withdraw and copy
  const office = await pageAs(institution())
  await office.goto(`${base}/reports/${c.caseId}`)
  const own = (await office.locator('main .actions').first().locator('a, button').allTextContents()).map((b) => b.trim())
  t.ok(own.includes('撤回') && own.includes('複製'), 'the filer sees 撤回 and 複製')
  await office.context().close()
})
