// Statistics: filings and outcomes (審理結果) per county, profession, institution and month, with review times
// (filing to decision): count, sum, average and median, computed from the per-decision facts.
import type { IsoDate } from '../../domain/types.js'
import type { ReadModels } from '../read-models.js'
import { scopeWhere, type Scope, type ScopeColumns } from './scope.js'

const STAT_SCOPE: ScopeColumns = {
  nationalId: 'national_id',
  institutions: ['home_code', 'supported_code'],
  counties: '(ARRAY[review_county] || copied_counties)',
}

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
  const rows = await rm.select<Record<string, string | null>>('statistics', (t) => {
    const params: unknown[] = []
    const w = [scopeWhere(scope, STAT_SCOPE, params)]
    const p = (v: unknown) => (params.push(v), `$${params.length}`)
    if (q.from) w.push(`day >= ${p(q.from)}::date`)
    if (q.to) w.push(`day <= ${p(q.to)}::date`)
    if (q.profession) w.push(`profession = ${p(q.profession)}`)
    if (q.county) w.push(`review_county = ${p(q.county)}`)
    const cols = dims.map((d) => `${STAT_DIMENSIONS[d]} AS "${d}"`)
    const n = (k: string) => `count(*) FILTER (WHERE kind = '${k}') AS ${k}`
    return {
      text: `SELECT ${[...cols, n('filed'), n('approved'), n('rejected'), n('returned'), n('cancelled'), n('withdrawn'),
               'count(review_seconds) AS review_count', 'coalesce(sum(review_seconds), 0) AS review_sum',
               'avg(review_seconds) AS review_avg',
               'percentile_cont(0.5) WITHIN GROUP (ORDER BY review_seconds) AS review_median'].join(', ')}
             FROM ${t('stat_facts')} WHERE ${w.join(' AND ')}
             ${dims.length ? `GROUP BY ${dims.map((d) => STAT_DIMENSIONS[d]).join(', ')} ORDER BY ${dims.map((d) => STAT_DIMENSIONS[d]).join(', ')}` : ''}`,
      params,
    }
  })
  return rows
    .filter((r) => dims.length > 0 || Number(r.filed) + Number(r.approved) + Number(r.rejected) + Number(r.returned) + Number(r.cancelled) + Number(r.withdrawn) > 0)
    .map((r) => ({
      group: Object.fromEntries(dims.map((d) => [d, r[d] ?? ''])),
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
