// A change that moves a case to another county's institution is decided by THAT county: its reviewer approves it
// with a real approval number from that county's sequence (allocated only after the decider's dry run passed), and
// that number stands on the approval PDF and in the NHI roster file. The old county can no longer decide it, and
// its refusal spends no number.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildTestApp, login } from '../support/http.js'
import type { Actor } from '../../domain/types.js'
import { serialStream } from '../../domain/events.js'
import { createLogger } from '../../commands/platform/logger.js'
import { generateRoster } from '../../exporter/generate-roster.js'
import { rosterSourceFor } from '../../exporter/roster-source.js'

const { app, tdb, parts, services } = await buildTestApp(t)
const store = services.store!

const reviewer = (id: string, county: string): Actor => ({ role: 'reviewer', id, name: id, via: 'staff-card', county })
const TPE = reviewer('TPE-R001', '63')
const NTP = reviewer('NTP-R001', '65')
const wang: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
const schedule = { kind: 'weekly' as const, from: '2024-03-04', to: '2024-03-29', weekdays: [1, 3] as (1 | 3)[], windows: [{ start: '08:00', end: '12:00' }] }
const meta = (actor: Actor) => ({ commandId: randomUUID(), actor })
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8').replace(/ +/g, ' ')
/** 2024-02-20 in ROC, the day of every decision below (the test clock). */
const DAY = '1130220'

t.test('a change to another county: decided and numbered by that county, on the PDF and in the roster', async (t) => {
  // 王大明 (臺北) supports 仁愛家醫診所 (臺北, 63): filed, approved by 臺北
  const filed = await parts.reports.file({ applicantId: wang.id, terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule } }, meta(wang))
  const caseId = filed.caseId
  const first = await parts.reports.approve(caseId, {}, meta(TPE))
  const firstNumber = (first.events[0]!.data as { approvalNumber: string }).approvalNumber
  t.equal(firstNumber, `63${DAY}00001`, 'the registration: 臺北市\'s first number of the day')

  // the change moves the support to 板橋康健診所 (新北, 65)
  await parts.reports.requestChange(caseId, { terms: { supportedCode: '3565010003', department: '02', purpose: '01', schedule }, reason: '改至新北支援' }, meta(wang))

  // 臺北 no longer decides it: refused by the decider's dry run, and no 臺北 number is spent
  await t.rejects(parts.reports.approve(caseId, {}, meta(TPE)), { code: 'NOT_IN_COUNTY' })
  t.equal((await store.readStream(serialStream(`approval-63-${DAY}`))).length, 1, '臺北\'s sequence did not move')
  t.equal((await store.readStream(serialStream(`approval-65-${DAY}`))).length, 0, 'nor did 新北\'s')

  // 新北 decides it, with a number from 新北's sequence
  const approved = await parts.reports.approve(caseId, { note: '同意' }, meta(NTP))
  t.equal(approved.events[0]!.type, 'ChangeApproved')
  const number = (approved.events[0]!.data as { approvalNumber: string }).approvalNumber
  t.equal(number, `65${DAY}00001`, '新北市\'s first number of the day')
  t.notMatch(number, /NOT-ALLOCATED/)
  await parts.waitFor(approved.position)

  // the approval form printed by 新北 carries it
  const ntp = await login(app, { actor: NTP, name: '鄭淑惠' })
  const pdf = await app.inject({ url: `/review/cases/${caseId}/approval.pdf`, headers: { cookie: ntp.cookie } })
  t.equal(pdf.statusCode, 200)
  const text = pdfText(pdf.rawPayload)
  t.match(text, number)
  t.match(text, '新北市政府衛生局')

  // and so does the NHI roster of the day: the registration (A) with 臺北's number, the change (C) with 新北's
  const out = await mkdtemp(join(tmpdir(), 'cross-county-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const roster = await generateRoster({
    store, source: rosterSourceFor(store, tdb.db), senderCode: 'BAOBEI0001', logger: createLogger('silent'),
    now: () => new Date('2024-02-21T12:00:00+08:00'), actor: { role: 'system', id: 'exporter', via: 'system' },
  }, '2024-02-20', { outDir: out })
  const details = (await readFile(roster.path, 'latin1')).split('\r\n').filter((l) => l.startsWith('D'))
  t.same(details.map((l) => [l[1], l.slice(38, 48), l.slice(86, 100).trim()]), [
    ['A', '3563020002', firstNumber],
    ['C', '3565010003', number],
  ])
})
