// Every page POST answers 303 (issue #16), derived from the route table: a new POST route that is neither API, the
// login page's JSON, an htmx fragment, a tested form (POST-redirect-GET), a tested action nor documented below fails
// this test. A tested form, refused, answers 303 to its page, which shows the errors and the values (so Back and
// reload never meet the browser's resubmit page); a kept form, sent after the session ended, answers 303 to the login
// page and is kept. A tested action (one click, an upload), refused, answers 303 to the page it was on, which says why.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, followForm, form, institution, login, multipart, professional, reviewer, type Login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import { IDLE_TIMEOUT_MS } from '../../http/session-store.js'
import { KEPT_LOGIN_URL } from '../../http/kept-forms-hook.js'
import type { Actor } from '../../domain/types.js'
import { MAX_UPLOAD_BYTES } from '../../http/app.js'

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

// a page of 最新消息 to edit and withdraw (系統管理)
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const adminSession = await login(app, admin)
const sitePage = randomUUID()
const published = await app.inject({ method: 'POST', url: '/review/admin/site', headers: { cookie: adminSession.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ commandId: sitePage, kind: 'news', title: '系統維護公告', body: '本週六停機', publishedOn: '1130101', _csrf: adminSession.csrf }) })
if (published.statusCode !== 303) throw new Error(`site page: ${published.statusCode} ${published.body.slice(0, 300)}`)

type Who = 'pro' | 'rev' | 'admin' | 'inst'
interface FormSpec { who: Who; url: string; fields: Record<string, string | string[]>; page: string; /** a value typed that the page shows again (default: the form's command id) */ shows?: string; /** a secret typed that the page must not show */ hides?: string }
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

/** Other forms answered by POST-redirect-GET (not kept after the session ended): 通知設定 and the 系統管理 forms. */
const PRG_FORMS: Record<string, FormSpec> = {
  'POST /settings/notifications': { who: 'pro', url: '/settings/notifications', fields: { commandId: randomUUID(), channel: 'email', email: 'not-an-address', phone: '' }, page: '/settings/notifications', shows: 'value="not-an-address"' },
  'POST /review/admin/accounts': { who: 'admin', url: '/review/admin/accounts', fields: { commandId: randomUUID(), accountId: 'TPE-R900', name: '測試審查員', agency: '臺北市政府衛生局', role: 'reviewer', county: '63', reason: '' }, page: '/review/admin/accounts/new', shows: 'value="TPE-R900"' },
  'POST /review/admin/accounts/:accountId': { who: 'admin', url: '/review/admin/accounts/TPE-R001', fields: { commandId: randomUUID(), name: '周文華（改）', agency: '臺北市政府衛生局', role: 'reviewer', county: '63', reason: '' }, page: '/review/admin/accounts/TPE-R001', shows: 'value="周文華（改）"' },
  'POST /review/admin/accounts/:accountId/status': { who: 'admin', url: '/review/admin/accounts/TPE-R001/status', fields: { commandId: randomUUID(), action: 'disable', reason: '' }, page: '/review/admin/accounts/TPE-R001', shows: 'id="err-statusReason"' },
  'POST /review/admin/settings/:name': { who: 'admin', url: '/review/admin/settings/quota', fields: { commandId: randomUUID(), content: '{"rules": [', effectiveDate: '1200101', effectiveTime: '0830', reason: '調整額度' }, page: '/review/admin/settings/quota', shows: '{&quot;rules&quot;: [' },
  'POST /review/admin/site': { who: 'admin', url: '/review/admin/site', fields: { commandId: randomUUID(), kind: 'faq', title: '如何申請？', body: '請見說明', publishedOn: '1139999' }, page: '/review/admin/site/new', shows: 'value="如何申請？"' },
  'POST /review/admin/site/:pageId': { who: 'admin', url: `/review/admin/site/${sitePage}`, fields: { commandId: randomUUID(), kind: 'news', title: '系統維護公告（更新）', body: '改為週日', publishedOn: '11301' }, page: `/review/admin/site/${sitePage}`, shows: 'value="系統維護公告（更新）"' },
  'POST /review/admin/site/:pageId/withdraw': { who: 'admin', url: `/review/admin/site/${sitePage}/withdraw`, fields: { commandId: randomUUID(), reason: '' }, page: `/review/admin/site/${sitePage}`, shows: 'id="err-withdrawReason"' },
}

