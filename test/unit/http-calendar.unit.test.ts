// The professional's month calendar: whole weeks starting on Sunday, like the seed's 報備支援行事曆.
import t from 'tap'
import { buildCalendar, gridBounds } from '../../http/calendar.js'

t.test('March 2024 starts on Sunday 25 February and ends on Saturday 6 April', async (t) => {
  t.same(gridBounds('2024-03'), { from: '2024-02-25', to: '2024-04-06' })
  const c = buildCalendar('2024-03', '2024-03-10', [
    { date: '2024-03-10', start: '08:00', end: '12:00', caseId: 'c1', caseNumber: null, institutionName: '仁愛家醫診所', status: 'approved' },
  ])
  t.same(c.weekdays, ['日', '一', '二', '三', '四', '五', '六'])
  t.equal(c.weeks.length, 6)
  t.ok(c.weeks.every((w) => w.length === 7), 'whole weeks')
  t.same(c.weeks[0]!.map((d) => Number(d.date.slice(8))), [25, 26, 27, 28, 29, 1, 2], 'the seed\'s first row')
  t.same(c.weeks[2]![0], { date: '2024-03-10', inMonth: true, today: true, entries: [{ date: '2024-03-10', start: '08:00', end: '12:00', caseId: 'c1', caseNumber: null, institutionName: '仁愛家醫診所', status: 'approved', approved: true, kind: 'approved' }] })
})

t.test('a month that begins on a Sunday has no leading days; one that ends on Saturday no trailing ones', async (t) => {
  t.same(gridBounds('2024-09'), { from: '2024-09-01', to: '2024-10-05' })
  t.same(gridBounds('2024-08'), { from: '2024-07-28', to: '2024-08-31' })
})
