// Queries over the read_audit read model (紀錄查詢): filter by viewer, subject and Taipei date range; scoped — a
// county reviewer sees the views made by staff of the same county, national staff see all.
import type { ReadModels } from './read-models.js'
import { taipeiInstant, addDays } from '../../domain/roc-date.js'
import type { CountyCode, IsoDate } from '../../domain/types.js'

export type AuditScope = { kind: 'county'; county: CountyCode } | { kind: 'national' }

export interface ReadAuditFilter {
  viewer?: string
  subjectId?: string
  subjectKind?: 'case' | 'person'
  from?: IsoDate
  to?: IsoDate
  page?: number
  pageSize?: number
}

export interface ReadAuditRow {
  eventId: string
  viewedAt: string
  viewerId: string
  viewerName: string | null
  viewerRole: string
  viewerCounty: string | null
  subjectKind: 'case' | 'person'
  subjectId: string
  via: string
}

export interface ReadAuditPage {
  rows: ReadAuditRow[]
  total: number
  page: number
  pageSize: number
}

export async function queryReadAudit(rm: Pick<ReadModels, 'select'>, scope: AuditScope, f: ReadAuditFilter): Promise<ReadAuditPage> {
  const where: string[] = []
  const params: unknown[] = []
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  if (scope.kind === 'county') where.push(`viewer_county = ${p(scope.county)}`)
  if (f.viewer) where.push(`viewer_id = ${p(f.viewer)}`)
  if (f.subjectId) where.push(`subject_id = ${p(f.subjectId)}`)
  if (f.subjectKind) where.push(`subject_kind = ${p(f.subjectKind)}`)
  if (f.from) where.push(`viewed_at >= ${p(taipeiInstant(f.from))}::timestamptz`)
  if (f.to) where.push(`viewed_at < ${p(taipeiInstant(addDays(f.to, 1)))}::timestamptz`)
  const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const pageSize = Math.min(Math.max(f.pageSize ?? 50, 1), 500)
  const page = Math.max(f.page ?? 1, 1)
  const total = await rm.select<{ n: string }>('read_audit', (t) => ({ text: `SELECT count(*) AS n FROM ${t('read_audit')} ${w}`, params }))
  const rows = await rm.select<{
    event_id: string; viewed_at: Date; viewer_id: string; viewer_name: string | null; viewer_role: string
    viewer_county: string | null; subject_kind: 'case' | 'person'; subject_id: string; via: string
  }>('read_audit', (t) => ({
    text: `SELECT * FROM ${t('read_audit')} ${w} ORDER BY viewed_at DESC, position DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
    params,
  }))
  return {
    total: Number(total[0]?.n ?? 0),
    page,
    pageSize,
    rows: rows.map((r) => ({
      eventId: r.event_id,
      viewedAt: new Date(r.viewed_at).toISOString(),
      viewerId: r.viewer_id,
      viewerName: r.viewer_name,
      viewerRole: r.viewer_role,
      viewerCounty: r.viewer_county,
      subjectKind: r.subject_kind,
      subjectId: r.subject_id,
      via: r.via,
    })),
  }
}
