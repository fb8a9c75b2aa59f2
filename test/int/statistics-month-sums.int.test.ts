// 統計分析 at national size (issue #17): the statistics query reads whole months from the month sums (stat_months)
// and only the days of partially covered months from the facts. On a generated data set, every figure (counts per
// outcome, review count, sum, average, median in whole days) equals the figure computed directly from the
// individual facts, for periods with partial months, open ends, county and institution scopes, a profession
// filter and groupings by month; and the rows the query reads do not change when history outside the period grows.
import t, { type Test } from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { statisticsProjection } from '../../projections/read-models/statistics.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { statistics, statisticsRowsRead, splitPeriod, type StatDimension, type StatisticsQuery, type StatisticsRow } from '../../projections/queries/statistics.js'
import type { Scope } from '../../projections/queries/scope.js'
import { physicalTable } from '../../projections/projection.js'
import { caseEvents, generateCases } from '../support/data-generator.js'
import { lastAppendedPosition, projectionEnv, type ProjectionEnv } from '../support/projection-env.js'
import { liveVersionOf } from '../support/projection-compare.js'
import type { IsoDate } from '../../domain/types.js'

const env = await projectionEnv('bbstatm')
t.teardown(() => env.drop())
const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [statisticsProjection] })
await runner.start()
t.teardown(() => runner.stop())
const rm = await createReadModels(env.db, { ttlMs: 0 })
t.teardown(() => rm.close())

async function load(e: ProjectionEnv, options: Parameters<typeof generateCases>[0]) {
  const all = [...generateCases(options)]
  for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((c) => e.store.append(c.stream, caseEvents(c), 'no_stream')))
  if (!(await runner.waitFor(await lastAppendedPosition(e.db), ['statistics'], 120_000))) throw new Error('the statistics projection did not catch up')
  return all.length
}

interface Fact {
  kind: string
  application_type: string | null
  review_county: string | null
  copied_counties: string[] | null
  profession: string | null
  supported_code: string | null
  home_code: string | null
  national_id: string | null
  day: IsoDate
  month: string
  review_seconds: string | null
}
const facts = async (): Promise<Fact[]> => {
  const table = physicalTable('stat_facts', await liveVersionOf(env.db, 'statistics'))
  return (await env.db.query<Fact>(`SELECT kind, application_type, review_county, copied_counties, profession, supported_code, home_code, national_id,
    to_char(day, 'YYYY-MM-DD') AS day, month, review_seconds::text AS review_seconds FROM ${table}`)).rows
}

const COLUMN: Record<StatDimension, keyof Fact> = {
  county: 'review_county', profession: 'profession', institution: 'supported_code', homeInstitution: 'home_code', month: 'month', applicationType: 'application_type',
}
type Figures = Omit<StatisticsRow, 'group'> & { key: string }
/** The figures computed straight from the facts, by hand: the reference the month sums must equal. */
function fromFacts(all: readonly Fact[], scope: Scope, q: StatisticsQuery): Figures[] {
  const seen = (f: Fact) =>
    scope.kind === 'national' ||
    (scope.kind === 'county' && (f.review_county === scope.county || (f.copied_counties ?? []).includes(scope.county))) ||
    (scope.kind === 'institution' && (f.home_code === scope.code || f.supported_code === scope.code)) ||
    (scope.kind === 'professional' && f.national_id === scope.nationalId)
  const groups = new Map<string, { counts: Record<string, number>; ms: number[] }>()
  for (const f of all) {
    if (!seen(f) || (q.from && f.day < q.from) || (q.to && f.day > q.to)) continue
    if ((q.profession && f.profession !== q.profession) || (q.county && f.review_county !== q.county)) continue
    const key = JSON.stringify(q.groupBy.map((d) => f[COLUMN[d]] ?? ''))
    const g = groups.get(key) ?? { counts: {}, ms: [] }
    g.counts[f.kind] = (g.counts[f.kind] ?? 0) + 1
    if (f.review_seconds !== null) g.ms.push(Math.round(Number(f.review_seconds) * 1000))
    groups.set(key, g)
  }
  return [...groups.entries()].map(([key, g]) => {
    const sum = g.ms.reduce((s, x) => s + x, 0) / 1000
    const days = g.ms.map((x) => Math.floor(x / 86_400_000)).sort((a, b) => a - b)
    const m = Math.floor(days.length / 2)
    return {
      key, filed: g.counts.filed ?? 0, approved: g.counts.approved ?? 0, rejected: g.counts.rejected ?? 0, returned: g.counts.returned ?? 0,
      cancelled: g.counts.cancelled ?? 0, withdrawn: g.counts.withdrawn ?? 0, reviewCount: g.ms.length, reviewSecondsSum: sum,
      reviewSecondsAvg: g.ms.length ? sum / g.ms.length : null,
      reviewDaysMedian: days.length === 0 ? null : days.length % 2 ? days[m]! : (days[m - 1]! + days[m]!) / 2,
    }
  }).sort((a, b) => (a.key < b.key ? -1 : 1))
}
const figuresOf = (rows: StatisticsRow[], q: StatisticsQuery): Figures[] =>
  rows.map(({ group, ...f }) => ({ key: JSON.stringify(q.groupBy.map((d) => group[d] ?? '')), ...f })).sort((a, b) => (a.key < b.key ? -1 : 1))

