// Statistics: filings and outcomes (審理結果) per county, profession, institution and month, with review times
// (filing to decision): count, sum, average and median, computed from the per-decision facts.
import { sql, type Expression, type SqlBool } from 'kysely'
import type { IsoDate } from '../../domain/types.js'
import type { ReadModels } from './read-models.js'
import { dateParam, run } from './kysely.js'
import type { Scope } from './scope.js'

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
  reviewSecondsMedian: number | null
}

export async function statistics(rm: ReadModels, scope: Scope, q: StatisticsQuery): Promise<StatisticsRow[]> {
  const dims = [...new Set(q.groupBy)]
  const KINDS = ['filed', 'approved', 'rejected', 'returned', 'cancelled', 'withdrawn'] as const
  const rows = await run(rm, 'statistics', ({ from }) => {
    let query = from('stat_facts', scope)
      .where((eb) => {
        const w: Expression<SqlBool>[] = []
        if (q.from) w.push(eb('day', '>=', dateParam(q.from)))
        if (q.to) w.push(eb('day', '<=', dateParam(q.to)))
        if (q.profession) w.push(eb('profession', '=', q.profession))
        if (q.county) w.push(eb('review_county', '=', q.county))
        return eb.and(w)
      })
      .select((eb) => [
        ...dims.map((d) => eb.ref(STAT_DIMENSIONS[d]).as(d)),
        ...KINDS.map((k) => sql<string>`count(*) FILTER (WHERE ${eb.ref('kind')} = ${k})`.as(k)),
        eb.fn.count<string>('review_seconds').as('review_count'),
        eb.fn.coalesce(eb.fn.sum<string>('review_seconds'), sql<string>`0`).as('review_sum'),
        eb.fn.avg<string>('review_seconds').as('review_avg'),
        sql<string | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${eb.ref('review_seconds')})`.as('review_median'),
      ])
    for (const d of dims) query = query.groupBy(STAT_DIMENSIONS[d]).orderBy(STAT_DIMENSIONS[d])
    return query
  })
  return rows
    .filter((r) => dims.length > 0 || Number(r.filed) + Number(r.approved) + Number(r.rejected) + Number(r.returned) + Number(r.cancelled) + Number(r.withdrawn) > 0)
    .map((r) => ({
      group: Object.fromEntries(dims.map((d) => [d, (r as Record<string, unknown>)[d] ?? ''])),
      filed: Number(r.filed),
      approved: Number(r.approved),
      rejected: Number(r.rejected),
      returned: Number(r.returned),
      cancelled: Number(r.cancelled),
      withdrawn: Number(r.withdrawn),
      reviewCount: Number(r.review_count),
      reviewSecondsSum: Number(r.review_sum),
      reviewSecondsAvg: r.review_avg === null || r.review_avg === undefined ? null : Number(r.review_avg),
      reviewSecondsMedian: r.review_median === null || r.review_median === undefined ? null : Number(r.review_median),
    }))
}
