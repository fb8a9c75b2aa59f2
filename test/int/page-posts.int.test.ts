// Every page POST answers 303 (issue #16), derived from the route table: a new POST route that is neither API, the
// login page's JSON, an htmx fragment, a tested form (POST-redirect-GET) nor documented below fails this test.
// A tested form, refused, answers 303 to its page, which shows the errors (so Back and reload never meet the
// browser's resubmit page); sent after the session ended, it answers 303 to the login page and is kept.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, followForm, form, login, professional, reviewer, type Login } from '../support/http.js'
import { IDLE_TIMEOUT_MS } from '../../http/session-store.js'
import { KEPT_LOGIN_URL } from '../../http/kept-forms-hook.js'
import type { Actor } from '../../domain/types.js'

const { app, parts, clock } = await buildTestApp(t)
await app.ready()

// ---- cases in the states the forms need (王大明 → 仁愛家醫診所, reviewed by 臺北市 63) ----
const wang: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
const staff: Actor = { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' }
const meta = (actor: Actor) => ({ commandId: randomUUID(), actor })
const terms = (from: string, to: string, weekday: 1 | 2 | 3 | 4 | 5) => ({ supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly' as const, from, to, weekdays: [weekday], windows: [{ start: '08:00', end: '12:00' }] } })
const settle = async (o: { position: unknown; caseId: string }) => { await parts.waitFor(o.position as never); return o.caseId }
const draft = await settle(await parts.reports.draft({ applicantId: wang.id, terms: terms('2024-03-04', '2024-03-29', 1) }, meta(wang)))
const approved = await settle(await parts.reports.file({ applicantId: wang.id, terms: terms('2024-04-02', '2024-04-30', 2) }, meta(wang)))
await settle(await parts.reports.approve(approved, {}, meta(staff)))
const returned = await settle(await parts.reports.file({ applicantId: wang.id, terms: terms('2024-04-03', '2024-04-24', 3) }, meta(wang)))
await settle(await parts.reports.return(returned, { reason: '請補正時段', fieldsToFix: ['schedule'] }, meta(staff)))
const pending = await settle(await parts.reports.file({ applicantId: wang.id, terms: terms('2024-05-02', '2024-05-30', 4) }, meta(wang)))

type Who = 'pro' | 'rev'
interface FormSpec { who: Who; url: string; fields: Record<string, string | string[]>; page: string; /** a value typed that the page shows again (default: the form's command id) */ shows?: string }
/** Page forms answered by POST-redirect-GET: a refused request, and the page it must lead back to. */
const FORMS: Record<string, FormSpec> = {
  'POST /reports': { who: 'pro', url: '/reports', fields: { commandId: randomUUID(), supportedCode: '12', intent: 'draft' }, page: '/reports/new' },
  'POST /reports/:caseId/edit': { who: 'pro', url: `/reports/${draft}/edit`, fields: { commandId: randomUUID(), supportedCode: '12', intent: 'draft' }, page: `/reports/${draft}/edit` },
  'POST /reports/:caseId/resubmit': { who: 'pro', url: `/reports/${returned}/resubmit`, fields: { commandId: randomUUID(), supportedCode: '12' }, page: `/reports/${returned}/resubmit` },
  'POST /reports/:caseId/change': { who: 'pro', url: `/reports/${approved}/change`, fields: { commandId: randomUUID(), supportedCode: '3563020002', reason: '' }, page: `/reports/${approved}/change` },
  'POST /reports/:caseId/cancel': { who: 'pro', url: `/reports/${approved}/cancel`, fields: { commandId: randomUUID(), effectiveDate: '11304', reason: '' }, page: `/reports/${approved}/cancel` },
  'POST /review/file': { who: 'rev', url: '/review/file', fields: { commandId: randomUUID(), applicantId: 'A123456789' }, page: '/review/file' },
  'POST /review/cases/:caseId/decision': { who: 'rev', url: `/review/cases/${pending}/decision`, fields: { commandId: randomUUID(), decision: '', reason: '時段再確認' }, page: `/review/cases/${pending}`, shows: '時段再確認' },
}

/** Page POSTs that do not answer a refused form by 303, and why. */
const DOCUMENTED: Record<string, string> = {
  'POST /logout': '303 to the login page always',
  'POST /reports/:caseId/submit': 'a one-click action: 303 to the case on success; a refusal (wrong state) is an error page, there is nothing typed to keep',
  'POST /reports/:caseId/withdraw': 'a one-click action: as 送出',
  'POST /reports/:caseId/copy': 'a one-click action: 303 to the copy',
  'POST /review/decisions': 'batch decisions: answers the results (a page of outcomes, or the htmx results list), nothing to correct',
  'POST /review/print': 'answers the PDF (a download)',
  'POST /progress': 'public 申辦進度查詢: no session to carry a flash; a refused query re-renders the page (4xx)',
  'POST /institution/batch': 'file upload: not converted yet (the file must be chosen again anyway); refused with 422 and the page',
  'POST /reports/batch': 'file upload: as /institution/batch',
  'POST /institution/batch/:jobId/confirm': 'confirms an uploaded batch: 303 on success, an error page when the job is gone',
  'POST /reports/batch/:jobId/confirm': 'as /institution/batch/:jobId/confirm',
  'POST /review/batch': 'file upload (後台 整批申請): as /institution/batch',
  'POST /review/batch/:jobId/confirm': 'as /institution/batch/:jobId/confirm',
  'POST /review/admin/accounts': '系統管理 form: not converted yet (400 with the page)',
  'POST /review/admin/accounts/:accountId': '系統管理 form: not converted yet',
  'POST /review/admin/accounts/:accountId/status': '303 to the account on success',
  'POST /review/admin/accounts/import': '系統管理 file upload: not converted yet',
  'POST /review/admin/settings/:name': '系統管理 form: not converted yet',
  'POST /review/admin/site': '系統管理 form: not converted yet',
  'POST /review/admin/site/:pageId': '系統管理 form: not converted yet',
  'POST /review/admin/site/:pageId/withdraw': '系統管理 form: not converted yet',
}
/** htmx fragments (their swaps stay) and test-only routes. */
const HTMX = ['POST /reports/check', 'POST /reports/check/applicant']
const TEST_ONLY = ['POST /__test/session']
const isJson = (url: string) => url.startsWith('/api/') || url.startsWith('/login/')

const posts = app.routeTable.filter((r) => r.method === 'POST').map((r) => ({ key: `POST ${r.url}`, keepForm: r.keepForm }))

t.test('every page POST is a tested POST-redirect-GET form or documented', async (t) => {
  const unclassified = posts.map((p) => p.key).filter((k) => !isJson(k.slice(5)) && !HTMX.includes(k) && !TEST_ONLY.includes(k) && !(k in FORMS) && !(k in DOCUMENTED))
  t.same(unclassified, [], 'page POSTs neither tested here nor documented')
  const registered = new Set(posts.map((p) => p.key))
  t.same(Object.keys(FORMS).filter((k) => !registered.has(k)), [], 'tested forms that are not routes')
  t.same(Object.keys(DOCUMENTED).filter((k) => !registered.has(k)), [], 'documented entries that are not routes')
  t.same(posts.filter((p) => p.keepForm).map((p) => p.key).sort(), Object.keys(FORMS).sort(), 'exactly these forms are kept when sent after the session ended')
})

const send = (s: Login, spec: FormSpec) =>
  app.inject({ method: 'POST', url: spec.url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...spec.fields, _csrf: s.csrf }) })

t.test('a refused form answers 303 to its page, which shows the errors and the values', async (t) => {
  const sessions: Record<Who, Login> = { pro: await login(app, professional()), rev: await login(app, reviewer()) }
  for (const [k, spec] of Object.entries(FORMS)) {
    const s = sessions[spec.who]
    const r = await followForm(app, await send(s, spec), s.cookie)
    t.equal(r.status, 303, `${k}: 303${r.status !== 303 ? ` — ${r.body.slice(0, 200)}` : ''}`)
    t.equal(r.location.split('?')[0], spec.page, `${k}: back to its page`)
    t.match(r.location, /\?form=[\w-]+$/, `${k}: the page names the flash`)
    t.equal(r.statusCode, 200, `${k}: the page answers 200`)
    t.match(r.body, /class="(field-error|alert error)"|id="err-/, `${k}: the errors are shown`)
    t.match(r.body, spec.shows ?? `value="${String(spec.fields.commandId)}"`, `${k}: with the values typed`)
  }
})

t.test('sent after the session ended: 303 to the login page, and kept', async (t) => {
  const sessions: Record<Who, Login> = { pro: await login(app, professional()), rev: await login(app, reviewer()) }
  clock.advance(IDLE_TIMEOUT_MS + 60_000)
  for (const [k, spec] of Object.entries(FORMS)) {
    const r = await send(sessions[spec.who], spec)
    t.equal(r.statusCode, 303, `${k}: 303`)
    t.equal(r.headers.location, KEPT_LOGIN_URL, `${k}: the login page, saying the form is kept`)
    t.match(String(r.headers['set-cookie']), /bb_kept=/, `${k}: the kept form's cookie`)
  }
})
