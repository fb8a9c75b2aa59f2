import fc from 'fast-check'
import t from 'tap'
import { findConflicts, type ExistingReport } from '../../domain/rules/conflict.js'
import { expandSchedule } from '../../domain/schedule.js'
import type { Occurrence } from '../../domain/types.js'

const o = (date: string, start: string, end: string): Occurrence => ({ date, start, end })

t.test('names the clashing case and the first clashing occurrence', async (t) => {
  const proposed = [o('2024-03-04', '08:00', '12:00'), o('2024-03-05', '08:00', '12:00'), o('2024-03-06', '08:00', '12:00')]
  const existing: ExistingReport[] = [
    { caseId: 'c1', caseNumber: '11302010000001', status: 'approved', occurrences: [o('2024-03-06', '11:00', '13:00'), o('2024-03-05', '10:00', '11:00')] },
    { caseId: 'c2', status: 'under_review', occurrences: [o('2024-03-06', '07:00', '08:30')] },
    { caseId: 'c3', status: 'draft', occurrences: [o('2024-03-04', '08:00', '12:00')] },
    { caseId: 'c4', status: 'rejected', occurrences: [o('2024-03-04', '08:00', '12:00')] },
    { caseId: 'c5', status: 'approved', occurrences: [o('2024-03-04', '12:00', '13:00')] },
  ]
  t.same(findConflicts(proposed, existing), [
    { caseId: 'c1', caseNumber: '11302010000001', status: 'approved', occurrence: proposed[1], clashesWith: o('2024-03-05', '10:00', '11:00') },
    { caseId: 'c2', status: 'under_review', occurrence: proposed[2], clashesWith: o('2024-03-06', '07:00', '08:30') },
  ])
})

t.test('a pending change counts with both terms; a returned change of an in-force case counts with its approved terms', async (t) => {
  const proposed = [o('2024-03-04', '08:00', '12:00'), o('2024-03-11', '08:00', '12:00')]
  const pending: ExistingReport = { caseId: 'p', status: 'under_review', occurrences: [o('2024-03-11', '09:00', '10:00')], pendingOccurrences: [o('2024-03-04', '09:00', '10:00')] }
  t.equal(findConflicts(proposed, [pending])[0]?.occurrence.date, '2024-03-04')
  const returned: ExistingReport = { caseId: 'r', status: 'returned', inForce: true, occurrences: [o('2024-03-11', '09:00', '10:00')] }
  t.equal(findConflicts(proposed, [returned])[0]?.occurrence.date, '2024-03-11')
  t.same(findConflicts(proposed, [{ ...returned, inForce: false }]), [])
})

t.test('big schedules stay fast', async (t) => {
  const year = expandSchedule({ kind: 'weekly', from: '2024-01-01', to: '2024-12-31', weekdays: [1, 2, 3, 4, 5, 6, 7], windows: [{ start: '08:00', end: '09:00' }, { start: '10:00', end: '11:00' }, { start: '14:00', end: '15:00' }] })
  const existing: ExistingReport[] = Array.from({ length: 200 }, (_, i) => ({
    caseId: `c${i}`, status: 'approved' as const,
    occurrences: expandSchedule({ kind: 'weekly', from: '2024-01-01', to: '2024-12-31', weekdays: [1, 2, 3, 4, 5, 6, 7], windows: [{ start: '12:00', end: '13:00' }] }),
  }))
  existing.push({ caseId: 'last', status: 'approved', occurrences: [o('2024-12-31', '14:30', '16:00')] })
  const started = performance.now()
  const found = findConflicts(year, existing)
  t.ok(performance.now() - started < 1000, 'under a second for 1098 × 73201 occurrences')
  t.same(found.map((f) => f.caseId), ['last'])
})

const occArb = fc.record({
  day: fc.integer({ min: 1, max: 9 }),
  s: fc.integer({ min: 0, max: 47 }),
  len: fc.integer({ min: 1, max: 12 }),
}).map(({ day, s, len }) => {
  const e = Math.min(48, s + len)
  const hm = (h: number) => `${String(Math.floor(h / 2)).padStart(2, '0')}:${h % 2 ? '30' : '00'}`
  return o(`2024-03-0${day}`, hm(s), hm(e))
})

t.test('property: conflict is symmetric and agrees with brute force', async (t) => {
  fc.assert(fc.property(fc.array(occArb, { maxLength: 12 }), fc.array(occArb, { maxLength: 12 }), (a, b) => {
    const ab = findConflicts(a, [{ caseId: 'b', status: 'approved', occurrences: b }]).length > 0
    const ba = findConflicts(b, [{ caseId: 'a', status: 'under_review', occurrences: a }]).length > 0
    const brute = a.some((x) => b.some((y) => x.date === y.date && x.start < y.end && y.start < x.end))
    return ab === ba && ab === brute
  }))
  t.pass('symmetric')
})
