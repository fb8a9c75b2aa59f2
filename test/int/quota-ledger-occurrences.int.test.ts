// The quota ledger (報備支援額度: sessions and hours per person or supported institution, per ISO week or month,
// approved and pending apart) is summed from the occurrences read model. Here it must equal the same sums made
// straight from the domain: each case's events folded, its counted occurrences (caseFacts.counted), sessionsOf and
// minutesOf, grouped by periodOf. Bounded periods too (the period ids turned into date bounds).
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { occurrencesProjection } from '../../projections/read-models/occurrences.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { institutionQuota, professionalQuota, type QuotaUse } from '../../projections/queries/quota.js'
import { caseFacts, foldReport } from '../../domain/report/index.js'
import { periodOf } from '../../domain/rules/quota.js'
import { minutesOf, sessionsOf } from '../../domain/schedule.js'
import type { FoldableEvent } from '../../domain/report/state.js'
import { projectionEnv, appendCases } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'

t.test('the ledger = the domain\'s counted occurrences summed', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [occurrencesProjection] })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  const r = rng(4417)
  const cases = Array.from({ length: 160 }, (_, k) => randomCase(r, k % 40))
  t.ok(await runner.waitFor(await appendCases(env.store, cases), undefined, 30_000))

  // the reference, from the domain alone
  const expected = (by: 'person' | 'institution', kind: 'week' | 'month', from?: string, to?: string) => {
    const sums = new Map<string, QuotaUse>()
    for (const c of cases) {
      const s = foldReport(c.events as FoldableEvent[])
      if (!s.exists) continue
      const { inForce, underReview } = caseFacts(s).counted
      for (const [state, counted] of [['approved', inForce], ['pending', underReview]] as const) {
        for (const o of counted?.occurrences ?? []) {
          const period = periodOf(kind, o.date)
          if ((from && period < from) || (to && period > to)) continue
          const key = by === 'person' ? s.applicant.nationalId : counted!.terms.supported.code
          const k = `${key}|${period}`
          const u = sums.get(k) ?? { key, periodKind: kind, period, approvedSessions: 0, approvedHours: 0, pendingSessions: 0, pendingHours: 0 }
          if (state === 'approved') {
            u.approvedSessions += sessionsOf(o)
            u.approvedHours += minutesOf(o) / 60
          } else {
            u.pendingSessions += sessionsOf(o)
            u.pendingHours += minutesOf(o) / 60
          }
          sums.set(k, u)
        }
      }
    }
    return [...sums.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.period < b.period ? -1 : a.period > b.period ? 1 : 0))
  }
  const national = { kind: 'national' } as const
  for (const kind of ['week', 'month'] as const) {
    const people = await professionalQuota(rm, national, undefined, { periodKind: kind })
    t.ok(people.length > 40, `${kind}: ${people.length} person-periods`)
    t.same(people, expected('person', kind), `per person per ${kind}`)
    t.same(await institutionQuota(rm, national, undefined, { periodKind: kind }), expected('institution', kind), `per institution per ${kind}`)
  }
  t.same(await professionalQuota(rm, national, undefined, { periodKind: 'week', fromPeriod: '2024-W14', toPeriod: '2024-W20' }),
    expected('person', 'week', '2024-W14', '2024-W20'), 'weeks 14–20 only')
  t.same(await institutionQuota(rm, national, undefined, { periodKind: 'month', fromPeriod: '2024-04', toPeriod: '2024-05' }),
    expected('institution', 'month', '2024-04', '2024-05'), 'April and May only')
  // a list of people (an institution's staff): exactly their rows, one statement however many
  const all = expected('person', 'month')
  const some = [...new Set(all.map((u) => u.key))].filter((_, i) => i % 3 === 0)
  t.ok(some.length > 5)
  t.same(await professionalQuota(rm, national, [...some, 'Z999999999'], { periodKind: 'month' }), all.filter((u) => some.includes(u.key)), 'the listed people only')
  t.same(await professionalQuota(rm, national, [], { periodKind: 'month' }), [], 'an empty list: nobody')
})
