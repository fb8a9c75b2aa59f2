// casePages (the Excel download of 報備支援案件查詢): every matching case in the query's order, page after page by
// keyset, equals the one-statement ordered result, for every sort in both directions (ties in the sort column,
// nulls last, pages far smaller than the result), stops at maxRows, and keeps to the caller's scope.
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { casesProjection } from '../../projections/read-models/cases.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { CASE_SORTS, casePages, searchCases, type CaseRow, type CaseSort } from '../../projections/queries/cases.js'
import { projectionEnv, appendCases } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'

const env = await projectionEnv()
t.teardown(() => env.drop())
const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [casesProjection] })
await runner.start()
t.teardown(() => runner.stop())
const rm = await createReadModels(env.db)
t.teardown(() => rm.close())
const r = rng(9001)
t.ok(await runner.waitFor(await appendCases(env.store, Array.from({ length: 180 }, (_, k) => randomCase(r, k % 45))), undefined, 30_000))

const national = { kind: 'national' } as const
const all = async <T>(g: AsyncIterable<T[]>) => {
  const out: T[] = []
  const sizes: number[] = []
  for await (const p of g) {
    out.push(...p)
    sizes.push(p.length)
  }
  return { rows: out, sizes }
}
const ids = (rows: readonly CaseRow[]) => rows.map((x) => x.caseId)

t.test('every sort, both directions: the same rows in the same order as one ordered statement', async (t) => {
  for (const sort of Object.keys(CASE_SORTS) as CaseSort[]) {
    for (const direction of ['asc', 'desc'] as const) {
      const one = await searchCases(rm, national, {}, { sort, direction, pageSize: 500, withTotal: false })
      t.ok(one.rows.length > 150, `${one.rows.length} cases`)
      const paged = await all(casePages(rm, national, {}, { sort, direction }, { pageSize: 7, maxRows: 20_000 }))
      t.same(ids(paged.rows), ids(one.rows), `${sort} ${direction}`)
      t.ok(paged.sizes.every((n) => n > 0 && n <= 7) && paged.sizes.length <= Math.ceil(one.rows.length / 7) + 1, `pages of at most 7, none empty (one short where the nulls begin): ${paged.sizes.join(',')}`)
    }
  }
  const sorted = await searchCases(rm, national, {}, { sort: 'approvedAt', direction: 'desc', pageSize: 500, withTotal: false })
  t.ok(sorted.rows.some((x) => x.approvedAt === null) && sorted.rows.some((x) => x.approvedAt !== null), 'the data has nulls in a sort column')
  t.ok(new Set(sorted.rows.map((x) => x.status)).size < sorted.rows.length, 'and ties')
})

t.test('maxRows, a filter and a scope', async (t) => {
  const capped = await all(casePages(rm, national, {}, { sort: 'name', direction: 'asc' }, { pageSize: 20, maxRows: 50 }))
  t.equal(capped.rows.length, 50)
  const one = await searchCases(rm, national, {}, { sort: 'name', direction: 'asc', pageSize: 50, withTotal: false })
  t.same(ids(capped.rows), ids(one.rows))
  const county = (await searchCases(rm, national, {}, { pageSize: 1 })).rows[0]!.reviewCounty
  const scoped = { kind: 'county', county } as const
  const filter = { status: ['under_review', 'approved'] } as const
  const expected = await searchCases(rm, scoped, { ...filter, status: [...filter.status] }, { sort: 'scheduleFrom', direction: 'asc', pageSize: 500, withTotal: false })
  t.ok(expected.rows.length > 0)
  const got = await all(casePages(rm, scoped, { ...filter, status: [...filter.status] }, { sort: 'scheduleFrom', direction: 'asc' }, { pageSize: 3, maxRows: 20_000 }))
  t.same(ids(got.rows), ids(expected.rows))
  t.ok(got.rows.every((x) => x.reviewCounty === county || x.copiedCounties.includes(county)), 'nothing outside the scope')
})
