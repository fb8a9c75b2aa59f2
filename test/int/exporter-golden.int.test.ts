// Golden test of the daily roster: filings, approvals, changes, cancellations, rejections, returns and an imported
// case across three days, written as real events into a real PostgreSQL event store; the expected records of
// each day are written out literally. Only approvals appear, in log order; a change carries the full new terms; a
// cancellation carries its effective date; the Asia/Taipei midnight boundary is exact.
import t from 'tap'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateRoster, type ExportContext } from '../../exporter/generate-roster.js'
import { readExportHistory } from '../../exporter/export-history.js'
import { portRosterSource, postgresRosterSource } from '../../exporter/roster-source.js'
import { verifyRosterFile } from '../../exporter/roster-verify.js'
import { runExportCommand } from '../../exporter/cli.js'
import { applicant, caseWriter, exporterEnv, institution, noFindings, routing, terms } from './exporter-fixtures.js'

const C1 = '00000000-0000-4000-8000-000000000001'
const C2 = '00000000-0000-4000-8000-000000000002'
const C3 = '00000000-0000-4000-8000-000000000003'
const C4 = '00000000-0000-4000-8000-000000000004'
const C5 = '00000000-0000-4000-8000-000000000005'
const C6 = '00000000-0000-4000-8000-000000000006'

const c1Terms = terms('3501200000', '01', { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [1, 3, 5], windows: [{ start: '14:00', end: '17:00' }, { start: '08:00', end: '12:00' }] })
const c1Change = terms('3503030033', '02', { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [2, 4], windows: [{ start: '18:00', end: '21:00' }] })
const c1ChangeFixed = terms('3503030033', '02', { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [2, 4, 6], windows: [{ start: '18:00', end: '21:30' }] })
const c2Draft = terms('3502010022', '00', { kind: 'sessions', sessions: [{ date: '2024-03-20', start: '09:00', end: '12:00' }] })
const c2Edited = terms('3502010022', '00', { kind: 'sessions', sessions: [{ date: '2024-03-20', start: '09:00', end: '12:00' }, { date: '2024-03-27', start: '13:30', end: '17:30' }] })
const c2Resubmitted = terms('3502010022', '00', { kind: 'sessions', sessions: [{ date: '2024-04-06', start: '09:00', end: '12:00' }, { date: '2024-03-27', start: '13:30', end: '17:30' }] })
const c4Terms = terms('3501200000', '00', { kind: 'weekly', from: '2024-01-01', to: '2024-12-31', weekdays: [6], windows: [{ start: '09:00', end: '12:00' }] })
const c5Terms = terms('3501200000', '40', { kind: 'weekly', from: '2024-03-05', to: '2024-05-31', weekdays: [2, 4], windows: [{ start: '19:00', end: '21:00' }] })

// ---- the expected files, literally ----
const D1_DETAILS = [
  'DA11303010000001A123456789A 010109051735012000000111303111130630101010008001200' + '1130301' + 'A1130301001   ',
  'DA11303010000001A123456789A 010109051735012000000111303111130630101010014001700' + '1130301' + 'A1130301001   ',
]
const D2_DETAILS = [
  // c2: approved at 16:00:00.000Z = D2 00:00 Taipei; the resubmitted sessions, sorted, one record each
  'DA11303010000002F131069535F 010202001135020100220011303271130327001000013301730' + '1130302' + 'F1130302001   ',
  'DA11303010000002F131069535F 010202001135020100220011304061130406000001009001200' + '1130302' + 'F1130302001   ',
  // c5: registration approved
  'DA11303010000003A800000014C 010109051735012000004011303051130531010100019002100' + '1130302' + 'C1130302002   ',
]
const D3_DETAILS = [
  // c5 cancelled from 2024-04-01: the cancelled terms, start date = effective date
  'DD11303010000003A800000014C 010109051735012000004011304011130531010100019002100' + '1130303' + 'C1130303002   ',
  // c1 change, approved after a return and resubmission: the full new terms as resubmitted
  'DC11303010000001A123456789A 010109051735030300330211303111130630010101018002130' + '1130303' + 'A1130303003   ',
  // c4 (imported: the import itself is never sent) cancelled from 2024-03-15; earlier business time than c1's change, later in the log
  'DD11212200000099FA12345670D 010303004435012000000011303151131231000001009001200' + '1130303' + 'D1130303004   ',
]

