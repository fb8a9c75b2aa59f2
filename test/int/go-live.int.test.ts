// Go-live day (issue #11 "done when"): a new deployment is loaded from a registry snapshot and a legacy export of
// real-looking people (no demo rows involved), and then every imported person can log in with their card and see
// their imported cases: in 報備支援名單, in the calendar, on their institution's dashboard; the county's reviewer
// counts them in the statistics. A case the old system cancelled (已註銷) is shown with its dates and counts for
// nothing: not in the calendar, no conflict for a new filing, never in the roster.
// (An imported approved case changed here, approved and sent in the roster as a change: legacy-import.int.test.ts.)
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { issueDemoCard } from '../../commands/pki/demo-pki.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { importRegistry } from '../../commands/registry/registry-import.js'
import { legacyMigrations } from '../../commands/legacy/legacy-migrations.js'
import { importLegacy } from '../../commands/legacy/legacy-import.js'
import { legacyCaseId } from '../../commands/legacy/legacy-ids.js'
import { makePersonId } from '../../domain/national-id.js'
import { isoToRoc, taipeiDate } from '../../domain/roc-date.js'
import { settledRosterDetails } from '../support/roster-details.js'
import { postgresRosterSource } from '../../exporter/roster-source.js'
import { login, reviewer } from '../support/http.js'
import { buildLoginApp, certificateB64, getChallenge, loginPost, openLoginPage, signAsCard } from '../support/login.js'
import { INSTITUTION_COLUMNS, LEGACY_COLUMNS, PROFESSIONAL_COLUMNS, writeCsv, type Cells } from '../support/registry-files.js'

const h = await buildLoginApp(t)
const { app, tdb, parts, clock } = h
await runMigrations(tdb.db, legacyMigrations)
const dir = await mkdtemp(join(tmpdir(), 'bb-golive-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

// dates relative to the test's today, as the old system's export writes them (民國年)
const today = taipeiDate(clock.now.toISOString())
const day = (offset: number) => taipeiDate(new Date(Date.parse(`${today}T04:00:00Z`) + offset * 86_400_000).toISOString())
const roc = (offset: number) => isoToRoc(day(offset)).replace(/\D/g, '').padStart(7, '0')

// the registry snapshot of 醫事管理系統: two hospitals and a clinic in 臺北市, three physicians
const HOSPITAL = '0401180014'
const CLINIC = '3501170000'
const OTHER_CLINIC = '3501170011'
const LIN = makePersonId('F', '2', 2604417) // 林怡君
const CHEN = makePersonId('A', '1', 1987654) // 陳志明
const HSU = makePersonId('E', '1', 5550123) // 許文彥
const inst = (code: string, name: string, kind: string): Cells => ({
  機構代碼: code, 機構名稱: name, 縣市代碼: '63', 鄉鎮市區: '大安區', 機構類別: kind, 機構狀態: '開業', 醫師數: '40', 藥師數: '6', 每週診次: '200',
})
const prof = (id: string, name: string, license: string, home: string): Cells => ({
  身分證號: id, 姓名: name, 醫事人員類別: 'A', 職業科別: '02', 執照字號: '醫字', 執照號碼: license, 執照起日: '1050801', 執照迄日: '1201231',
  執業狀態: '執業', 執業機構代碼: home, 電話: '0933123456', 健保卡號: `0000${id.slice(-8)}`, 出生日期: '0720315', 性別: id[1] === '2' ? '女' : '男',
})
await writeCsv(join(dir, 'institutions.csv'), INSTITUTION_COLUMNS, [
  inst(HOSPITAL, '國泰綜合醫院', '區域醫院'), inst(CLINIC, '安和內科診所', '診所'), inst(OTHER_CLINIC, '信義家庭醫學科診所', '診所'),
])
await writeCsv(join(dir, 'professionals.csv'), PROFESSIONAL_COLUMNS, [
  prof(LIN, '林怡君', '041230', HOSPITAL), prof(CHEN, '陳志明', '038811', HOSPITAL), prof(HSU, '許文彥', '052277', HOSPITAL),
])

// the old system's last full export
const legacy = (o: Partial<Cells>): Cells => ({
  案件編號: '', 身分證號: LIN, 姓名: '林怡君', 醫事人員類別: 'A', 執業機構代碼: HOSPITAL, 被支援機構代碼: CLINIC, 支援科別: '02', 支援目的: '01',
  支援方式: '每週', 開始日期: roc(-30), 結束日期: roc(90), 星期: '2', 時段: '0900-1200', 指定時段: '', 送審日期: roc(-60), 申請類別: '登錄',
  申請進度: '已核准', 核准日期: roc(-45), 核准文號: '北市衛醫字1130001', 註銷日期: '', ...o,
})
const APPROVED = '11308010000101'
const CANCELLED = '11308010000102'
const PENDING = '11308010000103'
await writeCsv(join(dir, 'legacy.csv'), LEGACY_COLUMNS, [
  legacy({ 案件編號: APPROVED }),
  // cancelled in the old system from a day still ahead: even its days before that count for nothing here
  legacy({ 案件編號: CANCELLED, 被支援機構代碼: OTHER_CLINIC, 星期: '4', 時段: '1400-1700', 核准文號: '北市衛醫字1130002', 申請進度: '已註銷', 註銷日期: roc(40) }),
  legacy({ 案件編號: PENDING, 身分證號: CHEN, 姓名: '陳志明', 開始日期: roc(20), 申請進度: '審核中', 核准日期: '', 核准文號: '' }),
])

const operator = { role: 'operator' as const, id: 'go-live', via: 'cli' as const }
const pkiDir = { dir: h.pkiDir }
const linActor = { role: 'professional' as const, id: LIN, name: '林怡君', via: 'hca-professional-card' as const, institutionCode: HOSPITAL }

/** The card flow of the login page, the proof computed with the demo PKI's card for that holder. */
async function cardLogin(role: 'professional' | 'institution', holderId: string, name: string): Promise<string> {
  const card = issueDemoCard({ kind: role, holderId, name, pin: '246810' }, pkiDir)
  const pre = await openLoginPage(app)
  const challenge = await getChallenge(app, pre)
  const r = await loginPost(app, pre, '/login/card', { role, challenge, certificate: certificateB64(card), signature: signAsCard(card, challenge) })
  if (r.status !== 200 || !r.session) throw new Error(`card login ${role} ${holderId}: ${r.status} ${JSON.stringify(r.json)}`)
  return r.session
}
const get = (cookie: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie } })

