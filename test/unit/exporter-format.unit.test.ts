// Roster file encoder (DESIGN.md §6): exact columns, ASCII only, CRLF, refusals.
import t from 'tap'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { DetailDigest, encodeDetail, encodeDetailChecked, encodeHeader, encodeTrailer, rosterFileName, type RosterDetail } from '../../exporter/roster-format.js'
import { termLines } from '../../exporter/day-roster.js'

const detail: RosterDetail = {
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
  approvalDate: '1130229',
  approvalNumber: '1130229000001',
}

t.test('header: H, version, day, sequence, sender, created-at, 65 spaces, CRLF', async (t) => {
  const h = encodeHeader({ day: '1130301', sequence: 1, senderCode: 'BAOBEI0001', createdAt: '1130302010000' })
  t.equal(h, 'H011130301' + '01' + 'BAOBEI0001' + '1130302010000' + ' '.repeat(65) + '\r\n')
  t.equal(h.length, 102)
  t.equal(encodeHeader({ day: '1130301', sequence: 12, senderCode: 'S1', createdAt: '1130302010000' }).slice(10, 22), '12S1        ')
})

t.test('detail: every field at its columns', async (t) => {
  const line = encodeDetail(detail)
  t.equal(
    line,
    'DA' + '11302280000001' + 'A123456789' + 'A ' + '0101090517' + '3501200000' + '01' + '1130301' + '1130630' + '1010100' + '0800' + '1200' + '1130229' + '1130229000001 ' + '\r\n',
  )
  t.equal(line.length, 102)
  const col = (from: number, to: number) => line.slice(from - 1, to)
  t.equal(col(27, 28), 'A ')
  t.equal(col(65, 71), '1010100')
  t.equal(col(87, 100), '1130229000001 ')
})

