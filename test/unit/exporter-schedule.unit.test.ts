// The daily job's clock: next EXPORT_AT in Asia/Taipei, and the retry backoff after a failed run.
import t from 'tap'
import { backoffMs, msUntilDaily } from '../../exporter/daily-export.js'
import { yesterday } from '../../exporter/deliver-rosters.js'

t.test('next run at HH:MM Asia/Taipei', async (t) => {
  t.equal(msUntilDaily('01:00', new Date('2024-03-03T00:30:00+08:00')), 30 * 60_000)
  t.equal(msUntilDaily('01:00', new Date('2024-03-03T01:00:00+08:00')), 24 * 3_600_000, 'exactly now: tomorrow')
  t.equal(msUntilDaily('01:00', new Date('2024-03-03T01:00:01+08:00')), 24 * 3_600_000 - 1000)
  t.equal(msUntilDaily('23:59', new Date('2024-03-02T16:00:00Z')), (23 * 60 + 59) * 60_000, 'Taipei midnight = 16:00Z')
})

t.test('backoff doubles from one minute up to an hour', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7, 8, 20].map((a) => backoffMs(a) / 60_000), [1, 2, 4, 8, 16, 32, 60, 60, 60])
})

t.test('yesterday is the Taipei calendar', async (t) => {
  t.equal(yesterday(new Date('2024-03-02T15:59:59.999Z')), '2024-03-01')
  t.equal(yesterday(new Date('2024-03-02T16:00:00.000Z')), '2024-03-02')
})
