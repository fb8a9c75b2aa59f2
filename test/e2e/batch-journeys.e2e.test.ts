// Issue #16 in Chromium: an institution batch-cancels approved cases (申請類別 註銷: the case and 生效日 previewed,
// a row that cannot be cancelled told why, then filed with progress), and a reviewer's 整批申請 on behalf from the back
// office menu (the party chosen, another county's row refused at the check). Both at 1366x768 and 390x844, axe-core
// on every screen (no serious or critical violation). Screenshots go to test-output/screenshots/batch-*.png.
import { reportStream } from '../../domain/events.js'
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { buildTestApp } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import { seriousViolations } from '../support/axe.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor, Schedule } from '../../domain/types.js'
import { BATCH_COLUMNS, CANCEL_COLUMNS, CHANGE_COLUMNS } from '../../http/batch/parse.js'
import { isoToRoc } from '../../domain/roc-date.js'

t.setTimeout(600_000)
const { app, parts, services } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const WIDTHS = [{ name: '1366', width: 1366, height: 768 }, { name: '390', width: 390, height: 844 }] as const
const hospital: SessionUser = { actor: { role: 'institution', id: '0163010001', name: '示範大學附設醫院', via: 'hca-institution-card', institutionCode: '0163010001' }, name: '示範大學附設醫院', institution: { code: '0163010001', name: '示範大學附設醫院' } }
const reviewer: SessionUser = { actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }, name: '周文華' }
const instActor = hospital.actor
const tpe: Actor = reviewer.actor

const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10)
const roc = (n: number) => isoToRoc(day(n))
const weekly = (from: number, to: number, weekday: number): Schedule => ({ kind: 'weekly', from: day(from), to: day(to), weekdays: [weekday as 1], windows: [{ start: '08:00', end: '12:00' }] })
async function approvedCase(applicantId: string, schedule: Schedule, approve = true) {
  let o = await parts.reports.file({ applicantId, terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule } }, { commandId: randomUUID(), actor: instActor })
  if (approve) o = await parts.reports.approve(o.caseId, {}, { commandId: randomUUID(), actor: tpe })
  await parts.waitFor(o.position)
  const submitted = (await services.store!.readStream(reportStream(o.caseId))).find((e) => e.type === 'ReportSubmitted')!
  return { caseId: o.caseId, caseNumber: (submitted.data as { caseNumber: string }).caseNumber }
}

async function pageAs(user: SessionUser, size: { width: number; height: number }) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height }, bypassCSP: true })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  return { context, page: await context.newPage() }
}
async function look(t: Test, page: Page, name: string) {
  t.same(await seriousViolations(page), [], `axe: ${name}`)
  await page.screenshot({ path: shot(`batch-${name}`), fullPage: true })
}

