// 無障礙 AA (WCAG 2.1 AA) in real Chromium: axe-core runs on every page of the front office (professional,
// institution), the back office (reviewer, statistician) and the login/public pages, at 1366×768 and 390×844, and
// finds no serious or critical violation. Screenshots of both widths go to test-output/screenshots/a11y-*.png.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, institution, professional, reviewer } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import { axe, axeOnEveryPage } from '../support/axe.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor, Weekday } from '../../domain/types.js'

t.setTimeout(1_200_000) // ~70 page visits with axe on a shared machine
const WIDTHS = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const

const { app, parts } = await buildTestApp(t, {}, { now: new Date().toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const statistician: SessionUser = { actor: { role: 'statistician', id: 'MOHW-S001', name: '林統計', via: 'staff-card' }, name: '林統計' }
const staffActor: Actor = { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' }
const pro: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
const inDays = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10)
const terms = (from: number, to: number, weekdays: Weekday[]) => ({
  supportedCode: '3563020002', department: '02', purpose: '01',
  schedule: { kind: 'weekly' as const, from: inDays(from), to: inDays(to), weekdays, windows: [{ start: '09:00', end: '12:00' }] },
})
const meta = (actor: Actor) => ({ commandId: randomUUID(), actor })

// one case in each state a page shows differently: approved (change, cancel), returned (resubmit), draft (edit)
const approved = await parts.reports.file({ applicantId: 'A123456789', terms: terms(30, 60, [1]) }, meta(pro))
await parts.reports.approve(approved.caseId, { note: '資料齊全' }, meta(staffActor))
const returned = await parts.reports.file({ applicantId: 'A123456789', terms: terms(30, 60, [3]) }, meta(pro))
await parts.reports.return(returned.caseId, { reason: '請補附件', fieldsToFix: ['attachments'] }, meta(staffActor))
const draft = await parts.reports.draft({ applicantId: 'A123456789', terms: terms(30, 60, [5]) }, meta(pro))
const last = await parts.reports.file({ applicantId: 'A123456789', terms: terms(70, 90, [2]) }, meta(pro))
await parts.waitFor(last.position)

const PAGES: { who: string; user?: SessionUser; paths: string[] }[] = [
  { who: 'public', paths: ['/login', '/login?role=institution', '/login?role=staff', '/login?expired=1', '/no-such-page'] },
  {
    who: 'professional', user: professional(), paths: [
      '/home', '/reports', '/reports?action=change', '/reports?action=cancel', '/reports/new', '/quota',
      `/reports/${approved.caseId}`, `/reports/${approved.caseId}/change`, `/reports/${approved.caseId}/cancel`,
      `/reports/${returned.caseId}`, `/reports/${returned.caseId}/resubmit`, `/reports/${draft.caseId}/edit`, '/reports/batch', '/notices',
    ],
  },
  {
    who: 'institution', user: institution(), paths: [
      '/institution', '/institution/inbound', '/institution/outbound', '/institution/quota', '/institution/batch',
      '/reports', '/reports/new', `/reports/${approved.caseId}`, '/notices',
    ],
  },
  {
    who: 'reviewer', user: reviewer(), paths: [
      '/review/cases', '/review/cases?applicationType=register&status=under_review', `/review/cases/${last.caseId}`,
      `/review/cases/${approved.caseId}`, '/review/quota', '/review/statistics', '/review/statistics?report=county', '/review/audit', '/review/file', '/review/batch',
    ],
  },
  { who: 'statistician', user: statistician, paths: ['/review/statistics', '/review/statistics?report=profession', '/review/cases'] },
]

t.test('dialogs: the filing confirmation and the idle warning', async (t) => {
  for (const size of WIDTHS) {
    const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height }, bypassCSP: true }) // the test injects axe-core; the app's CSP stays strict
    await axeOnEveryPage(context)
    await context.request.post(`${base}/__test/session`, { data: { user: professional() } })
    const page = await context.newPage()
    await page.clock.install()
    await page.goto(`${base}/reports/new`)
    await page.click('button[name="intent"][value="submit"]')
    await page.locator('#confirm-filing').waitFor()
    t.same((await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], `confirmation dialog at ${size.width}`)
    await page.click('#confirm-filing [data-back]')
    await page.clock.fastForward('19:10')
    await page.locator('#idle-warning').waitFor()
    t.same((await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], `idle warning at ${size.width}`)
    await context.close()
  }
})

for (const group of PAGES) {
  t.test(`${group.who}: no serious or critical violations at both widths`, async (t) => {
    for (const size of WIDTHS) {
      const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height }, bypassCSP: true }) // the test injects axe-core; the app's CSP stays strict
      await axeOnEveryPage(context)
      if (group.user) {
        const r = await context.request.post(`${base}/__test/session`, { data: { user: group.user } })
        t.ok(r.ok(), 'test session opened')
      }
      const page = await context.newPage()
      for (const path of group.paths) {
        const res = await page.goto(`${base}${path}`)
        t.ok(res, `${path} answered`)
        if (path !== '/no-such-page') t.ok(res!.status() < 400, `${path} is ${res!.status()}`)
        await page.waitForLoadState('load')
        const bad = (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')
        t.same(bad, [], `${group.who} ${path} at ${size.width}×${size.height}`)
        const name = `a11y-${group.who}-${path.replace(/[^a-z0-9]+/gi, '-').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, 'case').replace(/^-|-$/g, '')}-${size.name}`
        await page.screenshot({ path: shot(name), fullPage: true })
      }
      await context.close()
    }
  })
}
