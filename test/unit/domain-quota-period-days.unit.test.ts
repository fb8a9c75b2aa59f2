// periodDays: the days of a quota period id are exactly the dates periodOf names by it (the ledger turns period
// bounds into date bounds with it).
import t from 'tap'
import { periodDays, periodOf } from '../../domain/rules/quota.js'
import { addDays } from '../../domain/roc-date.js'

t.test('every day from 2019-12-20 to 2027-01-10: periodOf(day) = id ⇔ first ≤ day < after', async (t) => {
  let checked = 0
  for (let d = '2019-12-20'; d <= '2027-01-10'; d = addDays(d, 1)) {
    for (const kind of ['week', 'month'] as const) {
      const id = periodOf(kind, d)
      const { first, after } = periodDays(kind, id)
      if (!(first <= d && d < after) || periodOf(kind, first) !== id || periodOf(kind, addDays(first, -1)) === id || periodOf(kind, after) === id || periodOf(kind, addDays(after, -1)) !== id) {
        t.fail(`${kind} ${d}: ${id} → [${first}, ${after})`)
        return
      }
      checked++
    }
  }
  t.ok(checked > 5000, `${checked} day-periods`)
  t.same(periodDays('week', '2020-W53'), { first: '2020-12-28', after: '2021-01-04' }, 'a 53rd week across the new year')
  t.same(periodDays('month', '2024-12'), { first: '2024-12-01', after: '2025-01-01' })
  t.same(periodDays('month', '2024-02'), { first: '2024-02-01', after: '2024-03-01' })
})

t.test('a malformed id is refused', async (t) => {
  for (const [kind, id] of [['month', '2024-13'], ['month', '2024-3'], ['month', '2024-W09'], ['week', '2024-03']] as const) {
    t.throws(() => periodDays(kind, id), { code: 'VALIDATION_FAILED' }, `${kind} ${id}`)
  }
})