function expectedFile(day: string, createdAt: string, details: string[], sequence = '01') {
  const body = details.map((d) => d + '\r\n').join('')
  const sha = createHash('sha256').update(body, 'latin1').digest('hex')
  const count = (a: string) => String(details.filter((d) => d[1] === a).length).padStart(7, '0')
  const header = `H01${day}${sequence}BAOBEI0001${createdAt}${' '.repeat(65)}\r\n`
  const trailer = `T${count('A')}${count('C')}${count('D')}${String(details.length).padStart(7, '0')}${sha}       \r\n`
  return header + body + trailer
}

t.test('three days of decisions → three literal files; re-generation is byte-identical; late events are refused loudly', async (t) => {
  for (const d of [...D1_DETAILS, ...D2_DETAILS, ...D3_DETAILS]) t.equal(d.length, 100, `fixture width: ${d}`)
  const env = await exporterEnv(t)
  const write = caseWriter(env.store)
  const out = await mkdtemp(join(tmpdir(), 'roster-golden-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  let now = new Date('2024-03-02T02:00:00+08:00')
  const ctx: ExportContext = {
    store: env.store,
    source: postgresRosterSource(env.db, { pageSize: 2 }), // tiny pages: paging is exercised
    senderCode: 'BAOBEI0001',
    logger: env.logger,
    now: () => now,
    actor: { role: 'system', id: 'exporter', via: 'system' },
  }

  // ---- day 1 (2024-03-01 Taipei) and the first event of day 2 ----
  const c1Applicant = applicant('A123456789', 'A', '0101090517')
  await write(C1, '2024-02-29T17:00:00.000Z',
    { type: 'ReportDrafted', data: { caseId: C1, applicant: c1Applicant, filedBy: { role: 'professional', id: 'A123456789' }, terms: c1Terms, routing, attachments: [] } },
    { type: 'ReportSubmitted', data: { caseNumber: '11303010000001', findings: noFindings } })
  await write(C2, '2024-03-01T01:00:00.000Z',
    { type: 'ReportDrafted', data: { caseId: C2, applicant: applicant('F131069535', 'F', '0102020011'), filedBy: { role: 'institution', id: '0102020011' }, terms: c2Draft, routing, attachments: [] } },
    { type: 'DraftEdited', data: { terms: c2Edited, routing } },
    { type: 'ReportSubmitted', data: { caseNumber: '11303010000002', findings: noFindings } })
  await write(C3, '2024-03-01T01:30:00.000Z',
    { type: 'ReportDrafted', data: { caseId: C3, applicant: applicant('B240000006', 'D', '0103030044'), filedBy: { role: 'professional', id: 'B240000006' }, terms: c5Terms, routing, attachments: [] } },
    { type: 'ReportSubmitted', data: { caseNumber: '11303010000004', findings: noFindings } })
  await write(C4, '2024-03-01T02:00:00.000Z', {
    type: 'ReportImported',
    data: { caseId: C4, legacyNumber: 'L-0099', caseNumber: '11212200000099', status: 'approved', applicationType: 'register', applicant: applicant('FA12345670', 'D', '0103030044'), terms: c4Terms, routing, approvedAt: '2024-03-01T02:00:00.000Z', approvalNumber: 'LEGACY0099' },
  })
  await write(C5, '2024-03-01T02:30:00.000Z',
    { type: 'ReportDrafted', data: { caseId: C5, applicant: applicant('A800000014', 'C', '0101090517'), filedBy: { role: 'professional', id: 'A800000014' }, terms: c5Terms, routing, attachments: [] } },
    { type: 'ReportSubmitted', data: { caseNumber: '11303010000003', findings: noFindings } })
  await write(C2, '2024-03-01T05:00:00.000Z', { type: 'ReportReturned', data: { reviewerId: 'R001', reason: '時段請修正', fieldsToFix: ['schedule'] } })
  await write(C3, '2024-03-01T06:00:00.000Z', { type: 'ReportRejected', data: { reviewerId: 'R001', reason: '不符規定' } })
  await write(C2, '2024-03-01T08:00:00.000Z', { type: 'ReportResubmitted', data: { terms: c2Resubmitted, routing, findings: noFindings } })
  await write(C1, '2024-03-01T15:59:59.999Z', { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: 'A1130301001' } }) // 23:59:59.999 Taipei: day 1
  await write(C2, '2024-03-01T16:00:00.000Z', { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: 'F1130302001' } }) // 00:00:00.000 Taipei: day 2

  const d1 = await generateRoster(ctx, '2024-03-01', { outDir: out })
  t.equal(d1.fileName, 'SUPPORT_1130301_01.txt')
  t.equal(d1.recorded, true)
  const d1Bytes = await readFile(join(out, 'SUPPORT_1130301_01.txt'), 'latin1')
  t.equal(d1Bytes, expectedFile('1130301', '1130302020000', D1_DETAILS))
  t.same(d1.counts, { add: 2, change: 0, cancel: 0, total: 2 })

  // ---- later days ----
  await write(C5, '2024-03-02T01:00:00.000Z', { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: 'C1130302002' } })
  await write(C1, '2024-03-02T02:00:00.000Z', { type: 'ChangeRequested', data: { terms: c1Change, routing, reason: '改支援他院', findings: noFindings } })
  await write(C5, '2024-03-02T03:00:00.000Z', { type: 'ChangeRequested', data: { terms: { ...c5Terms, department: '41' }, routing, reason: '改科別', findings: noFindings } })
  await write(C5, '2024-03-02T04:00:00.000Z', { type: 'ChangeRejected', data: { reviewerId: 'R001', reason: '不符規定' } })
  await write(C1, '2024-03-02T06:00:00.000Z', { type: 'ChangeReturned', data: { reviewerId: 'R001', reason: '時間請修正', fieldsToFix: ['schedule'] } })
  await write(C6, '2024-03-02T07:00:00.000Z',
    { type: 'ReportDrafted', data: { caseId: C6, applicant: c1Applicant, filedBy: { role: 'professional', id: 'A123456789' }, terms: c1Terms, routing, attachments: [] } },
    { type: 'ReportWithdrawn', data: { applicationType: 'register' } })
  await write(C1, '2024-03-02T16:30:00.000Z', { type: 'ReportResubmitted', data: { terms: c1ChangeFixed, routing, findings: noFindings } })
  await write(C5, '2024-03-03T01:00:00.000Z', { type: 'CancellationRequested', data: { effectiveDate: '2024-04-01', reason: '離職' } })
  await write(C5, '2024-03-03T02:00:00.000Z', { type: 'CancellationApproved', data: { reviewerId: 'R001', approvalNumber: 'C1130303002' } })
  await write(C1, '2024-03-03T05:00:00.000Z', { type: 'ChangeApproved', data: { reviewerId: 'R001', approvalNumber: 'A1130303003' } })
  await write(C4, '2024-03-03T02:30:00.000Z', { type: 'CancellationRequested', data: { effectiveDate: '2024-03-15', reason: '合約終止' } })
  // Earlier business time than c1's change approval, later in the log: the file follows the log.
  await write(C4, '2024-03-03T03:00:00.000Z', { type: 'CancellationApproved', data: { reviewerId: 'R001', approvalNumber: 'D1130303004' } })
  // Day 4: only a rejection.
  await write(C3, '2024-03-04T03:00:00.000Z', { type: 'ReportRejected', data: { reviewerId: 'R001', reason: '再次不符' } })

  now = new Date('2024-03-05T09:00:00+08:00')
  const again = await generateRoster(ctx, '2024-03-01', { outDir: out })
  t.equal(again.recorded, false, 'already recorded: checked, not recorded twice')
  t.equal(await readFile(join(out, 'SUPPORT_1130301_01.txt'), 'latin1'), d1Bytes, 'day 1 re-generated after later events: byte-identical')

  now = new Date('2024-03-03T01:00:00+08:00')
  await generateRoster(ctx, '2024-03-02', { outDir: out })
  t.equal(await readFile(join(out, 'SUPPORT_1130302_01.txt'), 'latin1'), expectedFile('1130302', '1130303010000', D2_DETAILS))
  now = new Date('2024-03-04T01:00:00+08:00')
  const d3 = await generateRoster(ctx, '2024-03-03', { outDir: out })
  t.equal(await readFile(join(out, 'SUPPORT_1130303_01.txt'), 'latin1'), expectedFile('1130303', '1130304010000', D3_DETAILS))
  t.same(d3.counts, { add: 0, change: 1, cancel: 2, total: 3 })
  now = new Date('2024-03-05T01:00:00+08:00')
  await generateRoster(ctx, '2024-03-04', { outDir: out })
  t.equal(await readFile(join(out, 'SUPPORT_1130304_01.txt'), 'latin1'), expectedFile('1130304', '1130305010000', []), 'a day without decisions: header and a trailer of zeros')

  for (const f of ['SUPPORT_1130301_01.txt', 'SUPPORT_1130302_01.txt', 'SUPPORT_1130303_01.txt', 'SUPPORT_1130304_01.txt']) {
    const v = await verifyRosterFile(join(out, f))
    t.same(v.errors, [], `${f} passes the verifier`)
  }

  // Through the port alone (any adapter): the same bytes (checked against the recorded sha256 by generateRoster).
  const portOut = await mkdtemp(join(tmpdir(), 'roster-golden-port-'))
  t.teardown(() => rm(portOut, { recursive: true, force: true }))
  for (const day of ['2024-03-01', '2024-03-02', '2024-03-03']) {
    const g = await generateRoster({ ...ctx, source: portRosterSource(env.store, { pageSize: 3 }) }, day, { outDir: portOut })
    t.equal(await readFile(g.path, 'latin1'), await readFile(join(out, g.fileName), 'latin1'), `${day} through the port: identical`)
  }

  const h = await readExportHistory(env.store, '2024-03-01')
  t.equal(h.generated.size, 1)
  t.equal(h.version, 1, 'one RosterGenerated for day 1 however often it is generated')
  t.match(h.generated.get(1), { day: '2024-03-01', sequence: 1, fileName: 'SUPPORT_1130301_01.txt', createdAt: '1130302020000', counts: { add: 2, change: 0, cancel: 0, total: 2 } })

  // A backdated approval lands in day 1 after its file was recorded: re-generating must refuse, loudly.
  await write(C5, '2024-03-01T10:00:00.000Z', { type: 'ChangeRequested', data: { terms: c5Terms, routing, reason: 'x', findings: noFindings } })
  await write(C5, '2024-03-01T10:00:01.000Z', { type: 'ChangeApproved', data: { reviewerId: 'R001', approvalNumber: 'LATE' } })
  await t.rejects(generateRoster(ctx, '2024-03-01', { outDir: out }), { code: 'ROSTER_NOT_REPRODUCIBLE' })
  t.equal(await readFile(join(out, 'SUPPORT_1130301_01.txt'), 'latin1'), d1Bytes, 'the recorded file is left as it was')
  t.same((await readdir(out)).filter((f) => f.startsWith('.')), [], 'no temporary files left behind')
})

