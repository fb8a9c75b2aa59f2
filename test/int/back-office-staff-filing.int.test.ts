// 後台 單筆申請 (issue #16): a reviewer files for a professional or their home institution of the reviewer's county,
// recorded as such (the event's actor is the reviewer, onBehalfOf the party of record); refused for another county,
// and a refusal appends nothing; the institution of record sees the case.
import { reportStream } from '../../domain/events.js'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp, followForm, form, institution, login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'

const { app, services } = await buildTestApp(t)
const store = services.store!
const staff = (id: string, name: string, county: string): SessionUser => ({ actor: { role: 'reviewer', id, name, via: 'staff-card', county }, name })
const tpe = await login(app, staff('TPE-R001', '周文華', '63'))
const ntp = await login(app, staff('NTP-R001', '鄭淑惠', '65'))

const post = (s: { cookie: string; csrf: string }, fields: Record<string, string | string[]>) =>
  app.inject({ method: 'POST', url: '/review/file', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: s.csrf, ...fields }) })
// 王大明 (A123456789), staff of 示範大學附設醫院 (臺北, 0163010001), supporting 仁愛家醫診所 (臺北)
const filing = (over: Record<string, string | string[]> = {}) => ({
  commandId: randomUUID(), onBehalfOf: 'professional', applicantId: 'A123456789', supportedCode: '3563020002', department: '02', purpose: '01',
  from: '1130304', to: '1130329', weekdays: ['1', '3'], winStart: '0800', winEnd: '1200', ...over,
})
const countAll = async () => (await store.readAll({ limit: 100_000 })).length

t.test('the form: a reviewer gets it, with no preselected party', async (t) => {
  const r = await app.inject({ url: '/review/file', headers: { cookie: tpe.cookie } })
  t.equal(r.statusCode, 200)
  t.match(r.body, '單筆申請')
  t.notMatch(r.body, /name="onBehalfOf" value="[a-z]+" checked/, 'neither party chosen for the reviewer')
})

t.test('filed for the professional: the event actor is the reviewer, onBehalfOf the professional; the case is under review', async (t) => {
  const f = filing()
  const r = await post(tpe, f)
  t.equal(r.statusCode, 303, r.body.slice(0, 400))
  const caseId = /\/review\/cases\/([0-9a-f-]{36})\?done=filed/.exec(String(r.headers.location))?.[1]
  t.ok(caseId, 'redirected to the case')
  const events = await store.readStream(reportStream(caseId!))
  t.same(events.map((e) => e.type), ['ReportDrafted', 'ReportSubmitted'])
  const drafted = events[0]!
  t.equal(drafted.meta.actor.id, 'TPE-R001')
  t.equal(drafted.meta.actor.role, 'reviewer')
  t.same((drafted.data as { onBehalfOf?: unknown }).onBehalfOf, { role: 'professional', id: 'A123456789' })
  const page = await app.inject({ url: `/review/cases/${caseId}?done=filed`, headers: { cookie: tpe.cookie } })
  t.match(page.body, '由衛生局審查人員代為申請')
  t.match(page.body, '周文華')
})

t.test('filed for the institution: the institution of record sees the case in its list', async (t) => {
  const r = await post(tpe, filing({ onBehalfOf: 'institution', from: '1130402', to: '1130426', weekdays: ['2'] }))
  t.equal(r.statusCode, 303, r.body.slice(0, 400))
  const caseId = /cases\/([0-9a-f-]{36})/.exec(String(r.headers.location))![1]!
  const events = await store.readStream(reportStream(caseId!))
  t.same((events[0]!.data as { onBehalfOf?: unknown; filedBy?: unknown }).onBehalfOf, { role: 'institution', id: '0163010001' })
  t.same((events[0]!.data as { filedBy?: unknown }).filedBy, { role: 'institution', id: '0163010001' })
  const inst = await login(app, institution())
  const mine = await app.inject({ url: `/reports/${caseId}`, headers: { cookie: inst.cookie } })
  t.equal(mine.statusCode, 200, 'the institution opens the case filed on its behalf')
})

t.test('another county is refused at the applicant field, and nothing is appended', async (t) => {
  const before = await countAll()
  const r = await followForm(app, await post(ntp, filing({ from: '1130506', to: '1130531' })), ntp.cookie)
  t.equal(r.status, 303, 'back to the form (POST-redirect-GET)')
  t.match(r.location, /^\/review\/file\?form=/)
  t.match(r.body, /id="err-applicantId"[^>]*>[^<]*執業機構「示範大學附設醫院」不在您所屬縣市/)
  t.equal(await countAll(), before, 'a rejected command appends nothing')
})

t.test('a missing party and a bad date are shown at their fields', async (t) => {
  const r = await followForm(app, await post(tpe, filing({ onBehalfOf: '', from: '113030' })), tpe.cookie)
  t.equal(r.status, 303, 'back to the form (POST-redirect-GET)')
  t.match(r.body, 'value="113030"', 'the date as typed')
  t.match(r.body, 'id="err-onBehalfOf"')
  t.match(r.body, 'id="err-from"')
})
