// A schedule in words: one wording for screens, PDFs and history diffs.
import t from 'tap'
import { describeSchedule } from '../../domain/schedule-text.js'

t.test('weekly: period with weekdays, weekdays Monday first, windows as filed', async (t) => {
  const s = describeSchedule({ kind: 'weekly', from: '2024-03-04', to: '2024-03-29', weekdays: [3, 1], windows: [{ start: '08:00', end: '12:00' }, { start: '13:30', end: '17:00' }] })
  t.same(s, {
    period: '1130304 星期一 至 1130329 星期五',
    weekdays: '星期一、星期三',
    windows: '0800–1200、1330–1700',
    sessions: [],
    lines: ['1130304 星期一 至 1130329 星期五', '每週一、三，0800–1200、1330–1700'],
    line: '1130304 星期一 至 1130329 星期五，每週一、三，0800–1200、1330–1700',
  })
})

t.test('dated sessions: in date and time order, each date, time and weekday as the seed writes them', async (t) => {
  const s = describeSchedule({ kind: 'sessions', sessions: [
    { date: '2024-03-09', start: '13:00', end: '17:00' }, { date: '2024-03-02', start: '13:00', end: '24:00' }, { date: '2024-03-02', start: '08:00', end: '12:00' },
  ] })
  t.same(s.sessions, ['1130302 0800 星期六–1200', '1130302 1300 星期六–2400', '1130309 1300 星期六–1700'])
  t.equal(s.period, '1130302 星期六 至 1130309 星期六')
  t.equal(s.weekdays, '指定日期')
  t.same(s.lines, s.sessions)
  t.equal(s.line, s.sessions.join('；'))
  t.equal(s.windows, s.sessions.join('、'))
  t.equal(describeSchedule({ kind: 'sessions', sessions: [] }).period, '')
})