interface ActionSpec { who: Who; url: string; fields?: Record<string, string | string[]>; upload?: true; /** the file sent (default: none) */ file?: Buffer; page: string; /** what the page says */ says: RegExp }
const notice = (text: string) => new RegExp(`id="flash-notice">${text}`)
const CASE_STATE = notice('案件目前的狀態不可進行此操作')
/** One-click actions and uploads: refused, 303 to the page they were on, which shows the zh-TW message. */
const ACTIONS: Record<string, ActionSpec> = {
  'POST /reports/:caseId/submit': { who: 'pro', url: `/reports/${approved}/submit`, page: `/reports/${approved}`, says: CASE_STATE },
  'POST /reports/:caseId/withdraw': { who: 'pro', url: `/reports/${approved}/withdraw`, page: `/reports/${approved}`, says: CASE_STATE },
  // a copy is offered whenever one may file for the applicant: refused only for what the form sent
  'POST /reports/:caseId/copy': { who: 'pro', url: `/reports/${draft}/copy`, fields: { commandId: 'not-a-uuid' }, page: `/reports/${draft}`, says: notice('輸入資料格式不正確') },
  'POST /review/cases/:caseId/decision (already decided)': { who: 'rev', url: `/review/cases/${approved}/decision`, fields: { decision: 'approve' }, page: `/review/cases/${approved}`, says: /id="flash-notice">[^<]*（[^<]*目前：已核准）/ },
  'POST /review/decisions': { who: 'rev', url: '/review/decisions', fields: { decision: 'approve' }, page: '/review/cases', says: notice('請至少勾選一件案件') },
  'POST /review/print': { who: 'rev', url: '/review/print', fields: {}, page: '/review/cases', says: notice('請至少勾選一件案件') },
  'POST /institution/batch': { who: 'inst', url: '/institution/batch', upload: true, fields: { kind: 'change' }, page: '/institution/batch', says: /id="err-file">請選擇要上傳的檔案[\s\S]*請重新選擇檔案/ },
  // beyond the multipart limits: refused before the handler, said as a notice on the upload page
  'POST /institution/batch (too big)': { who: 'inst', url: '/institution/batch', upload: true, fields: { kind: 'register' }, file: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x41), page: '/institution/batch', says: /id="flash-notice">附件檔案過大[\s\S]*請重新選擇檔案/ },
  'POST /reports/batch': { who: 'pro', url: '/reports/batch', upload: true, fields: { kind: 'cancel' }, page: '/reports/batch', says: /id="err-file">請選擇要上傳的檔案[\s\S]*請重新選擇檔案/ },
  'POST /review/batch': { who: 'rev', url: '/review/batch', upload: true, fields: { onBehalfOf: '' }, page: '/review/batch', says: /id="err-onBehalfOf">請選擇代為申請的對象[\s\S]*請重新選擇檔案/ },
  'POST /institution/batch/:jobId/confirm': { who: 'inst', url: `/institution/batch/${'0'.repeat(64)}/confirm`, page: '/institution/batch', says: notice('找不到此批次') },
  'POST /reports/batch/:jobId/confirm': { who: 'pro', url: `/reports/batch/${'0'.repeat(64)}/confirm`, page: '/reports/batch', says: notice('找不到此批次') },
  'POST /review/batch/:jobId/confirm': { who: 'rev', url: `/review/batch/${'0'.repeat(64)}/confirm`, page: '/review/batch', says: notice('找不到此批次') },
  'POST /review/admin/accounts/import': { who: 'admin', url: '/review/admin/accounts/import', upload: true, page: '/review/admin/accounts', says: /id="flash-notice">請選擇要匯入的 CSV 檔案[\s\S]*請重新選擇檔案/ },
}
const routeOf = (k: string) => k.replace(/ \(.*\)$/, '')

/** Page POSTs that do not answer a refused form by 303, and why. */
const DOCUMENTED: Record<string, string> = {
  'POST /logout': '303 to the login page always',
  'POST /review/print': 'answers the PDF (a download: the browser stays on the list, so Back is not affected); nothing selected is tried above',
  'POST /progress': 'public 申辦進度查詢: no session to carry a flash; a refused query re-renders the page (4xx)',
}
/** htmx fragments (their swaps stay) and test-only routes. */
const HTMX = ['POST /reports/check', 'POST /reports/check/applicant']
const TEST_ONLY = ['POST /__test/session']
const isJson = (url: string) => url.startsWith('/api/') || url.startsWith('/login/')

const posts = app.routeTable.filter((r) => r.method === 'POST').map((r) => ({ key: `POST ${r.url}`, keepForm: r.keepForm }))

