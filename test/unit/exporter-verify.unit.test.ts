// Roster verifier: a good file passes; corrupt width, order, counts, hash, non-ASCII, codes and dates are reported.
import t from 'tap'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DetailDigest, encodeHeader, type RosterDetail } from '../../exporter/roster-format.js'
import { formatVerification, verifyRosterBytes, verifyRosterFile } from '../../exporter/roster-verify.js'
import { runExportCommand } from '../../exporter/cli.js'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import type { EventStore } from '../../commands/event-store/port.js'

const d: RosterDetail = {
  action: 'A',
  caseNumber: '11302280000001',
  nationalId: 'A123456789',
  profession: 'A',
  homeInstitution: '0101090517',
  supportedInstitution: '3501200000',
  department: '01',
  startDate: '1130301',
  endDate: '1130630',
  weekdayMask: '1010100',
  startTime: '0800',
  endTime: '1200',
  approvalDate: '1130301',
  approvalNumber: '1130301000001',
}

function file(details: RosterDetail[], header = { day: '1130301', sequence: 1, senderCode: 'BAOBEI0001', createdAt: '1130302010000' }) {
  const digest = new DetailDigest()
  const body = details.map((x) => digest.add(x)).join('')
  return encodeHeader(header) + body + digest.trailer().line
}
const records = (s: string) => s.split('\r\n').slice(0, -1)
const join2 = (rs: string[]) => rs.map((r) => r + '\r\n').join('')

const good = file([d, { ...d, action: 'C', caseNumber: '11302280000002', nationalId: 'A800000014' }, { ...d, action: 'D', nationalId: 'FA12345670', startDate: '1130415' }])

t.test('a well-formed file is valid, with its summary', async (t) => {
  const v = verifyRosterBytes(Buffer.from(good, 'latin1'), 'SUPPORT_1130301_01.txt')
  t.same(v.errors, [])
  t.ok(v.ok)
  t.same(v.header, { day: '1130301', sequence: 1, senderCode: 'BAOBEI0001', createdAt: '1130302010000' })
  t.equal(v.records, 2 + v.counts.total)
  t.same(v.counts, v.trailer!.counts)
  t.match(formatVerification('SUPPORT_1130301_01.txt', v), /VALID[\s\S]*day 1130301, sequence 01/)
  const empty = verifyRosterBytes(Buffer.from(file([]), 'latin1'))
  t.ok(empty.ok)
  t.equal(empty.counts.total, 0)
})

t.test('corrupt width is reported with the record number', async (t) => {
  const rs = records(good)
  rs[1] = rs[1]!.slice(0, 99)
  const v = verifyRosterBytes(Buffer.from(join2(rs), 'latin1'))
  t.notOk(v.ok)
  t.match(v.errors.join('\n'), /record 2: width 99, expected 100/)
})

t.test('bad counts in the trailer', async (t) => {
  const rs = records(good)
  const tr = rs.at(-1)!
  rs[rs.length - 1] = 'T' + '0000002' + tr.slice(8)
  const v = verifyRosterBytes(Buffer.from(join2(rs), 'latin1'))
  t.notOk(v.ok)
  t.match(v.errors.join('\n'), /count of A records is 2, the file has 1/)
  t.match(v.errors.join('\n'), /total is not the sum/)
})

t.test('a detail record changed after the fact breaks the hash', async (t) => {
  const rs = records(good)
  rs[1] = rs[1]!.slice(0, 64) + '1111111' + rs[1]!.slice(71) // still a valid record, different bytes
  const v = verifyRosterBytes(Buffer.from(join2(rs), 'latin1'))
  t.notOk(v.ok)
  t.equal(v.errors.length, 1)
  t.match(v.errors[0], /SHA-256 [0-9a-f]{64} does not match the detail records/)
})

