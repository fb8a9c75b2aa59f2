// Right role, wrong owner (issues #4/#5/#6): a professional on another professional's case, an institution on
// another institution's case (or its staff, or its batch), a reviewer on another county's case. Each owner-scoped
// route is tried on the other party's case in the state where the action WOULD succeed if the scope check were
// missing: the answer is 403/404, the body carries none of the other party's name, ID or case numbers, and nothing
// is appended to the log. Also: the read audit records a reviewer's case and personal-data views (who, what,
// when), and a refused read records nothing and shows nothing.
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { absent, buildFixture, foreignMarkers, PERSON, send, textOf, type Party, type Req, type Who } from '../support/authz.js'
import { auditStream } from '../../commands/read-audit.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'
import { multipart } from '../support/http.js'
import { lastAppendedPosition } from '../support/projection-env.js'

const fx = await buildFixture(t)
const { app, services } = fx
const store = services.store!

const other = (p: Party): Party => (p === 'A' ? 'B' : 'A')
const FRONT: readonly [Who, Party][] = [['proA', 'A'], ['proB', 'B'], ['instX', 'A'], ['instY', 'B']]
const form = (who: Who, extra: Record<string, string | string[]> = {}) => ({
  commandId: randomUUID(), supportedCode: '3563020002', department: '02', purpose: '01', scheduleKind: 'weekly',
  from: '1131104', to: '1131129', weekdays: ['2'], winStart: ['0800'], winEnd: ['1200'], intent: 'submit',
  ...(who.startsWith('inst') ? { applicantId: who === 'instX' ? PERSON.A.id : PERSON.B.id } : {}), ...extra,
})
/** The other party's markers plus the single case's own details (its supported institution's name). */
const markersOf = (who: Who, p: Party) => [...foreignMarkers(fx, who), PERSON[p].supported.name]

async function refused(t: Test, who: Who, req: Req, markers: string[], statuses: number[] = [404]) {
  const before = await fx.eventCount()
  const session = fx.sessions[who as Exclude<Who, 'anon'>]
  const sent = await send(app, session, req)
  const label = `${req.method ?? 'GET'} ${req.url.replace(/[0-9a-f-]{36}/g, ':id')} as ${who}`
  t.ok(statuses.includes(sent.statusCode), `${label}: refused (${sent.statusCode})`)
  // a refused page form answers 303 to its page (POST-redirect-GET): what the person reads is that page
  const location = String(sent.headers.location ?? '')
  const r = sent.statusCode === 303 && location.includes('form=') ? await send(app, session, { url: location }) : sent
  absent(t, await textOf(r), markers, label)
  t.equal(await fx.eventCount(), before, `${label}: nothing appended`)
  return r
}

t.test('front office: another owner\'s case, in the state where the action would succeed', async (t) => {
  for (const [who, mine] of FRONT) {
    const c = fx.cases[other(mine)]
    const m = markersOf(who, other(mine))
    const reqs: Req[] = [
      { url: `/reports/${c.review}` },
      { url: `/reports/${c.review}/print.pdf` },
      { url: `/reports/${c.draft}/edit` },
      { url: `/reports/${c.returned}/resubmit` },
      { url: `/reports/${c.approved}/change` },
      { url: `/reports/${c.approved}/cancel` },
      { method: 'POST', url: `/reports/${c.draft}/edit`, form: form(who, { intent: 'draft' }) },
      { method: 'POST', url: `/reports/${c.returned}/resubmit`, form: form(who) },
      { method: 'POST', url: `/reports/${c.approved}/change`, form: form(who, { reason: '增加時段' }) },
      { method: 'POST', url: `/reports/${c.approved}/cancel`, form: { commandId: randomUUID(), effectiveDate: '1130520', reason: '診所調整門診' } },
      { method: 'POST', url: `/reports/${c.draft}/submit`, form: { commandId: randomUUID() } },
      { method: 'POST', url: `/reports/${c.review}/withdraw`, form: { commandId: randomUUID() } },
      { method: 'POST', url: `/reports/${c.review}/copy`, form: { commandId: randomUUID() } },
    ]
    for (const req of reqs) {
      const r = await refused(t, who, req, m)
      t.match(r.body, '查無此報備支援案件', 'zh-TW page')
    }
  }
  // control: the same requests on the party's own case do pass the scope check (the test can fail)
  t.equal((await send(app, fx.sessions.proA, { url: `/reports/${fx.cases.A.review}` })).statusCode, 200)
  t.equal((await send(app, fx.sessions.instY, { url: `/reports/${fx.cases.B.approved}/cancel` })).statusCode, 200)
})