t.test('every page POST is a tested POST-redirect-GET form or documented', async (t) => {
  const actions = new Set(Object.keys(ACTIONS).map(routeOf))
  const unclassified = posts.map((p) => p.key).filter((k) => !isJson(k.slice(5)) && !HTMX.includes(k) && !TEST_ONLY.includes(k) && !(k in FORMS) && !(k in PRG_FORMS) && !actions.has(k) && !(k in DOCUMENTED))
  t.same(unclassified, [], 'page POSTs neither tested here nor documented')
  const registered = new Set(posts.map((p) => p.key))
  t.same([...Object.keys(FORMS), ...Object.keys(PRG_FORMS), ...actions].filter((k) => !registered.has(k)), [], 'tested forms and actions that are not routes')
  t.same(Object.keys(DOCUMENTED).filter((k) => !registered.has(k)), [], 'documented entries that are not routes')
  t.same(posts.filter((p) => p.keepForm).map((p) => p.key).sort(), Object.keys(FORMS).sort(), 'exactly these forms are kept when sent after the session ended')
})

const send = (s: Login, spec: FormSpec) =>
  app.inject({ method: 'POST', url: spec.url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...spec.fields, _csrf: s.csrf }) })

const sessionsFor = async (): Promise<Record<Who, Login>> => ({ pro: await login(app, professional()), rev: await login(app, reviewer()), admin: await login(app, admin), inst: await login(app, institution()) })

t.test('a refused form answers 303 to its page, which shows the errors and the values', async (t) => {
  const sessions = await sessionsFor()
  for (const [k, spec] of Object.entries({ ...FORMS, ...PRG_FORMS })) {
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

t.test('a refused action answers 303 to the page it was on, which says why (zh-TW); htmx keeps its swap', async (t) => {
  const sessions = await sessionsFor()
  for (const [k, spec] of Object.entries(ACTIONS)) {
    const s = sessions[spec.who]
    const fields = { commandId: randomUUID(), ...spec.fields, _csrf: s.csrf }
    const body = spec.upload ? multipart(fields, spec.file ? [{ name: 'file', filename: 'big.csv', type: 'text/csv', content: spec.file }] : []) : { payload: form(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    const sent = await app.inject({ method: 'POST', url: spec.url, headers: { cookie: s.cookie, ...body.headers }, payload: body.payload })
    const r = await followForm(app, sent, s.cookie)
    t.equal(r.status, 303, `${k}: 303${r.status !== 303 ? ` — ${r.body.slice(0, 200)}` : ''}`)
    t.equal(r.location.split('?')[0], spec.page, `${k}: back to the page it was on`)
    t.match(r.location, /\?form=[\w-]+$/, `${k}: the page names the flash`)
    t.equal(r.statusCode, 200, `${k}: the page answers 200`)
    t.match(r.body, spec.says, `${k}: the page says why`)
    // the same address again (reload) says it again; the page without it is plain
    t.match((await app.inject({ url: r.location, headers: { cookie: s.cookie } })).body, spec.says, `${k}: a reload shows it again`)
    t.notMatch((await app.inject({ url: spec.page, headers: { cookie: s.cookie } })).body, /id="flash-notice"|id="choose-again"/, `${k}: not on the page's plain address`)
  }
  // htmx keeps its swap (the alert area) and the JSON API its 4xx code
  const pro = sessions.pro
  const hx = await app.inject({ method: 'POST', url: `/reports/${approved}/submit`, headers: { cookie: pro.cookie, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ commandId: randomUUID(), _csrf: pro.csrf }) })
  t.equal(hx.statusCode, 200, 'htmx: answered in place')
  t.equal(hx.headers['hx-retarget'], '#alerts', 'htmx: into the alert area')
  const api = await app.inject({ method: 'POST', url: `/api/cases/${approved}/submit`, headers: { cookie: pro.cookie, 'x-csrf-token': pro.csrf }, payload: { commandId: randomUUID() } })
  t.equal(api.statusCode, 409, 'the JSON API keeps its code')
  t.equal(api.json().code, 'ILLEGAL_TRANSITION')
})

t.test('sent after the session ended: 303 to the login page, and kept', async (t) => {
  const sessions = await sessionsFor()
  clock.advance(IDLE_TIMEOUT_MS + 60_000)
  for (const [k, spec] of Object.entries(FORMS)) {
    const r = await send(sessions[spec.who], spec)
    t.equal(r.statusCode, 303, `${k}: 303`)
    t.equal(r.headers.location, KEPT_LOGIN_URL, `${k}: the login page, saying the form is kept`)
    t.match(String(r.headers['set-cookie']), /bb_kept=/, `${k}: the kept form's cookie`)
  }
})