t.test('the registry snapshot and the legacy export load with the README\'s commands', async (t) => {
  const reg = await importRegistry(tdb.db, {
    mode: 'full', asOf: today, actor: operator, now: clock.now.toISOString(),
    institutions: join(dir, 'institutions.csv'), professionals: join(dir, 'professionals.csv'),
  })
  t.equal(reg.errorCount, 0, JSON.stringify(reg.errors))
  t.match(reg, { applied: true, institutions: { recorded: 3 }, professionals: { recorded: 3 } })
  const c = await importLegacy(tdb.db, join(dir, 'legacy.csv'), { actor: operator, now: clock.now.toISOString() })
  t.same(c, { read: 3, imported: 3, alreadyThere: 0, rejected: 0, changed: 0, reconciled: true })
  await parts.waitFor(await h.services.store!.headPosition())
})

t.test('an imported professional logs in with their card and sees their imported cases', async (t) => {
  const lin = await cardLogin('professional', LIN, '林怡君')
  const list = await get(lin, '/reports')
  t.equal(list.statusCode, 200)
  t.match(list.body, APPROVED, '報備支援名單: the approved case')
  t.match(list.body, CANCELLED, '報備支援名單: the cancelled case')
  t.notMatch(list.body, PENDING, 'not someone else\'s')
  t.match(list.body, /已註銷/)
  const api = (await get(lin, '/api/cases')).json() as { rows: { caseNumber: string; status: string }[] }
  t.same(api.rows.map((i) => [i.caseNumber, i.status]).sort(), [[APPROVED, 'approved'], [CANCELLED, 'cancelled']])

  // the calendar of a month with a Tuesday and a Thursday of both cases: the approved one only
  const month = day(7).slice(0, 7)
  const cal = await get(lin, `/home/calendar?month=${month}`)
  t.equal(cal.statusCode, 200)
  t.match(cal.body, /安和內科診所/, 'the approved case is on the calendar')
  t.notMatch(cal.body, /信義家庭醫學科診所/, 'the cancelled one is not')

  // the case file of the cancelled case: 已註銷 with its 註銷生效日, nothing to do on it
  const file = await get(lin, `/reports/${legacyCaseId(CANCELLED)}`)
  t.equal(file.statusCode, 200)
  t.match(file.body, /已註銷/)
  t.match(file.body, /註銷生效日/)
  t.notMatch(file.body, new RegExp(`/reports/${legacyCaseId(CANCELLED)}/(change|cancel)`), 'no change or cancellation offered')
  const other = await get(lin, `/reports/${legacyCaseId(PENDING)}`)
  t.not(other.statusCode, 200, 'another person\'s case stays closed')

  const chen = await cardLogin('professional', CHEN, '陳志明')
  t.match((await get(chen, '/reports')).body, PENDING, 'the other imported person sees theirs')
})