t.test('JSON API: another owner\'s case is 404 REPORT_NOT_FOUND, coded, without its data', async (t) => {
  const registered = new Set(app.routeTable.map((r) => `${r.method} ${r.url}`))
  const terms = { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: '2024-11-04', to: '2024-11-25', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] } }
  for (const [who, mine] of FRONT) {
    const c = fx.cases[other(mine)]
    const reqs: [string, Req][] = [
      ['GET /api/cases/:caseId', { url: `/api/cases/${c.review}` }],
      ['POST /api/cases/:caseId/edit', { method: 'POST', url: `/api/cases/${c.draft}/edit`, json: { commandId: randomUUID(), terms } }],
      ['POST /api/cases/:caseId/submit', { method: 'POST', url: `/api/cases/${c.draft}/submit`, json: { commandId: randomUUID() } }],
      ['POST /api/cases/:caseId/resubmit', { method: 'POST', url: `/api/cases/${c.returned}/resubmit`, json: { commandId: randomUUID(), terms } }],
      ['POST /api/cases/:caseId/withdraw', { method: 'POST', url: `/api/cases/${c.review}/withdraw`, json: { commandId: randomUUID() } }],
      ['POST /api/cases/:caseId/change', { method: 'POST', url: `/api/cases/${c.approved}/change`, json: { commandId: randomUUID(), terms, reason: '增加時段' } }],
      ['POST /api/cases/:caseId/cancel', { method: 'POST', url: `/api/cases/${c.approved}/cancel`, json: { commandId: randomUUID(), effectiveDate: '2024-05-20', reason: '調整' } }],
      ['POST /api/cases/:caseId/copy', { method: 'POST', url: `/api/cases/${c.review}/copy`, json: { commandId: randomUUID() } }],
      ['POST /api/preview', { method: 'POST', url: '/api/preview', json: { caseId: c.review, terms, ...(who.startsWith('inst') ? { applicantId: who === 'instX' ? PERSON.A.id : PERSON.B.id } : {}) } }],
    ]
    for (const [route, req] of reqs) {
      t.ok(registered.has(route), `${route} is registered`)
      const r = await refused(t, who, req, markersOf(who, other(mine)))
      t.match(r.json(), { code: 'REPORT_NOT_FOUND' }, `${route} as ${who}: coded`)
    }
    {
      const list = await send(app, fx.sessions[who as Exclude<Who, 'anon'>], { url: '/api/cases?pageSize=100' })
      t.equal(list.statusCode, 200)
      absent(t, list.body, foreignMarkers(fx, who), `GET /api/cases as ${who}`)
      t.match(list.body, fx.numbers.get(fx.cases[mine].review)!, `GET /api/cases as ${who}: its own case is listed`)
    }
  }
})

t.test('an institution reads a case supporting it (他院支援本院) but cannot act on it', async (t) => {
  const inbound = await send(app, fx.sessions.instX, { url: `/reports/${fx.cases.BX}` })
  t.equal(inbound.statusCode, 200, 'inbound case is in X\'s scope to read')
  const r = await refused(t, 'instX', { method: 'POST', url: `/reports/${fx.cases.BX}/withdraw`, form: { commandId: randomUUID() } }, [], [403])
  t.match(r.body, '機構只能為本機構的醫事人員申請')
  await refused(t, 'instX', { method: 'POST', url: `/reports/${fx.cases.BX}/copy`, form: { commandId: randomUUID() } }, [], [403])
})