for (const [i, size] of WIDTHS.entries()) {
  t.test(`批次註銷 at ${size.name}: choose 註銷, upload, see which case and why a row cannot, confirm, done`, async (t) => {
    // two approved cases of the hospital's staff, and one still under review (a row that cannot be cancelled)
    const a = await approvedCase('A123456789', weekly(20 + i * 60, 48 + i * 60, 1))
    const b = await approvedCase('Q134567894', weekly(20 + i * 60, 48 + i * 60, 2))
    const pending = await approvedCase('A212345679', weekly(20 + i * 60, 48 + i * 60, 3), false)
    const csv = [CANCEL_COLUMNS.join(','), `${a.caseNumber},${roc(30 + i * 60)},支援結束`, `${b.caseNumber},${roc(30 + i * 60)},診所停診`, `${pending.caseNumber},${roc(30 + i * 60)},取消`].join('\r\n') + '\r\n'
    const { page, context } = await pageAs(hospital, size)
    await page.goto(`${base}/institution/batch`)
    t.match(await page.textContent('main'), CANCEL_COLUMNS.join('、'), 'the 註銷 template\'s columns are listed')
    await look(t, page, `upload-${size.name}`)
    await page.check('input[name=kind][value=cancel]')
    await page.setInputFiles('#file', { name: 'cancel.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`) })
    await Promise.all([page.waitForURL(/\/institution\/batch$/), page.click('form[action="/institution/batch"] button[type=submit]')])
    const main = await page.textContent('main')
    t.match(main, '申請類別：註銷')
    t.match(main, '可申請註銷 2 筆')
    t.match(await page.textContent('#preview-h + .table-wrap'), a.caseNumber, 'the case to be cancelled is shown')
    t.match(main, '只有已核准且仍在支援期間內的案件可申請註銷', 'the row that cannot be cancelled says why')
    await look(t, page, `cancel-check-${size.name}`)
    await Promise.all([page.waitForURL(/\/institution\/batch\/[0-9a-f]{64}$/), page.click('form[action$="/confirm"] button[type=submit]')])
    await page.waitForSelector('text=完成：新註銷申請 2 筆')
    await look(t, page, `cancel-done-${size.name}`)
    for (const c of [a, b]) t.equal((await services.store!.readStream(reportStream(c.caseId))).filter((e) => e.type === 'CancellationRequested').length, 1, 'cancellation requested once')
    await context.close()
  })
}

t.test('批次變更 at both widths: the check shows, per case, what changes (old → new)', async (t) => {
  const c = await approvedCase('A123456789', weekly(130, 158, 3))
  const csv = [CHANGE_COLUMNS.join(','), `${c.caseNumber},3563020002,04,01,${roc(130)},${roc(158)},3,1300,1700,,門診時段調整`].join('\r\n') + '\r\n'
  for (const size of WIDTHS) {
    const { page, context } = await pageAs(hospital, size)
    await page.goto(`${base}/institution/batch?kind=change`)
    t.ok(await page.isChecked('input[name=kind][value=change]'), 'the kind asked for is chosen')
    await page.setInputFiles('#file', { name: `change-${size.name}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`) })
    await Promise.all([page.waitForURL(/\/institution\/batch$/), page.click('form[action="/institution/batch"] button[type=submit]')])
    const preview = await page.textContent('#preview-h + .table-wrap')
    t.match(preview, '0800–1200')
    t.match(preview, '1300–1700')
    t.match(preview, '04 ')
    await look(t, page, `change-check-${size.name}`)
    await context.close()
  }
})

for (const [i, size] of WIDTHS.entries()) {
  t.test(`整批申請 at ${size.name}: from the back office menu, on behalf of the professional, another county refused per row`, async (t) => {
    const rows = [
      BATCH_COLUMNS.join(','),
      `A123456789,3563020002,02,01,${roc(150 + i * 40)},${roc(170 + i * 40)},4,1400,1700,代為申請`,
      `F122334458,3565010003,01,01,${roc(150 + i * 40)},${roc(170 + i * 40)},5,0800,1200,`,
    ]
    const { page, context } = await pageAs(reviewer, size)
    await page.goto(`${base}/review/cases`)
    if (size.width < 800) await page.goto(`${base}/review/batch`)
    else await Promise.all([page.waitForURL(/\/review\/batch$/), page.click('nav.side >> text=整批申請')])
    t.equal(await page.locator('input[name=onBehalfOf]:checked').count(), 0, 'no party preselected')
    await look(t, page, `review-upload-${size.name}`)
    await page.check('input[name=onBehalfOf][value=professional]')
    await page.setInputFiles('#file', { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${rows.join('\r\n')}\r\n`) })
    await Promise.all([page.waitForURL(/\/review\/batch$/), page.click('form[action="/review/batch"] button[type=submit]')])
    const main = await page.textContent('main')
    t.match(main, '代為申請的對象：醫事人員本人')
    t.match(main, '可申請 1 筆')
    t.match(main, '執業機構「新北示範醫院」不在您所屬縣市')
    await look(t, page, `review-check-${size.name}`)
    await Promise.all([page.waitForURL(/\/review\/batch\/[0-9a-f]{64}$/), page.click('form[action$="/confirm"] button[type=submit]')])
    await page.waitForSelector('text=完成：新申請 1 筆')
    await look(t, page, `review-done-${size.name}`)
    await context.close()
  })
}