t.test('the imported institution logs in and sees its staff\'s imported cases on its dashboard', async (t) => {
  const hospital = await cardLogin('institution', HOSPITAL, '國泰綜合醫院')
  const dash = (await get(hospital, '/api/institution/dashboard')).json() as { validSupportPeople: number; asHome: Record<string, number> }
  t.match(dash, { validSupportPeople: 1, asHome: { approved: 1, under_review: 1, cancelled: 1 } }, 'its staff\'s imported cases counted, 林怡君 supporting now')
  const approved = JSON.stringify((await get(hospital, '/api/cases?side=home&status=approved')).json())
  t.match(approved, APPROVED)
  t.match(JSON.stringify((await get(hospital, '/api/cases?side=home&status=under_review')).json()), PENDING)
  const page = await get(hospital, '/institution')
  t.equal(page.statusCode, 200)
  t.match(page.body, /林怡君|陳志明/)
})

t.test('the county\'s reviewer counts the imported cases in the statistics', async (t) => {
  const r = await login(app, reviewer())
  const csv = await get(r.cookie, `/review/statistics.csv?report=county&from=${roc(-400)}&to=${roc(400)}`)
  t.equal(csv.statusCode, 200)
  const lines = csv.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((l) => l.split(','))
  const head = lines[0]!
  const total = lines.find((l) => l.some((c) => /臺北市|63/.test(c)))
  t.ok(total, csv.body)
  const col = (name: RegExp) => Number(total![head.findIndex((c) => name.test(c))])
  t.equal(col(/申辦/), 3, 'three filings (送審日期)')
  t.equal(col(/^核准/), 2, 'two approvals (核准日期)')
  t.equal(col(/註銷/), 1, 'one cancellation')
})

t.test('the cancelled case counts for nothing: a new filing over its days is no conflict, and no roster carries it', async (t) => {
  // the next Thursday inside the cancelled case's period, before its 註銷日期
  let d = 1
  while (new Date(`${day(d)}T00:00:00Z`).getUTCDay() !== 4) d++
  const filed = await parts.reports.file({
    applicantId: LIN,
    terms: { supportedCode: CLINIC, department: '02', purpose: '01', schedule: { kind: 'sessions', sessions: [{ date: day(d), start: '14:00', end: '17:00' }] } },
  }, { commandId: 'golive-over-cancelled', actor: linActor })
  t.ok(filed.state.exists && filed.state.status === 'under_review', 'filed without SCHEDULE_CONFLICT')
  // and the approved one still conflicts (the rule is not off)
  let tue = 1
  while (new Date(`${day(tue)}T00:00:00Z`).getUTCDay() !== 2) tue++
  await t.rejects(parts.reports.file({
    applicantId: LIN,
    terms: { supportedCode: OTHER_CLINIC, department: '02', purpose: '01', schedule: { kind: 'sessions', sessions: [{ date: day(tue), start: '10:00', end: '11:00' }] } },
  }, { commandId: 'golive-over-approved', actor: linActor }), { code: 'SCHEDULE_CONFLICT', details: { caseNumber: APPROVED } })
  const details = await settledRosterDetails(postgresRosterSource(tdb.db), today)
  t.notOk(details.some((x) => [APPROVED, CANCELLED, PENDING].includes(x.caseNumber)), 'the import reaches no roster')
})