t.test('an institution files only for its own staff, and previews only its own staff', async (t) => {
  // B's case under review: 陳志豪 → 板橋康健診所, Mondays of March 2024
  const clash: Record<string, string | string[]> = { applicantId: PERSON.B.id, supportedCode: '3565010003', from: '1130304', to: '1130329', weekdays: ['1'] }
  const numbersOfB = foreignMarkers(fx, 'instX')
  const page = await refused(t, 'instX', { method: 'POST', url: '/reports', form: form('instX', clash) }, [...numbersOfB, PERSON.B.name], [403, 303])
  t.match(page.body, '機構只能為本機構的醫事人員申請')
  const api = await refused(t, 'instX', {
    method: 'POST', url: '/api/reports',
    json: { commandId: randomUUID(), applicantId: PERSON.B.id, supportedCode: '3565010003', department: '01', purpose: '01', schedule: { kind: 'weekly', from: '2024-03-04', to: '2024-03-29', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] } },
  }, [...numbersOfB, PERSON.B.name], [403])
  t.match(api.json(), { code: 'NOT_OWN_STAFF' })
  // the live check of the form previews conflicts and quota use: never for another institution's staff (this leaked
  // B's quota use to X before). A week beside B's Monday case: no hard conflict, so the preview has quota lines.
  const beside: Record<string, string | string[]> = { ...clash, weekdays: ['2'] }
  for (const terms of [clash, beside]) {
    const check = await send(app, fx.sessions.instX, { method: 'POST', url: '/reports/check', form: form('instX', terms) })
    t.equal(check.statusCode, 200)
    absent(t, check.body, [...numbersOfB, PERSON.B.name, '時段衝突', '報備支援額度', '無時段衝突'], 'POST /reports/check for another institution\'s staff')
  }
  // control: for its own staff the same check does preview
  const own = await send(app, fx.sessions.instY, { method: 'POST', url: '/reports/check', form: form('instY', beside) })
  t.match(own.body, /報備支援額度|無時段衝突/)
  const applicant = await send(app, fx.sessions.instX, { method: 'POST', url: '/reports/check/applicant', form: { applicantId: PERSON.B.id } })
  absent(t, applicant.body, [PERSON.B.name], 'applicant check of another institution\'s staff')
})

t.test('batch: another institution\'s batch does not exist for it, and cannot be confirmed', async (t) => {
  const x = fx.sessions.instX
  const csv = Buffer.from(`\uFEFF${BATCH_COLUMNS.join(',')}\r\n${PERSON.A.id},3563020002,02,01,1131202,1131227,5,0900,1200,\r\n`)
  const m = multipart({ _csrf: x.csrf }, [{ name: 'file', filename: 'batch.csv', type: 'text/csv', content: csv }])
  const up = await app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: x.cookie, ...m.headers }, payload: m.payload })
  const jobId = /\/institution\/batch\/([0-9a-f]{64})\/confirm/.exec(up.body)?.[1]
  t.ok(jobId, 'X has a job with one valid row')
  const markers = [...personMarkersA(), '仁愛家醫診所', 'batch.csv']
  const page = await refused(t, 'instY', { url: `/institution/batch/${jobId}` }, markers)
  t.match(page.body, '找不到此批次')
  // a confirm of a job that is not Y's answers as for a job that is gone: 303 to Y's upload page saying so
  const confirm = await refused(t, 'instY', { method: 'POST', url: `/institution/batch/${jobId}/confirm`, form: {} }, markers, [303])
  t.match(confirm.body, /id="flash-notice">找不到此批次/)
  const still = await send(app, x, { url: `/institution/batch/${jobId}` })
  t.equal(still.statusCode, 200)
  t.notMatch(still.body, 'every 1s', 'the job was not started by Y (not running)')
  t.notMatch(still.body, '完成', 'the job was not started by Y (not done)')
})
const personMarkersA = () => [PERSON.A.name, PERSON.A.id]

