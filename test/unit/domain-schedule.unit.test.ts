import fc from 'fast-check'
import t from 'tap'
import { addDays, weekdayOf } from '../../domain/roc-date.js'
import {
  expandSchedule, hoursOf, occurrencesOverlap, scheduleBounds, sessionsOf, validateSchedule, weekdayMask,
} from '../../domain/schedule.js'
import type { Schedule, Weekday } from '../../domain/types.js'

const weekly = (over: Partial<Extract<Schedule, { kind: 'weekly' }>> = {}): Schedule => ({
  kind: 'weekly', from: '2024-03-01', to: '2024-03-31', weekdays: [1, 3], windows: [{ start: '08:00', end: '12:00' }], ...over,
})

t.test('valid schedules pass', async (t) => {
  t.doesNotThrow(() => validateSchedule(weekly()))
  t.doesNotThrow(() => validateSchedule(weekly({ windows: [{ start: '08:00', end: '12:00' }, { start: '12:00', end: '24:00' }] })))
  t.doesNotThrow(() => validateSchedule({ kind: 'sessions', sessions: [{ date: '2024-03-01', start: '08:00', end: '12:00' }, { date: '2024-03-01', start: '13:00', end: '17:00' }] }))
})

t.test('refusals', async (t) => {
  t.throws(() => validateSchedule(weekly({ windows: [{ start: '12:00', end: '08:00' }] })), { code: 'SCHEDULE_END_BEFORE_START' })
  t.throws(() => validateSchedule(weekly({ windows: [{ start: '08:00', end: '08:00' }] })), { code: 'SCHEDULE_END_BEFORE_START' })
  t.throws(() => validateSchedule(weekly({ windows: [{ start: '24:00', end: '24:00' }] })), { code: 'INVALID_TIME' })
  t.throws(() => validateSchedule(weekly({ windows: [{ start: '8:00', end: '12:00' }] })), { code: 'INVALID_TIME' })
  t.throws(() => validateSchedule(weekly({ from: '2024-04-01', to: '2024-03-01' })), { code: 'SCHEDULE_END_BEFORE_START' })
  t.throws(() => validateSchedule(weekly({ from: '2024-02-30' })), { code: 'VALIDATION_FAILED' })
  t.throws(() => validateSchedule(weekly({ weekdays: [] })), { code: 'SCHEDULE_EMPTY' })
  t.throws(() => validateSchedule(weekly({ windows: [] })), { code: 'SCHEDULE_EMPTY' })
  t.throws(() => validateSchedule(weekly({ weekdays: [8 as Weekday] })), { code: 'VALIDATION_FAILED' })
  t.throws(() => validateSchedule(weekly({ from: '2024-03-05', to: '2024-03-05', weekdays: [1] })), { code: 'SCHEDULE_EMPTY' }, 'no Monday in range')
  t.throws(() => validateSchedule(weekly({ windows: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '13:00' }] })), { code: 'SCHEDULE_WINDOWS_OVERLAP' })
  t.throws(() => validateSchedule(weekly({ from: '2024-01-01', to: '2025-01-01' })), { code: 'SCHEDULE_TOO_LONG' })
  t.doesNotThrow(() => validateSchedule(weekly({ from: '2024-01-01', to: '2024-12-31' })), '366 days of a leap year is allowed')
  t.throws(() => validateSchedule({ kind: 'sessions', sessions: [] }), { code: 'SCHEDULE_EMPTY' })
  t.throws(() => validateSchedule({ kind: 'sessions', sessions: [{ date: '2024-03-01', start: '08:00', end: '12:00' }, { date: '2024-03-01', start: '09:00', end: '10:00' }] }), { code: 'SCHEDULE_WINDOWS_OVERLAP' })
  t.throws(() => validateSchedule({ kind: 'sessions', sessions: [{ date: '2024-03-01', start: '13:00', end: '12:00' }] }), { code: 'SCHEDULE_END_BEFORE_START' })
  t.throws(() => validateSchedule({ kind: 'sessions', sessions: [{ date: '2024-01-01', start: '08:00', end: '12:00' }, { date: '2025-01-01', start: '08:00', end: '12:00' }] }), { code: 'SCHEDULE_TOO_LONG' })
})

