// 統計分析: 醫事人員類型申辦統計 (per profession), 醫療院所申辦統計 (per supported institution), 各縣市申辦案件審理結果情形
// (per county), for a chosen period, optionally by month; as tables, SVG charts and CSV/Excel downloads.
import { rocMonthLabel } from '../../domain/roc-date.js'
import { FIRST_NAMES, FIRST_REFERENCE, type ReferenceNames } from '../../domain/reference/lists.js'
import { statistics, type StatDimension, type StatisticsRow } from '../../projections/queries/statistics.js'
import type { ReadModels } from '../../projections/queries/read-models.js'
import type { StaffScope } from './staff.js'
import type { Table } from '../tabular.js'

export type StatReport = 'profession' | 'institution' | 'county'

export const STAT_REPORTS: Record<StatReport, { title: string; dimension: StatDimension; label: string }> = {
  profession: { title: '醫事人員類型申辦統計', dimension: 'profession', label: '醫事人員類別' },
  institution: { title: '醫療院所申辦統計', dimension: 'institution', label: '被支援機構' },
  county: { title: '各縣市申辦案件審理結果情形', dimension: 'county', label: '縣市' },
}

export interface StatLine {
  key: string
  label: string
  month?: string
  filed: number
  approved: number
  rejected: number
  returned: number
  cancelled: number
  /** Median review time in whole days (滿日數, filing to decision; x.5 between two middle decisions); null when nothing was decided. */
  medianDays: number | null
}

/** The column of the median: review times are counted in whole days (domain/report/review-time.ts). */
export const MEDIAN_DAYS_LABEL = '審理天數中位數（以日計）'

export async function statLines(
  rm: ReadModels,
  scope: StaffScope,
  report: StatReport,
  q: { from?: string; to?: string; byMonth: boolean },
  institutionName: (code: string) => string | undefined = () => undefined,
  /** Names of professions and counties: the reference lists in force (their first version when not given). */
  names: ReferenceNames = FIRST_NAMES,
  /** The counties in force, in their order (每縣市 lists them all). */
  countiesInForce: readonly { code: string }[] = FIRST_REFERENCE.counties,
): Promise<StatLine[]> {
  const dim = STAT_REPORTS[report].dimension
  const groupBy: StatDimension[] = q.byMonth ? ['month', dim] : [dim]
  const rows: StatisticsRow[] = await statistics(rm, scope, { groupBy, ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) })
  const label = (key: string) =>
    report === 'profession' ? names.profession(key) ?? key : report === 'county' ? names.county(key) ?? key : institutionName(key) ?? key
  const lines: StatLine[] = rows.map((r) => {
    const key = r.group[dim] ?? ''
    return {
      key,
      label: label(key),
      ...(q.byMonth ? { month: r.group.month ?? '' } : {}),
      filed: r.filed,
      approved: r.approved,
      rejected: r.rejected,
      returned: r.returned,
      cancelled: r.cancelled,
      medianDays: r.reviewDaysMedian,
    }
  })
  // 各縣市: every county in scope is listed, those without a case with zeros (all 22 for the ministry)
  if (report === 'county' && !q.byMonth) {
    const listed = new Set(lines.map((l) => l.key))
    const counties = scope.kind === 'national' ? countiesInForce.map((c) => c.code) : [scope.county]
    for (const code of counties) {
      if (!listed.has(code)) lines.push({ key: code, label: label(code), filed: 0, approved: 0, rejected: 0, returned: 0, cancelled: 0, medianDays: null })
    }
    const order = new Map(countiesInForce.map((c, i) => [c.code, i]))
    lines.sort((a, b) => (order.get(a.key) ?? 99) - (order.get(b.key) ?? 99))
  }
  return lines
}


export function statTable(report: StatReport, lines: readonly StatLine[], byMonth: boolean): Table {
  const meta = STAT_REPORTS[report]
  return {
    title: meta.title,
    header: [...(byMonth ? ['月份'] : []), '代碼', meta.label, '申辦件數', '核准', '不核准', '退回', '註銷', MEDIAN_DAYS_LABEL],
    rows: lines.map((l) => [...(byMonth ? [rocMonthLabel(l.month ?? '')] : []), l.key, l.label, l.filed, l.approved, l.rejected, l.returned, l.cancelled, l.medianDays]),
  }
}
