// Fixtures of the authorization tests: one real app, eight principals, and cases of two owners in every state a
// front-office action needs, so that every owner-scoped route can be tried on the principal's own case and on the
// other party's case in the state where the action WOULD succeed if the scope check were missing.
//
// Parties: A = 王大明 (staff of X 示範大學附設醫院, 臺北) supporting 仁愛家醫診所 (臺北, reviewed by 63);
//          B = 陳志豪 (staff of Y 新北示範醫院, 新北) supporting 板橋康健診所 (新北, reviewed by 65);
//          BX = 陳志豪 supporting X itself (臺北, reviewed by 63): an inbound case X may read but never act on.
// The demo registry has no hospital-group field: scope is by institution code, so Y stands for "another
// institution" whatever group it belongs to.
import { reportStream } from '../../domain/events.js'
import { execFileSync } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import type { Test } from 'tap'
import type { LightMyRequestResponse as Response } from 'fastify'
import { buildTestApp, form, login, multipart, type Login, type TestApp } from './http.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor, Schedule } from '../../domain/types.js'
import { maskPersonId } from '../../domain/national-id.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'

export const WHO = ['anon', 'proA', 'proB', 'instX', 'instY', 'revTPE', 'revNTP', 'stat', 'admin', 'bureauAdmin'] as const
export type Who = (typeof WHO)[number]
export type Party = 'A' | 'B'

export const PERSON = {
  A: { id: 'A123456789', name: '王大明', home: { code: '0163010001', name: '示範大學附設醫院' }, supported: { code: '3563020002', name: '仁愛家醫診所' } },
  B: { id: 'F122334458', name: '陳志豪', home: { code: '0165020004', name: '新北示範醫院' }, supported: { code: '3565010003', name: '板橋康健診所' } },
} as const