t.test('expansion, bounds, sessions and hours', async (t) => {
  const os = expandSchedule(weekly({ from: '2024-03-01', to: '2024-03-10', weekdays: [5, 1], windows: [{ start: '13:00', end: '17:00' }, { start: '08:00', end: '12:00' }] }))
  t.same(os, [
    { date: '2024-03-01', start: '08:00', end: '12:00' }, { date: '2024-03-01', start: '13:00', end: '17:00' },
    { date: '2024-03-04', start: '08:00', end: '12:00' }, { date: '2024-03-04', start: '13:00', end: '17:00' },
    { date: '2024-03-08', start: '08:00', end: '12:00' }, { date: '2024-03-08', start: '13:00', end: '17:00' },
  ])
  t.same(expandSchedule({ kind: 'sessions', sessions: [{ date: '2024-03-02', start: '08:00', end: '09:00' }, { date: '2024-03-01', start: '10:00', end: '11:00' }] }).map((o) => o.date), ['2024-03-01', '2024-03-02'])
  t.same(scheduleBounds({ kind: 'sessions', sessions: [{ date: '2024-03-09', start: '08:00', end: '09:00' }, { date: '2024-03-01', start: '10:00', end: '11:00' }] }), { from: '2024-03-01', to: '2024-03-09' })
  t.equal(sessionsOf({ date: '2024-03-01', start: '08:00', end: '11:00' }), 1)
  t.equal(sessionsOf({ date: '2024-03-01', start: '08:00', end: '11:01' }), 2)
  t.equal(sessionsOf({ date: '2024-03-01', start: '08:00', end: '12:00' }), 2)
  t.equal(hoursOf({ date: '2024-03-01', start: '08:00', end: '12:30' }), 4.5)
  t.equal(weekdayMask([1, 3, 5]), '1010100')
  t.equal(weekdayMask([7]), '0000001')
})

t.test('overlap', async (t) => {
  const a = { date: '2024-03-01', start: '08:00', end: '12:00' }
  t.ok(occurrencesOverlap(a, { date: '2024-03-01', start: '11:59', end: '13:00' }))
  t.notOk(occurrencesOverlap(a, { date: '2024-03-01', start: '12:00', end: '13:00' }), 'touching ends do not overlap')
  t.notOk(occurrencesOverlap(a, { date: '2024-03-02', start: '08:00', end: '12:00' }))
  t.ok(occurrencesOverlap(a, { date: '2024-03-01', start: '09:00', end: '10:00' }))
})

const weekdaysArb = fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }) as fc.Arbitrary<Weekday[]>
const windowsArb = fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 }).map((slots) =>
  slots.map((s) => ({ start: `${String(s * 4).padStart(2, '0')}:00`, end: `${String(s * 4 + 3).padStart(2, '0')}:30` })))

t.test('property: weekly expansion = every chosen weekday in range × windows', async (t) => {
  fc.assert(fc.property(
    fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
    fc.integer({ min: 0, max: 365 }), weekdaysArb, windowsArb,
    (d, len, weekdays, windows) => {
      const from = d.toISOString().slice(0, 10)
      const to = addDays(from, len)
      const os = expandSchedule({ kind: 'weekly', from, to, weekdays, windows })
      let days = 0
      for (let i = 0; i <= len; i++) if (weekdays.includes(weekdayOf(addDays(from, i)))) days++
      const sorted = os.every((o, i) => i === 0 || (os[i - 1]!.date < o.date || (os[i - 1]!.date === o.date && os[i - 1]!.start < o.start)))
      return os.length === days * windows.length && sorted &&
        os.every((o) => o.date >= from && o.date <= to && weekdays.includes(weekdayOf(o.date)))
    },
  ))
  t.pass('expansion is exact')
})