t.test('back office: another county\'s case does not exist for a reviewer; statisticians decide nothing', async (t) => {
  for (const [who, p] of [['revTPE', 'B'], ['revNTP', 'A']] as const) {
    const c = fx.cases[p]
    const m = [...markersOf(who, p)]
    const reqs: Req[] = [
      { url: `/review/cases/${c.review}` },
      { url: `/review/cases/${c.review}?asOfDate=1130221&asOfTime=1200` },
      { url: `/review/cases/${c.review}/attachments/${c.attachment}` },
      { url: `/review/cases/${c.approved}/approval.pdf` },
      { method: 'POST' as const, url: '/review/print', form: { caseId: [fx.cases[p === 'A' ? 'B' : 'A'].approved, c.approved] } },
      { method: 'POST' as const, url: `/review/cases/${c.review}/decision`, form: { decision: 'approve', commandId: randomUUID() } },
      { method: 'POST' as const, url: `/review/cases/${c.review}/decision`, form: { decision: 'return', reason: '請補件', fieldsToFix: 'attachments', commandId: randomUUID() } },
    ]
    for (const req of reqs) await refused(t, who, req, m)
    // a batch naming the foreign case: the page reports it refused, without its data, and decides nothing
    const batch = await refused(t, who, { method: 'POST', url: '/review/decisions', form: { decision: 'approve', commandId: randomUUID(), caseId: [c.review] } }, m, [303])
    t.match(batch.body, '查無此報備支援案件')
    // a person of the other county: the quota page shows none of their cases
    const quota = await send(app, fx.sessions[who], { url: `/review/quota?personId=${PERSON[p].id}` })
    t.equal(quota.statusCode, 200)
    absent(t, quota.body, m.filter((x) => x !== PERSON[p].id && !x.includes('XXXX')), `quota of another county's person as ${who}`)
  }
  const r = await refused(t, 'stat', { method: 'POST', url: `/review/cases/${fx.cases.A.review}/decision`, form: { decision: 'approve', commandId: randomUUID() } }, [], [403])
  t.match(r.body, 'FORBIDDEN')
  // control: the own county's case opens
  t.equal((await send(app, fx.sessions.revNTP, { url: `/review/cases/${fx.cases.B.review}` })).statusCode, 200)
})

t.test('read audit: case and personal-data views are recorded (who, what, when); a refused read records nothing', async (t) => {
  const day = services.clock().toISOString()
  const views = async () => (await store.readStream(auditStream(day.slice(0, 10)))).filter((e) => e.type === 'RecordViewed')
  const before = (await views()).length
  const A = fx.cases.A.review
  t.equal((await send(app, fx.sessions.revTPE, { url: `/review/cases/${A}` })).statusCode, 200)
  let evs = (await views()).slice(before)
  t.same(evs.map((e) => (e.data as { subject: unknown }).subject), [{ kind: 'case', id: A }, { kind: 'person', id: PERSON.A.id }], 'the case and its applicant')
  for (const e of evs) {
    t.match(e.data, { viewer: 'TPE-R001', viewerName: '周文華', role: 'reviewer', county: '63', via: 'GET /review/cases/:caseId' }, 'who')
    t.equal(e.meta.occurredAt, day, 'when')
  }
  t.equal((await send(app, fx.sessions.revTPE, { url: `/review/quota?personId=${PERSON.A.id}` })).statusCode, 200)
  evs = (await views()).slice(before + 2)
  t.same(evs.map((e) => [(e.data as { via: string }).via, (e.data as { subject: unknown }).subject]), [['GET /review/quota', { kind: 'person', id: PERSON.A.id }]], 'a personal-data query')
  const n = (await views()).length
  t.equal((await send(app, fx.sessions.revNTP, { url: `/review/cases/${A}` })).statusCode, 404)
  t.equal((await send(app, fx.sessions.revNTP, { url: `/review/cases/${A}/attachments/${fx.cases.A.attachment}` })).statusCode, 404)
  t.equal((await views()).length, n, 'a refused read is not recorded as a view (nothing was shown)')
  // the audit pages: 臺北市 sees its reviewer's views; 新北市 sees none of them; the ministry sees all
  await fx.parts.waitFor(await lastAppendedPosition(fx.tdb.db))
  const tpe = await send(app, fx.sessions.revTPE, { url: '/review/audit' })
  t.match(tpe.body, '周文華')
  t.match(tpe.body, A)
  t.match(tpe.body, 'A1234XXXX9', 'the person, masked')
  t.notMatch(tpe.body, PERSON.A.id, 'never the full ID')
  for (const url of ['/review/audit', `/review/audit?subject=${A}`, '/review/audit?viewer=TPE-R001']) {
    const ntp = await send(app, fx.sessions.revNTP, { url })
    t.equal(ntp.statusCode, 200)
    // (what the requester typed is echoed in the search form; 新北市's own quota look-up of A earlier is its own view)
    absent(t, ntp.body, ['周文華', 'TPE-R001', A, PERSON.A.id].filter((m) => !url.includes(m)), `${url} as revNTP: another county's audit trail`)
    if (url.includes('?')) t.match(ntp.body, '共 <strong>0</strong> 筆', `${url} as revNTP: nothing found`)
  }
  const stat = await send(app, fx.sessions.stat, { url: `/review/audit?viewer=TPE-R001` })
  t.match(stat.body, A)
})
