import fc from 'fast-check'
import t from 'tap'
import {
  addDays, daysBetween, formatRocDateTime, formatRocDateWithWeekday, isIsoDate, isoToRoc, isoWeekId, isoWeekStart,
  isRocDate, monthId, rocTimestamp, rocToIso, taipeiDate, taipeiDateTime, taipeiDayBounds, taipeiInstant, weekdayOf,
  parseRocDate, rocYear, rocPeriodLabel, rocMonthLabel, rocWeekLabel, formatRocInstant, rocDateOrAsGiven, rocDateWeekdayOrAsGiven, shiftMonth, lastDayOf,
} from '../../domain/roc-date.js'
import { clockToHHmm, clockToMinutes, hhmmToClock, isClockTime, isHHmm, minutesToClock, parseHHmm } from '../../domain/clock-time.js'

t.test('ISO ↔ ROC', async (t) => {
  t.equal(isoToRoc('2024-03-01'), '1130301')
  t.equal(isoToRoc('2010-01-01'), '0990101')
  t.equal(isoToRoc('1912-01-01'), '0010101')
  t.equal(rocToIso('1130301'), '2024-03-01')
  t.equal(rocToIso('0990101'), '2010-01-01')
  t.equal(rocToIso('1130229'), '2024-02-29')
  t.throws(() => rocToIso('1120229'), { code: 'INVALID_ROC_DATE' }, '2023-02-29 is not a date')
  t.throws(() => rocToIso('1131301'), { code: 'INVALID_ROC_DATE' })
  t.throws(() => rocToIso('113031'), { code: 'INVALID_ROC_DATE' })
  t.throws(() => rocToIso('0000101'), { code: 'INVALID_ROC_DATE' })
  t.throws(() => isoToRoc('1911-12-31'), { code: 'INVALID_ROC_DATE' })
  t.throws(() => isoToRoc('2024-02-30'), { code: 'INVALID_ROC_DATE' })
  t.notOk(isRocDate('11303a1'))
  t.notOk(isIsoDate('2024-3-1'))
})

t.test('weekday and formatting', async (t) => {
  t.equal(weekdayOf('2024-03-01'), 5)
  t.equal(weekdayOf('2024-03-03'), 7)
  t.equal(weekdayOf('2024-03-04'), 1)
  t.equal(weekdayOf('1970-01-01'), 4)
  t.equal(formatRocDateTime('2024-03-01', '08:00'), '1130301 0800 星期五')
  t.equal(formatRocDateWithWeekday('2024-03-03'), '1130303 星期日')
  t.throws(() => formatRocDateTime('2024-03-01', '8:00'), { code: 'INVALID_TIME' })
})

t.test('Asia/Taipei arithmetic without the process TZ', async (t) => {
  t.equal(taipeiDate('2024-02-29T15:59:59.999Z'), '2024-02-29')
  t.equal(taipeiDate('2024-02-29T16:00:00.000Z'), '2024-03-01')
  t.equal(taipeiDate('2024-03-01T09:00:00+09:00'), '2024-03-01')
  t.same(taipeiDateTime('2024-02-29T16:30:05Z'), { date: '2024-03-01', time: '00:30', second: 5 })
  t.same(taipeiDayBounds('2024-03-01'), ['2024-02-29T16:00:00.000Z', '2024-03-01T16:00:00.000Z'])
  t.equal(taipeiInstant('2024-03-01', '08:00'), '2024-03-01T00:00:00.000Z')
  t.equal(taipeiInstant('2024-03-01', '24:00'), '2024-03-01T16:00:00.000Z')
  t.equal(rocTimestamp('2024-03-01T01:02:03Z'), '1130301090203')
  t.throws(() => taipeiDate('not a time'), { code: 'VALIDATION_FAILED' })
})

t.test('periods and day arithmetic', async (t) => {
  t.equal(isoWeekId('2024-02-26'), '2024-W09')
  t.equal(isoWeekId('2024-03-03'), '2024-W09')
  t.equal(isoWeekId('2021-01-01'), '2020-W53')
  t.equal(isoWeekId('2024-12-30'), '2025-W01')
  t.equal(isoWeekStart('2024-W09'), '2024-02-26')
  t.equal(isoWeekStart('2020-W53'), '2020-12-28')
  t.equal(monthId('2024-03-15'), '2024-03')
  t.equal(addDays('2024-02-28', 1), '2024-02-29')
  t.equal(addDays('2024-03-01', -1), '2024-02-29')
  t.equal(addDays('2023-12-31', 1), '2024-01-01')
  t.equal(daysBetween('2024-01-01', '2024-12-31'), 365)
})