const n1 = await load(env, { seed: 17, cases: 600, chunkCases: 8, start: '2024-01-08' })
const first = await facts()
const months = [...new Set(first.map((f) => f.month))].sort()
t.comment(`${n1} cases, ${first.length} facts over ${months.join(' ')}`)
const [m1, m2, m3] = [months[0]!, months[1]!, months[2]!]
const lastDay = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10) as IsoDate

const QUERIES: Array<[string, Scope, StatisticsQuery]> = [
  ['all time, no grouping', { kind: 'national' }, { groupBy: [] }],
  ['partial months at both ends, by month and county', { kind: 'national' }, { from: `${m1}-10` as IsoDate, to: `${m3}-20` as IsoDate, groupBy: ['month', 'county'] }],
  ['whole months, a county reviewer (copied cases too), by profession', { kind: 'county', county: '63' }, { from: `${m2}-01` as IsoDate, to: lastDay(m3), groupBy: ['profession'] }],
  ['inside one month, by institution', { kind: 'national' }, { from: `${m2}-05` as IsoDate, to: `${m2}-25` as IsoDate, groupBy: ['institution'] }],
  ['open end from a partial month, nurses only, by county and application type', { kind: 'national' }, { from: `${m1}-15` as IsoDate, groupBy: ['county', 'applicationType'], profession: 'F' }],
  ['open start to a partial month, a county filter, by month', { kind: 'county', county: '65' }, { to: `${m2}-12` as IsoDate, groupBy: ['month'], county: '65' }],
  ['an institution (read from the facts), by home and supported institution', { kind: 'institution', code: first.find((f) => f.kind === 'approved')!.supported_code! }, { groupBy: ['homeInstitution', 'institution'] }],
  ['nurses by institution (no roll-up keeps both: read from the facts)', { kind: 'national' }, { from: `${m1}-20` as IsoDate, to: `${m2}-10` as IsoDate, groupBy: ['institution'], profession: 'F' }],
  ['a person (read from the facts)', { kind: 'professional', nationalId: first[0]!.national_id! }, { groupBy: ['applicationType'] }],
]

t.test('the period split: whole months from the sums, partial months day by day from the facts', async (t) => {
  t.same(splitPeriod('2024-02-10', '2024-04-20'), { months: { from: '2024-03', to: '2024-03' }, days: [['2024-02-10', '2024-02-29'], ['2024-04-01', '2024-04-20']] })
  t.same(splitPeriod('2024-02-01', '2024-04-30'), { months: { from: '2024-02', to: '2024-04' }, days: [] })
  t.same(splitPeriod('2024-02-05', '2024-02-25'), { months: null, days: [['2024-02-05', '2024-02-25']] })
  t.same(splitPeriod('2024-02-01', '2024-02-29'), { months: { from: '2024-02', to: '2024-02' }, days: [] })
  t.same(splitPeriod('2024-02-10', '2024-03-20'), { months: null, days: [['2024-02-10', '2024-02-29'], ['2024-03-01', '2024-03-20']] })
  t.same(splitPeriod('2024-12-15', undefined), { months: { from: '2025-01' }, days: [['2024-12-15', '2024-12-31']] })
  t.same(splitPeriod(undefined, '2024-03-12'), { months: { to: '2024-02' }, days: [['2024-03-01', '2024-03-12']] })
  t.same(splitPeriod(undefined, undefined), { months: {}, days: [] })
  t.same(splitPeriod('2024-03-02', '2024-03-01'), { months: null, days: [] })
})