t.test('non-ASCII bytes are refused', async (t) => {
  const bytes = Buffer.from(good, 'latin1')
  bytes[102 + 90] = 0xe9
  const v = verifyRosterBytes(bytes)
  t.notOk(v.ok)
  t.match(v.errors.join('\n'), /record 2: non-ASCII or control byte 0xe9 at column 91/)
})

t.test('order, CRLF, codes and dates', async (t) => {
  const rs = records(good)
  const swapped = verifyRosterBytes(Buffer.from(join2([rs[1]!, rs[0]!, ...rs.slice(2)]), 'latin1'))
  t.match(swapped.errors.join('\n'), /first record must be the header/)
  t.match(swapped.errors.join('\n'), /header \(H\) not in first position/)
  const noTrailer = verifyRosterBytes(Buffer.from(join2(rs.slice(0, -1)), 'latin1'))
  t.match(noTrailer.errors.join('\n'), /no trailer record/)
  const lf = verifyRosterBytes(Buffer.from(good.replaceAll('\r\n', '\n'), 'latin1'))
  t.match(lf.errors.join('\n'), /record 1: does not end with CRLF/)
  const bad = file([
    { ...d, nationalId: 'A123456788' },
    { ...d, startDate: '1130230' },
    { ...d, startDate: '1130701' },
    { ...d, weekdayMask: '0000000' },
    { ...d, startTime: '1300' },
    { ...d, approvalDate: '1130302' },
    { ...d, startDate: '1130302', endDate: '1130302', weekdayMask: '1000000' },
  ])
  const v = verifyRosterBytes(Buffer.from(bad, 'latin1'))
  const all = v.errors.join('\n')
  t.match(all, /record 2 cols 17-26: "A123456788" is not a valid national or resident ID/)
  t.match(all, /record 3 cols 51-57: start date "1130230" is not a valid ROC date/)
  t.match(all, /record 4: start date 1130701 is after end date 1130630/)
  t.match(all, /record 5 cols 65-71: weekday mask "0000000"/)
  t.match(all, /record 6: start time 1300 is not before end time 1200/)
  t.match(all, /record 7 cols 80-86: approval date 1130302 is not the file date 1130301/)
  t.match(all, /record 8 cols 65-71: weekday mask 1000000 has no day between 1130302 and 1130302/)
  const early = verifyRosterBytes(Buffer.from(file([], { day: '1130301', sequence: 1, senderCode: 'X', createdAt: '1130301235959' }), 'latin1'))
  t.match(early.errors.join('\n'), /created-at 1130301235959 is not after the day 1130301/)
})

t.test('baobei export --verify prints the summary and exits non-zero with the reasons', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'roster-verify-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const okPath = join(dir, 'SUPPORT_1130301_01.txt')
  await writeFile(okPath, good, 'latin1')
  const badPath = join(dir, 'SUPPORT_1130301_02.txt')
  await writeFile(badPath, good.replace('A123456789', 'A12345678X'), 'latin1')
  t.equal((await verifyRosterFile(okPath)).ok, true)
  const capture = () => {
    let text = ''
    return { stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, text: () => text }
  }
  const runtime = { store: {} as EventStore, config: loadConfig({}), logger: createLogger('silent') }
  const o1 = capture()
  t.equal(await runExportCommand(['--verify', okPath], { ...runtime, out: o1.stream, err: o1.stream }), 0)
  t.match(o1.text(), /SUPPORT_1130301_01.txt: VALID/)
  const o2 = capture()
  t.equal(await runExportCommand(['--verify', badPath], { ...runtime, out: o2.stream, err: o2.stream }), 1)
  t.match(o2.text(), /SUPPORT_1130301_02.txt: INVALID/)
  t.match(o2.text(), /file name SUPPORT_1130301_02.txt does not match its header \(SUPPORT_1130301_01.txt\)/)
  t.match(o2.text(), /"A12345678X" is not a valid national or resident ID/)
  t.match(o2.text(), /SHA-256 .* does not match/)
})