t.test('non-ASCII, too long or short fields are refused, never cut', async (t) => {
  t.throws(() => encodeDetail({ ...detail, approvalNumber: '府衛字第1號' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeDetail({ ...detail, department: 'é1' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeDetail({ ...detail, approvalNumber: '123456789012345' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeDetail({ ...detail, nationalId: 'A12345678' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeDetail({ ...detail, startTime: '2500' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeDetail({ ...detail, weekdayMask: '10101' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeDetail({ ...detail, caseNumber: '1130228000000\t' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeHeader({ day: '1130301', sequence: 100, senderCode: 'X', createdAt: '1130302010000' }), { code: 'ROSTER_FIELD_INVALID' })
  t.throws(() => encodeHeader({ day: '1130301', sequence: 1, senderCode: 'BAOBEI00001', createdAt: '1130302010000' }), { code: 'ROSTER_FIELD_INVALID' })
})

t.test('encodeDetailChecked (the quick check of a batch): the same bytes and the same refusals as encodeDetail', async (t) => {
  // each field valid, or of another length, or with a control, non-ASCII or out-of-pattern character
  const text = (n: number, valid: fc.Arbitrary<string>) =>
    fc.oneof(
      { arbitrary: valid, weight: 40 },
      fc.string({ maxLength: n + 2 }),
      fc.string({ unit: 'binary', maxLength: n + 1 }),
      fc.constantFrom('', ' '.repeat(n), `${'1'.repeat(n - 1)}\t`),
    )
  const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`))
  const time = fc.oneof({ arbitrary: fc.constantFrom('0000', '0800', '1230', '2359', '2400'), weight: 40 }, digits(4), fc.constantFrom('2401', '0860', '2500'), fc.string({ maxLength: 5 }))
  const field = fc.record({
    action: fc.oneof({ arbitrary: fc.constantFrom('A', 'C', 'D'), weight: 20 }, fc.constantFrom('X', '', 'AA')),
    caseNumber: text(14, digits(14)),
    nationalId: text(10, fc.stringMatching(/^[A-Z][12]\d{8}$/)),
    profession: text(2, fc.stringMatching(/^[A-Z0-9]{1,2}$/)),
    homeInstitution: text(10, digits(10)),
    supportedInstitution: text(10, digits(10)),
    department: text(2, digits(2)),
    startDate: text(7, digits(7)),
    endDate: text(7, digits(7)),
    weekdayMask: text(7, fc.stringMatching(/^[01]{7}$/)),
    startTime: time,
    endTime: time,
    approvalDate: text(7, digits(7)),
    approvalNumber: text(14, fc.stringMatching(/^[A-Z0-9]{1,14}$/)),
  }) as fc.Arbitrary<RosterDetail>
  const outcome = (f: () => string) => {
    try {
      return { line: f() }
    } catch (e) {
      const err = e as { code?: string; details?: { field?: string } }
      return { code: err.code, field: err.details?.field }
    }
  }
  let accepted = 0
  fc.assert(
    fc.property(field, (d) => {
      const slow = outcome(() => encodeDetail(d))
      if ('line' in slow) accepted++
      t.same(outcome(() => encodeDetailChecked(d)), slow)
    }),
    { numRuns: 3000, seed: 17 },
  )
  t.ok(accepted > 30, `valid records among the random ones (${accepted})`)
  // lengths that make up for each other (the record still 100 wide): each field's own length decides (one length
  // check alone is implied by the others and the width; two missing would let these through)
  for (const d of [
    { ...detail, caseNumber: `${detail.caseNumber}1`, nationalId: detail.nationalId.slice(0, 9) },
    { ...detail, nationalId: `${detail.nationalId}1`, homeInstitution: detail.homeInstitution.slice(0, 9) },
    { ...detail, homeInstitution: detail.homeInstitution.slice(0, 9), supportedInstitution: `${detail.supportedInstitution}1` },
    { ...detail, supportedInstitution: detail.supportedInstitution.slice(0, 9), department: '011' },
    { ...detail, department: '011', startDate: '113030' },
    { ...detail, startDate: '113030', endDate: '11306300' },
    { ...detail, endDate: '113063', weekdayMask: '10101001' },
    { ...detail, weekdayMask: '101010', approvalDate: '11302299' },
    { ...detail, approvalDate: '113022', approvalNumber: '11302290000011' },
    { ...detail, startTime: '080', endTime: '12000' },
  ]) {
    const slow = outcome(() => encodeDetail(d))
    t.ok('code' in slow, 'refused by encodeDetail')
    t.same(outcome(() => encodeDetailChecked(d)), slow)
  }
  // a field missing from a malformed event: left to encodeDetail, as before
  const missing = { ...detail, nationalId: undefined as unknown as string }
  t.same(outcome(() => encodeDetailChecked(missing)), outcome(() => encodeDetail(missing)))
  const digest = new DetailDigest()
  t.equal(digest.addAll([detail, { ...detail, action: 'C' }]), encodeDetail(detail) + encodeDetail({ ...detail, action: 'C' }))
  t.same(digest.counts, { add: 1, change: 1, cancel: 0, total: 2 })
})

t.test('trailer: counts and SHA-256 of the detail bytes with their CRLFs', async (t) => {
  const digest = new DetailDigest()
  const lines = [digest.add(detail), digest.add({ ...detail, action: 'C' }), digest.add({ ...detail, action: 'D' }), digest.add({ ...detail, action: 'D' })]
  const { line, sha256 } = digest.trailer()
  t.equal(sha256, createHash('sha256').update(lines.join(''), 'latin1').digest('hex'))
  t.equal(line, 'T' + '0000001' + '0000001' + '0000002' + '0000004' + sha256 + '       ' + '\r\n')
  const empty = new DetailDigest().trailer()
  t.equal(empty.sha256, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  t.equal(empty.line, 'T' + '0'.repeat(28) + empty.sha256 + '       \r\n')
  t.throws(() => encodeTrailer({ add: 1, change: 0, cancel: 0, total: 2 }, empty.sha256), { code: 'ROSTER_FIELD_INVALID' })
})

t.test('file name', async (t) => {
  t.equal(rosterFileName('1130301', 1), 'SUPPORT_1130301_01.txt')
  t.equal(rosterFileName('1130301', 2), 'SUPPORT_1130301_02.txt')
})

t.test('term lines: one per daily window; sessions one per session with its weekday bit; a cancellation from its date', async (t) => {
  const supported = { code: '3501200000', name: 'x', county: '63' }
  const weekly = { supported, department: '01', purpose: 'P1', schedule: { kind: 'weekly' as const, from: '2024-03-01', to: '2024-06-30', weekdays: [5, 1, 3] as (1 | 3 | 5)[], windows: [{ start: '14:00', end: '17:00' }, { start: '08:00', end: '12:00' }] } }
  t.same(termLines(weekly), [
    { startDate: '1130301', endDate: '1130630', weekdayMask: '1010100', startTime: '0800', endTime: '1200' },
    { startDate: '1130301', endDate: '1130630', weekdayMask: '1010100', startTime: '1400', endTime: '1700' },
  ])
  t.same(termLines(weekly, '2024-04-15').map((l) => l.startDate), ['1130415', '1130415'])
  const sessions = { ...weekly, schedule: { kind: 'sessions' as const, sessions: [{ date: '2024-03-10', start: '18:00', end: '24:00' }, { date: '2024-03-02', start: '09:00', end: '12:00' }] } }
  t.same(termLines(sessions), [
    { startDate: '1130302', endDate: '1130302', weekdayMask: '0000010', startTime: '0900', endTime: '1200' },
    { startDate: '1130310', endDate: '1130310', weekdayMask: '0000001', startTime: '1800', endTime: '2400' },
  ])
  t.same(termLines(sessions, '2024-03-05').map((l) => l.startDate), ['1130310'])
})