let halves = 0
const checkAll = (tt: Test, label: string, all: readonly Fact[]) =>
  tt.test(`${label}: every figure equals the figure computed from the individual facts`, async (t) => {
    for (const [name, scope, q] of QUERIES) {
      const want = fromFacts(all, scope, q)
      t.ok(want.length > 0, `${name}: the data set has figures here`)
      t.same(figuresOf(await statistics(rm, scope, q), q), want, name)
      halves += want.filter((w) => w.reviewDaysMedian !== null && !Number.isInteger(w.reviewDaysMedian)).length
    }
  })
t.test('live', async (t) => {
  await checkAll(t, 'live', first)
})

t.test('what the query reads: month sums for whole months, facts for the partial days only', async (t) => {
  const [, , wholeMonths] = QUERIES[2]!
  const whole = await statisticsRowsRead(rm, QUERIES[2]![1], wholeMonths)
  t.equal(whole.stat_facts?.rows ?? 0, 0, 'whole months: no fact read')
  t.ok((whole.stat_months?.rows ?? 0) > 0, 'whole months: month sums read')
  const [, scope, partial] = QUERIES[1]!
  const read = await statisticsRowsRead(rm, scope, partial)
  const edgeFacts = first.filter((f) => (f.day >= partial.from! && f.month === m1) || (f.day <= partial.to! && f.month === m3)).length
  t.equal(read.stat_facts?.rows, edgeFacts, `partial months: exactly the facts of the partial days (${edgeFacts} of ${first.length})`)
  const monthRows = (await env.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${physicalTable('stat_months', await liveVersionOf(env.db, 'statistics'))} WHERE month = $1 AND rollup = 'profession'`, [m2])).rows[0]!.n
  t.equal(read.stat_months?.rows, Number(monthRows), 'the whole month between: its month sums')
  t.comment(`stat_months rows in ${m2}: ${monthRows}; facts in ${m2}: ${first.filter((f) => f.month === m2).length}`)
})

t.test('more history outside the period: the same figures from the same rows read', async (t) => {
  const before = await Promise.all(QUERIES.slice(1, 4).map(([, s, q]) => statisticsRowsRead(rm, s, q)))
  const figures = await Promise.all(QUERIES.slice(1, 4).map(([, s, q]) => statistics(rm, s, q)))
  // later cases, every decision on one day: review times of 0 to 3 days (medians between two days occur)
  const n2 = await load(env, { seed: 29, cases: 600, chunkCases: 8, start: '2025-03-03', decisionDay: '2025-06-16' })
  const all = await facts()
  t.ok(all.length > first.length * 1.8, `history grew: ${first.length} → ${all.length} facts (${n2} more cases)`)
  t.equal(all.filter((f) => f.month <= m3).length, first.filter((f) => f.month <= m3).length, 'the new history lies after the queried months')
  const after = await Promise.all(QUERIES.slice(1, 4).map(([, s, q]) => statisticsRowsRead(rm, s, q)))
  for (let i = 0; i < before.length; i++) {
    t.same(after[i]!.stat_months?.rows, before[i]!.stat_months?.rows, `${QUERIES[i + 1]![0]}: same month-sum rows read`)
    t.same(after[i]!.stat_facts?.rows, before[i]!.stat_facts?.rows, `${QUERIES[i + 1]![0]}: same fact rows read`)
    t.same(await statistics(rm, QUERIES[i + 1]![1], QUERIES[i + 1]![2]), figures[i], `${QUERIES[i + 1]![0]}: same figures`)
  }
  await checkAll(t, 'with more history', all)
  t.ok(halves > 0, `some medians fall between two middle decisions (x.5 days): the even case is exercised (${halves})`)
  // a rebuild writes the facts by COPY and the month sums by upsert, batch by batch: the same figures again
  await runner.rebuild('statistics')
  await checkAll(t, 'after a rebuild', all)
})