const pro = (p: Party): SessionUser => {
  const x = PERSON[p]
  return { actor: { role: 'professional', id: x.id, name: x.name, via: 'hca-professional-card', institutionCode: x.home.code }, name: x.name, institution: x.home }
}
const inst = (code: string, name: string): SessionUser => ({ actor: { role: 'institution', id: code, name, via: 'hca-institution-card', institutionCode: code }, name, institution: { code, name } })
const staff = (id: string, name: string, county?: string): SessionUser => ({
  actor: { role: county ? 'reviewer' : 'statistician', id, name, via: 'staff-card', ...(county ? { county } : {}) }, name,
})
export const USERS: Record<Exclude<Who, 'anon'>, SessionUser> = {
  proA: pro('A'),
  proB: pro('B'),
  instX: inst(PERSON.A.home.code, PERSON.A.home.name),
  instY: inst(PERSON.B.home.code, PERSON.B.home.name),
  revTPE: staff('TPE-R001', '周文華', '63'),
  revNTP: staff('NTP-R001', '鄭淑惠', '65'),
  stat: staff('MOHW-S001', '蔡明哲'),
  // 系統管理 (issue #15): the MOHW administrator (national) and 臺北市's bureau administrator
  admin: { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' },
  bureauAdmin: { actor: { role: 'bureau_admin', id: 'TPE-A001', name: '陳建宏', via: 'staff-card', county: '63' }, name: '陳建宏' },
}

export interface OwnCases {
  draft: string
  review: string
  returned: string
  approved: string
  /** sha256 of the PDF attached to `review` */
  attachment: string
}

export interface Fixture extends TestApp {
  sessions: Record<Exclude<Who, 'anon'>, Login>
  cases: Record<Party, OwnCases> & { BX: string }
  /** case number of every submitted case, by case id */
  numbers: Map<string, string>
  /** batch jobs with only invalid rows (confirming them files nothing), per institution */
  emptyJob: { instX: string; instY: string }
  /** a fresh session of `who` (for requests that end the session) */
  fresh(who: Exclude<Who, 'anon'>): Promise<Login>
  /** number of events in the whole log */
  eventCount(type?: string): Promise<number>
}

const weekly = (from: string, to: string, weekday: 1 | 2 | 3 | 4 | 5): Schedule => ({ kind: 'weekly', from, to, weekdays: [weekday], windows: [{ start: '08:00', end: '12:00' }] })

export async function buildFixture(t: Test): Promise<Fixture> {
  const ta = await buildTestApp(t)
  const { app, parts, services, tdb } = ta
  const store = services.store!
  const sessions = {} as Record<Exclude<Who, 'anon'>, Login>
  for (const [k, u] of Object.entries(USERS)) sessions[k as Exclude<Who, 'anon'>] = await login(app, u)
  const numbers = new Map<string, string>()

  const actorOf = (u: SessionUser): Actor => u.actor
  const meta = (a: Actor) => ({ commandId: randomUUID(), actor: a })
  async function make(p: Party, state: 'draft' | 'review' | 'returned' | 'approved', schedule: Schedule, supportedCode: string = PERSON[p].supported.code, attach?: string) {
    const who = actorOf(USERS[p === 'A' ? 'proA' : 'proB'])
    const reviewer = actorOf(USERS[supportedCode.slice(2, 4) === '65' ? 'revNTP' : 'revTPE'])
    const attachments = attach ? [await parts.blobs.put(`${p}-證明.pdf`, Buffer.from(`%PDF-1.4\n%${attach}\n`))] : []
    const args = { applicantId: PERSON[p].id, terms: { supportedCode, department: p === 'A' ? '02' : '01', purpose: '01', schedule }, attachments }
    let o = state === 'draft' ? await parts.reports.draft(args, meta(who)) : await parts.reports.file(args, meta(who))
    const caseId = o.caseId
    if (state === 'returned') o = await parts.reports.return(caseId, { reason: '請補附支援同意書', fieldsToFix: ['attachments'] }, meta(reviewer))
    if (state === 'approved') o = await parts.reports.approve(caseId, {}, meta(reviewer))
    await parts.waitFor(o.position)
    const submitted = (await store.readStream(reportStream(caseId))).find((e) => e.type === 'ReportSubmitted')
    const n = (submitted?.data as { caseNumber?: string } | undefined)?.caseNumber
    if (n) numbers.set(caseId, n)
    return { caseId, hash: attachments[0]?.hash ?? '' }
  }
  const cases = {} as Fixture['cases']
  for (const p of ['A', 'B'] as const) {
    const review = await make(p, 'review', weekly('2024-03-04', '2024-03-29', 1), undefined, `attachment-of-${p}`)
    cases[p] = {
      review: review.caseId,
      attachment: review.hash,
      returned: (await make(p, 'returned', weekly('2024-04-01', '2024-04-26', 2))).caseId,
      approved: (await make(p, 'approved', weekly('2024-05-06', '2024-05-31', 3))).caseId,
      draft: (await make(p, 'draft', weekly('2024-06-03', '2024-06-28', 4))).caseId,
    }
  }
  cases.BX = (await make('B', 'review', weekly('2024-07-01', '2024-07-26', 5), PERSON.A.home.code)).caseId

  // batch jobs whose rows are all refused (the other institution's staff): confirming one files nothing
  const emptyJob = { instX: '', instY: '' }
  for (const [who, other] of [['instX', 'B'], ['instY', 'A']] as const) {
    const s = sessions[who]
    const csv = Buffer.from(`\uFEFF${BATCH_COLUMNS.join(',')}\r\n${PERSON[other].id},3563020002,02,01,1130805,1130830,1,0900,1200,\r\n`)
    const m = multipart({ _csrf: s.csrf }, [{ name: 'file', filename: 'batch.csv', type: 'text/csv', content: csv }])
    const r = await app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: s.cookie, ...m.headers }, payload: m.payload })
    if (r.statusCode !== 200 || !r.body.includes('有錯誤 1 筆')) throw new Error(`batch upload failed: ${r.statusCode} ${r.body.slice(0, 300)}`)
    // the page offers no confirmation when nothing is valid; the job id is the one http/routes/batch.ts derives
    emptyJob[who] = createHash('sha256').update(`${USERS[who].actor.id}:${createHash('sha256').update(csv).digest('hex')}`).digest('hex')
  }

  return {
    ...ta, sessions, cases, numbers, emptyJob,
    fresh: (who) => login(app, USERS[who]),
    async eventCount(type?: string) {
      const r = type
        ? await tdb.db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE type = $1', [type])
        : await tdb.db.query<{ n: string }>('SELECT count(*) AS n FROM events')
      return Number(r.rows[0]!.n)
    },
  }
}

