// Queries over the `site_pages` read model: the published pages of a kind (from their date on), one page.
import type { ReadModels } from '../../projections/queries/read-models.js'
import type { SitePageKind } from '../../domain/site/site-page.js'
import type { IsoDate } from '../../domain/types.js'

export interface SitePageRow {
  pageId: string
  kind: SitePageKind
  title: string
  body: string
  publishedOn: IsoDate
  withdrawn: boolean
  updatedAt: string
  updatedBy: string
}

type Raw = { page_id: string; kind: SitePageKind; title: string; body: string; published_on: Date | string; withdrawn: boolean; updated_at: Date | string; updated_by: string }
const iso = (d: Date | string) => (d instanceof Date ? new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10) : String(d).slice(0, 10))
const toRow = (r: Raw): SitePageRow => ({
  pageId: r.page_id, kind: r.kind, title: r.title, body: r.body, publishedOn: iso(r.published_on), withdrawn: r.withdrawn,
  updatedAt: new Date(r.updated_at).toISOString(), updatedBy: r.updated_by,
})

export async function listSitePages(rm: Pick<ReadModels, 'select'>, f: { kind?: SitePageKind; today?: IsoDate; includeWithdrawn?: boolean; includeFuture?: boolean; limit?: number }): Promise<SitePageRow[]> {
  const rows = await rm.select<Raw>('administration', (t) => {
    const where: string[] = []
    const params: unknown[] = []
    if (f.kind) where.push(`kind = $${params.push(f.kind)}`)
    if (!f.includeWithdrawn) where.push('NOT withdrawn')
    if (!f.includeFuture && f.today) where.push(`published_on <= $${params.push(f.today)}::date`)
    const order = f.kind === 'news' || !f.kind ? 'published_on DESC, updated_at DESC' : 'published_on, updated_at'
    return { text: `SELECT page_id, kind, title, body, published_on::text AS published_on, withdrawn, updated_at, updated_by FROM ${t('site_pages')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${Math.min(f.limit ?? 200, 500)}`, params }
  })
  return rows.map(toRow)
}

export async function getSitePage(rm: Pick<ReadModels, 'select'>, pageId: string): Promise<SitePageRow | undefined> {
  const rows = await rm.select<Raw>('administration', (t) => ({ text: `SELECT page_id, kind, title, body, published_on::text AS published_on, withdrawn, updated_at, updated_by FROM ${t('site_pages')} WHERE page_id = $1`, params: [pageId] }))
  return rows[0] ? toRow(rows[0]) : undefined
}
