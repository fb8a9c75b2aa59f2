// Statistics: filings and outcomes (審理結果) per county, profession, institution and month, with review times
// (filing to decision): count, sum and average in seconds, and the median in whole days (滿日數, the rule is
// domain/report/review-time.ts).
//
// Where the figures come from: whole months of the period from the month sums (`stat_months`, in the roll-up that
// keeps the query's columns: counts, review-second sums and per-whole-day counts of each group), the days of a
// partially covered first or last month from the facts
// (`stat_facts`), both summed by one query; the median is read off the merged per-day counts. So the rows read
// grow with the number of groups and months asked for, and with at most two partial months of facts, never with
// the whole history. Scopes the month sums cannot answer (an institution, a person) and groupings no roll-up keeps
// (home institution; profession with institution) read the facts over the whole period, through the same sums and
// the same median.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'
import type { IsoDate } from '../../domain/types.js'
import { addDays } from '../../domain/roc-date.js'
import type { ReadModels } from './read-models.js'
import { dateParam, rowsRead, run, type QueryContext, type TableRowsRead } from './kysely.js'
import type { Scope } from './scope.js'
import { STAT_ROLLUPS, type StatRollup } from '../read-models/statistics.js'

export const STAT_DIMENSIONS = {
  county: 'review_county',
  profession: 'profession',
  institution: 'supported_code',
  homeInstitution: 'home_code',
  month: 'month',
  applicationType: 'application_type',
} as const
export type StatDimension = keyof typeof STAT_DIMENSIONS

export interface StatisticsQuery {
  /** Taipei calendar days, inclusive. */
  from?: IsoDate
  to?: IsoDate
  groupBy: StatDimension[]
  profession?: string
  county?: string
}

export interface StatisticsRow {
  group: Partial<Record<StatDimension, string>>
  filed: number
  approved: number
  rejected: number
  returned: number
  cancelled: number
  withdrawn: number
  /** Decisions with a measured review time. */
  reviewCount: number
  reviewSecondsSum: number
  reviewSecondsAvg: number | null
  /** Median of the decisions' review times in whole days (x.5 when the two middle decisions differ by a day). */
  reviewDaysMedian: number | null
}

const KINDS = ['filed', 'approved', 'rejected', 'returned', 'cancelled', 'withdrawn'] as const

const monthStart = (month: string): IsoDate => `${month}-01` as IsoDate
const monthEnd = (month: string): IsoDate => addDays(monthStart(addDays(monthStart(month), 31).slice(0, 7)), -1)

/**
 * A period split into whole months (read from the month sums) and the days of partially covered months (read from
 * the facts). Open ends are whole months to the first or last month there is.
 */
export function splitPeriod(from: IsoDate | undefined, to: IsoDate | undefined): { months: { from?: string; to?: string } | null; days: [IsoDate, IsoDate][] } {
  if (from && to && from > to) return { months: null, days: [] }
  const fromMonth = from?.slice(0, 7)
  const toMonth = to?.slice(0, 7)
  const fromWhole = !from || from === monthStart(fromMonth!)
  const toWhole = !to || to === monthEnd(toMonth!)
  if (from && to && fromMonth === toMonth) return fromWhole && toWhole ? { months: { from: fromMonth!, to: toMonth! }, days: [] } : { months: null, days: [[from, to]] }
  const days: [IsoDate, IsoDate][] = []
  if (!fromWhole) days.push([from!, monthEnd(fromMonth!)])
  if (!toWhole) days.push([monthStart(toMonth!), to!])
  const first = fromWhole ? fromMonth : addDays(monthStart(fromMonth!), 31).slice(0, 7)
  const last = toWhole ? toMonth : addDays(monthStart(toMonth!), -1).slice(0, 7)
  const months = first && last && first > last ? null : { ...(first ? { from: first } : {}), ...(last ? { to: last } : {}) }
  return { months, days }
}

/**
 * The roll-up of the month sums this query reads: the first that keeps every column it groups or filters by, in a
 * national or county scope; undefined when it must read the facts (an institution's or a person's scope, the home
 * institution, profession with institution).
 */
export function rollupFor(scope: Scope, q: Pick<StatisticsQuery, 'groupBy' | 'profession' | 'county'>): StatRollup | undefined {
  if (scope.kind !== 'national' && scope.kind !== 'county') return undefined
  const needs: string[] = [...q.groupBy.filter((d) => d !== 'month').map((d) => STAT_DIMENSIONS[d]), ...(q.profession ? ['profession'] : []), ...(q.county ? ['review_county'] : [])]
  return (Object.keys(STAT_ROLLUPS) as StatRollup[]).find((r) => needs.every((c) => (STAT_ROLLUPS[r] as readonly string[]).includes(c)))
}

type SumRow = { [K in (typeof KINDS)[number]]: string | null } & { review_count: string | null; review_sum: string | null; review_median: string | null } & Record<string, unknown>

