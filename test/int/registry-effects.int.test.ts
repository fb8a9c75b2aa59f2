// A registry change reaching the cases: a suspended license flags the person's running approved supports on the
// reviewers' worklist (their county only) and on the case file, and refuses new filings; a closed institution too.
import t from 'tap'
import { buildTestApp, login, reviewer } from '../support/http.js'
import { upsertInstitutions, upsertProfessionals } from '../../commands/registry/registry.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS } from '../../commands/registry/demo-registry.js'
import { professionalActor, reviewerActor } from '../../commands/seed/demo-cases.js'
import type { SessionUser } from '../../http/session-store.js'
import { addDays, isoToRoc, taipeiDate } from '../../domain/roc-date.js'

// the registry of the test app is recorded as of today (the real day), so the case runs on today's clock
const env = await buildTestApp(t, {}, { now: new Date().toISOString() })
const today = taipeiDate(new Date().toISOString())
const from = addDays(today, 7)
const to = addDays(today, 60)
const { parts, app } = env
const wang = DEMO_PROFESSIONALS.find((p) => p.nationalId === 'A123456789')!
const terms = (supportedCode: string, from: string, to: string, weekday: 1 | 2 | 3 | 4 | 5) => ({
  supportedCode, department: '02', purpose: '01',
  schedule: { kind: 'weekly' as const, from, to, weekdays: [weekday], windows: [{ start: '18:00', end: '21:00' }] },
})

const filed = await parts.reports.file({ applicantId: wang.nationalId, terms: terms('3563020002', from, to, 2) },
  { commandId: 'effects-file', actor: professionalActor(wang.nationalId) })
const approved = await parts.reports.approve(filed.caseId, {}, { commandId: 'effects-approve', actor: reviewerActor('TPE-R001') })
await parts.waitFor(approved.position)
const caseNumber = filed.state.exists ? filed.state.caseNumber! : ''

const ntpReviewer: SessionUser = { actor: { role: 'reviewer', id: 'NTP-R001', name: '鄭淑惠', via: 'staff-card', county: '65' }, name: '鄭淑惠' }

t.test('no flag while the registry is fine', async (t) => {
  const tpe = await login(app, reviewer())
  const r = await app.inject({ method: 'GET', url: '/review/registry-flags', headers: { cookie: tpe.cookie } })
  t.equal(r.statusCode, 200)
  t.notMatch(r.body, caseNumber)
  t.match(r.body, /目前沒有需要查看的案件/)
})

t.test('a suspended license: on the worklist of the county, on the case file, and new filings refused', async (t) => {
  await upsertProfessionals(env.tdb.db, [{ ...wang, practiceStatus: 'suspended', statusDate: today }])
  const tpe = await login(app, reviewer())
  const list = await app.inject({ method: 'GET', url: '/review/registry-flags', headers: { cookie: tpe.cookie } })
  t.match(list.body, caseNumber)
  t.match(list.body, /醫事人員已停業/)
  const other = await login(app, ntpReviewer)
  const theirs = await app.inject({ method: 'GET', url: '/review/registry-flags', headers: { cookie: other.cookie } })
  t.notMatch(theirs.body, caseNumber, 'not on another county\'s worklist')
  const file = await app.inject({ method: 'GET', url: `/review/cases/${filed.caseId}`, headers: { cookie: tpe.cookie } })
  t.equal(file.statusCode, 200)
  t.match(file.body, /登錄異動：醫事人員已停業/)
  t.match(file.body, `登錄資料（${isoToRoc(today)}）`, 'what the registry said on the day of the decision')
  await t.rejects(parts.reports.file({ applicantId: wang.nationalId, terms: terms('3565010003', from, addDays(from, 27), 3) },
    { commandId: 'effects-refused', actor: professionalActor(wang.nationalId) }), { code: 'PROFESSIONAL_SUSPENDED' })
  await upsertProfessionals(env.tdb.db, [wang])
})

t.test('a closed institution: flagged, and filings to it refused with the side named', async (t) => {
  const clinic = DEMO_INSTITUTIONS.find((i) => i.code === '3563020002')!
  await upsertInstitutions(env.tdb.db, [{ ...clinic, status: 'closed', statusDate: today }])
  const tpe = await login(app, reviewer())
  const list = await app.inject({ method: 'GET', url: '/review/registry-flags', headers: { cookie: tpe.cookie } })
  t.match(list.body, /被支援機構已停業或歇業/)
  await t.rejects(parts.reports.file({ applicantId: 'Q134567894', terms: terms('3563020002', from, addDays(from, 27), 4) },
    { commandId: 'effects-closed', actor: professionalActor('Q134567894') }), { code: 'INSTITUTION_CLOSED', message: /被支援機構「仁愛家醫診所」已歇業/ })
})

t.test('a license ending before the support, and a closed home together with a suspension: one row, every concern', async (t) => {
  const clinic = DEMO_INSTITUTIONS.find((i) => i.code === '3563020002')!
  await upsertInstitutions(env.tdb.db, [clinic])
  const tpe = await login(app, reviewer())
  const listed = async () => (await app.inject({ method: 'GET', url: '/review/registry-flags', headers: { cookie: tpe.cookie } })).body
  const rowsOf = (body: string) => body.split(`>${caseNumber}</a>`).length - 1
  t.equal(rowsOf(await listed()), 0, 'nothing once the clinic is open again')

  await upsertProfessionals(env.tdb.db, [{ ...wang, licenseValidTo: addDays(to, -1) }])
  let body = await listed()
  t.equal(rowsOf(body), 1)
  t.match(body, /執業執照有效期間未涵蓋支援期間/)
  await upsertProfessionals(env.tdb.db, [{ ...wang, licenseValidTo: to }])
  t.equal(rowsOf(await listed()), 0, 'a license to the support\'s last day covers it')

  const home = DEMO_INSTITUTIONS.find((i) => i.code === wang.homeInstitutionCode)!
  await upsertInstitutions(env.tdb.db, [{ ...home, status: 'suspended', statusDate: today }])
  body = await listed()
  t.equal(rowsOf(body), 1, 'the home institution suspended')
  t.match(body, '>執業機構已停業或歇業<')
  await upsertProfessionals(env.tdb.db, [{ ...wang, practiceStatus: 'inactive', statusDate: today, licenseValidTo: addDays(to, -10) }])
  body = await listed()
  t.equal(rowsOf(body), 1, 'found by three routes, listed once')
  t.match(body, '醫事人員已歇業或不在執業登記中；執業執照有效期間未涵蓋支援期間；執業機構已停業或歇業')
  await upsertInstitutions(env.tdb.db, [home])
  await upsertProfessionals(env.tdb.db, [wang])
  t.equal(rowsOf(await listed()), 0)
})