// ---- requests ----

export interface Req {
  method?: 'GET' | 'POST'
  url: string
  /** url-encoded form fields (the session's _csrf is added unless csrf says otherwise) */
  form?: Record<string, string | string[]>
  /** multipart fields (no files) */
  multipart?: Record<string, string | string[]>
  /** JSON body (CSRF goes in the x-csrf-token header) */
  json?: unknown
  htmx?: boolean
}

export type CsrfMode = 'valid' | 'none' | 'foreign'

/** Sends `req` as `session` (undefined = anonymous). csrf 'foreign' sends another session's token. */
export function send(app: TestApp['app'], session: Login | undefined, req: Req, csrf: CsrfMode = 'valid', foreignToken = 'x'.repeat(43)) {
  const token = csrf === 'valid' ? session?.csrf : csrf === 'foreign' ? foreignToken : undefined
  const headers: Record<string, string> = {}
  if (session) headers.cookie = session.cookie
  if (req.htmx) headers['hx-request'] = 'true'
  const method = req.method ?? 'GET'
  if (method === 'GET') return app.inject({ method, url: req.url, headers })
  if (req.json !== undefined) {
    if (token) headers['x-csrf-token'] = token
    return app.inject({ method, url: req.url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(req.json) })
  }
  if (req.multipart) {
    const m = multipart({ ...req.multipart, ...(token ? { _csrf: token } : {}) })
    return app.inject({ method, url: req.url, headers: { ...headers, ...m.headers }, payload: m.payload })
  }
  return app.inject({
    method, url: req.url, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ ...(req.form ?? {}), ...(token ? { _csrf: token } : {}) }),
  })
}

/** The text a person would read in a response: PDF text, every spreadsheet cell, or the body. */
export async function textOf(r: Response): Promise<string> {
  const type = String(r.headers['content-type'] ?? '')
  if (type.includes('application/pdf')) {
    try {
      return execFileSync('pdftotext', ['-layout', '-', '-'], { input: r.rawPayload, stdio: ['pipe', 'pipe', 'ignore'] }).toString('utf8')
    } catch {
      return r.body // an uploaded attachment need not be a well-formed PDF: read it as bytes
    }
  }
  if (type.includes('spreadsheetml')) {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer)
    const out: string[] = []
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => { out.push(c.text) })))
    return out.join('\n')
  }
  return r.body
}

export const personMarkers = (p: Party) => [PERSON[p].name, PERSON[p].id, maskPersonId(PERSON[p].id)]

/** What `who` must never see: the other party's person and case numbers (beyond what its scope legitimately holds). */
export function foreignMarkers(fx: Fixture, who: Who): string[] {
  const n = (...ids: string[]) => ids.map((id) => fx.numbers.get(id)).filter((x): x is string => !!x)
  const all = (p: Party) => n(fx.cases[p].review, fx.cases[p].returned, fx.cases[p].approved)
  switch (who) {
    case 'proA': return [...personMarkers('B'), ...all('B'), ...n(fx.cases.BX)]
    case 'proB': case 'instY': return [...personMarkers('A'), ...all('A')]
    case 'instX': case 'revTPE': return all('B') // B's person legitimately appears through BX (inbound to X, reviewed by 63)
    case 'revNTP': return [...personMarkers('A'), ...all('A'), ...n(fx.cases.BX)]
    case 'stat': case 'admin': return []
    case 'bureauAdmin': return all('B') // 臺北市's reads (紀錄查詢) may name BX, as for its reviewers
    case 'anon': return [...personMarkers('A'), ...personMarkers('B'), ...all('A'), ...all('B'), ...n(fx.cases.BX)]
  }
}

/** What a refused response must never carry: every case number and every person but the requester. */
export function refusedMarkers(fx: Fixture, who: Who): string[] {
  const self = who === 'proA' ? 'A' : who === 'proB' ? 'B' : undefined
  return [...[...fx.numbers.values()], ...(['A', 'B'] as const).filter((p) => p !== self).flatMap(personMarkers)]
}

export const absent = (t: Test, text: string, markers: readonly string[], what: string) => {
  const found = markers.filter((m) => text.includes(m))
  t.same(found, [], `${what}: no data of another party`)
}