t.test('a day not over yet is refused; baobei export --day writes the file', async (t) => {
  const env = await exporterEnv(t)
  const out = await mkdtemp(join(tmpdir(), 'roster-cli-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const write = caseWriter(env.store)
  await write(C1, '2024-03-01T01:00:00.000Z',
    { type: 'ReportDrafted', data: { caseId: C1, applicant: applicant('A123456789', 'A', '0101090517'), filedBy: { role: 'professional', id: 'A123456789' }, terms: c1Terms, routing, attachments: [] } },
    { type: 'ReportSubmitted', data: { caseNumber: '11303010000001', findings: noFindings } },
    { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: 'A1130301001' } })
  let text = ''
  const sink = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream
  const runtime = { ...env, out: sink, err: sink }
  t.equal(await runExportCommand(['--day', '1130301', '--out', out], { ...runtime, now: () => new Date('2024-03-02T00:04:00+08:00') }), 1)
  t.match(text, /ROSTER_DAY_NOT_OVER/)
  text = ''
  t.equal(await runExportCommand(['--day', '1130301', '--out', out], { ...runtime, now: () => new Date('2024-03-02T00:05:00+08:00') }), 0)
  t.match(text, /SUPPORT_1130301_01.txt: A=2 C=0 D=0 total=2/)
  t.match(text, /recorded RosterGenerated/)
  t.equal(await readFile(join(out, 'SUPPORT_1130301_01.txt'), 'latin1'), expectedFile('1130301', '1130302000500', D1_DETAILS))
  text = ''
  t.equal(await runExportCommand(['--day', '1130301', '--out', out], { ...runtime, now: () => new Date('2024-04-01T00:00:00+08:00') }), 0)
  t.match(text, /already generated: content identical/)
  t.equal(await runExportCommand(['--day', '1130231', '--out', out], runtime), 1)
  t.equal(await runExportCommand(['--deliver', '--verify', 'x'], runtime), 2)
  void institution
})