function sumsQuery(c: QueryContext, scope: Scope, q: StatisticsQuery, dims: StatDimension[]) {
  const rollup = rollupFor(scope, q)
  const useMonths = rollup !== undefined
  const period = useMonths ? splitPeriod(q.from, q.to) : { months: null, days: [] }
  const filters = (eb: { (l: string, op: '=', r: string): Expression<SqlBool> }) => {
    const w: Expression<SqlBool>[] = []
    if (q.profession) w.push(eb('profession', '=', q.profession))
    if (q.county) w.push(eb('review_county', '=', q.county))
    return w
  }
  const months = () => c.from('stat_months', scope)
    .where((eb) => {
      const w = [...filters(eb as never), eb('rollup', '=', rollup ?? '')]
      if (!period.months) w.push(sql<SqlBool>`FALSE`)
      else {
        if (period.months.from) w.push(eb('month', '>=', period.months.from))
        if (period.months.to) w.push(eb('month', '<=', period.months.to))
      }
      return eb.and(w)
    })
    .select((eb) => [
      ...dims.map((d) => eb.ref(STAT_DIMENSIONS[d] as Exclude<(typeof STAT_DIMENSIONS)[StatDimension], 'home_code'>).as(d) /* never home_code: rollupFor */),
      'kind', 'review_days', 'n',
      sql<string>`${eb.ref('review_ms')} / 1000.0`.as('review_sum'),
    ])
  const facts = c.from('stat_facts', scope)
    .where((eb) => {
      const w = filters(eb as never)
      if (useMonths) {
        w.push(period.days.length ? eb.or(period.days.map(([a, b]) => eb.and([eb('day', '>=', dateParam(a)), eb('day', '<=', dateParam(b))]))) : sql<SqlBool>`FALSE`)
      } else {
        if (q.from) w.push(eb('day', '>=', dateParam(q.from)))
        if (q.to) w.push(eb('day', '<=', dateParam(q.to)))
      }
      return eb.and(w)
    })
    .select((eb) => [
      ...dims.map((d) => sql<string>`coalesce(${eb.ref(STAT_DIMENSIONS[d])}, '')`.as(d)),
      'kind',
      sql<number>`coalesce(${eb.ref('review_days')}, -1)`.as('review_days'),
      sql<string>`1::bigint`.as('n'),
      sql<string>`coalesce(${eb.ref('review_seconds')}, 0)`.as('review_sum'),
    ])
  const refs = dims.map((d) => sql.ref(d))
  const list = (prefix: string, suffix = ''): RawBuilder<unknown> => (dims.length ? sql`${sql.raw(prefix)}${sql.join(refs)}${sql.raw(suffix)}` : sql``)
  // the median of the merged per-day counts: the mean of the values at the two middle positions (one when odd)
  const body = sql<SumRow>`(WITH src AS (${useMonths ? sql`${months()} UNION ALL ` : sql``}${facts}),
    tot AS (SELECT ${dims.length ? sql`${sql.join(refs)}, ` : sql``}${sql.join(KINDS.map((k) => sql`sum(n) FILTER (WHERE kind = ${k}) AS ${sql.ref(k)}`))},
      sum(n) FILTER (WHERE review_days >= 0) AS review_count, sum(review_sum) AS review_sum FROM src ${list('GROUP BY ')}),
    hist AS (SELECT ${dims.length ? sql`${sql.join(refs)}, ` : sql``}review_days, sum(n) AS n FROM src WHERE review_days >= 0 GROUP BY ${dims.length ? sql`${sql.join(refs)}, ` : sql``}review_days),
    cum AS (SELECT ${dims.length ? sql`${sql.join(refs)}, ` : sql``}review_days, sum(n) OVER (${list('PARTITION BY ')} ORDER BY review_days) AS upto, sum(n) OVER (${list('PARTITION BY ')}) AS total FROM hist),
    med AS (SELECT ${dims.length ? sql`${sql.join(refs)}, ` : sql``}(min(review_days) FILTER (WHERE upto >= floor((total + 1) / 2)) + min(review_days) FILTER (WHERE upto >= floor(total / 2) + 1)) / 2.0 AS review_median
      FROM cum ${list('GROUP BY ')})
    SELECT tot.*, med.review_median FROM tot ${dims.length ? sql`LEFT JOIN med USING (${sql.join(refs)})` : sql`LEFT JOIN med ON TRUE`} ${list('ORDER BY ')})`
  return c.db.selectFrom(body.as('r')).selectAll()
}

export async function statistics(rm: ReadModels, scope: Scope, q: StatisticsQuery): Promise<StatisticsRow[]> {
  const dims = [...new Set(q.groupBy)]
  const rows = (await run(rm, 'statistics', (c) => sumsQuery(c, scope, q, dims))) as SumRow[]
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))
  return rows
    .filter((r) => dims.length > 0 || KINDS.some((k) => num(r[k]) > 0))
    .map((r) => {
      const reviewCount = num(r.review_count)
      const reviewSecondsSum = num(r.review_sum)
      return {
        group: Object.fromEntries(dims.map((d) => [d, String(r[d] ?? '')])),
        filed: num(r.filed),
        approved: num(r.approved),
        rejected: num(r.rejected),
        returned: num(r.returned),
        cancelled: num(r.cancelled),
        withdrawn: num(r.withdrawn),
        reviewCount,
        // the sum counts only decisions with a review time (the others add 0)
        reviewSecondsSum,
        reviewSecondsAvg: reviewCount ? reviewSecondsSum / reviewCount : null,
        reviewDaysMedian: r.review_median === null || r.review_median === undefined ? null : Number(r.review_median),
      }
    })
}

/** What the statistics query reads per table (stat_months, stat_facts) for this scope and query: bench and tests. */
export const statisticsRowsRead = (rm: ReadModels, scope: Scope, q: StatisticsQuery): Promise<Record<string, TableRowsRead>> =>
  rowsRead(rm, 'statistics', (c) => sumsQuery(c, scope, q, [...new Set(q.groupBy)]))