t.test('clock times', async (t) => {
  t.ok(isClockTime('24:00'))
  t.notOk(isClockTime('24:00', false))
  t.notOk(isClockTime('24:01'))
  t.notOk(isClockTime('12:60'))
  t.equal(clockToMinutes('08:30'), 510)
  t.equal(minutesToClock(1440), '24:00')
  t.equal(clockToHHmm('08:05'), '0805')
  t.equal(hhmmToClock('1330'), '13:30')
  t.throws(() => hhmmToClock('2500'), { code: 'INVALID_TIME' })
})

const isoDateArb = fc.date({ min: new Date('1912-01-01T00:00:00Z'), max: new Date('2910-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10))

t.test('property: ROC round-trips for every date of 民國 1–999', async (t) => {
  fc.assert(fc.property(isoDateArb, (iso) => {
    const roc = isoToRoc(iso)
    return roc.length === 7 && isRocDate(roc) && rocToIso(roc) === iso
  }))
  t.pass('round-trips')
})

t.test('property: addDays/daysBetween/weekday agree with Date', async (t) => {
  fc.assert(fc.property(isoDateArb, fc.integer({ min: -4000, max: 4000 }), (iso, n) => {
    const moved = addDays(iso, n)
    const expected = new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000)
    const dow = expected.getUTCDay() === 0 ? 7 : expected.getUTCDay()
    return daysBetween(iso, moved) === n && moved === expected.toISOString().slice(0, 10) && weekdayOf(moved) === dow
  }))
  t.pass('agree')
})

t.test('property: ISO week of a date contains it', async (t) => {
  fc.assert(fc.property(isoDateArb, (iso) => {
    const d = daysBetween(isoWeekStart(isoWeekId(iso)), iso)
    return d >= 0 && d < 7
  }))
  t.pass('contains')
})

t.test('the one ROC and HHmm parsing and labelling (forms, back office, roster, statistics)', async (t) => {
  const cases: [unknown, unknown, string][] = [
    [parseRocDate(' 1130301 '), '2024-03-01', 'ROC as typed, blanks ignored'],
    [parseRocDate('990301'), '2010-03-01', 'six digits: a 民國 year below 100'],
    [parseRocDate('1130230'), undefined, 'not a real date'],
    [parseRocDate(''), undefined, 'empty'],
    [parseRocDate(undefined), undefined, 'absent'],
    [rocYear(2024), 113, '民國 year'],
    [rocPeriodLabel('2024-W09'), '113年第9週', 'ISO week label'],
    [rocPeriodLabel('2024-03'), '113年3月', 'month label'],
    [rocPeriodLabel('x'), 'x', 'other periods as given'],
    [rocMonthLabel('2024-03'), '113年3月', 'statistics month: the one month label of pages and downloads'],
    [rocMonthLabel('2026-12'), '115年12月', 'no western month'],
    [rocWeekLabel('2026-W49'), '115年第49週', 'a week in ROC words'],
    [rocWeekLabel('2020-W53'), '109年第53週', 'the year a week belongs to'],
    [formatRocInstant('2024-03-01T00:00:00.000Z'), '1130301 0800 星期五', 'an instant in Taipei'],
    [rocDateOrAsGiven('2024-03-01'), '1130301', 'template date'],
    [rocDateOrAsGiven('—'), '—', 'template non-date as given'],
    [rocDateOrAsGiven('1900-01-01'), '1900-01-01', 'before 民國 1: as given'],
    [rocDateWeekdayOrAsGiven('2024-03-01'), '1130301 星期五', 'template date with weekday'],
    [parseHHmm('0800'), '08:00', 'HHmm'],
    [parseHHmm('2400'), '24:00', 'end of day'],
    [parseHHmm('2400', false), undefined, 'no end of day for a start'],
    [parseHHmm('0860'), undefined, 'minute 60'],
    [parseHHmm('08:00'), undefined, 'HH:MM is not HHmm'],
    [isHHmm('2359', false), true, 'isHHmm'],
    [isHHmm(800), false, 'not a string'],
  ]
  for (const [got, want, what] of cases) t.equal(got, want, what)
})

t.test('shiftMonth and lastDayOf: month arithmetic across years and leap Februaries', async (t) => {
  t.equal(shiftMonth('2024-12', 1), '2025-01')
  t.equal(shiftMonth('2024-01', -1), '2023-12')
  t.equal(shiftMonth('2024-03', -14), '2023-01')
  t.equal(lastDayOf('2024-02'), '2024-02-29')
  t.equal(lastDayOf('2023-02'), '2023-02-28')
  t.equal(lastDayOf('2024-12'), '2024-12-31')
  t.equal(lastDayOf('2024-04'), '2024-04-30')
})
