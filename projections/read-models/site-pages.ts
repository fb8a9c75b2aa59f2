// Read model `site_pages`: the public portal's pages as last published (withdrawn ones kept, flagged), for the
// public pages and 網站資料管理.
import type { RecordedEvent } from '../../commands/event-store/port.js'
import type { SitePageEvent } from '../../domain/site/site-page.js'
import type { Projection } from '../projection.js'

export const sitePagesProjection: Projection = {
  name: 'site_pages',
  tables: ['site_pages'],
  ddl(version) {
    const t = `rm_site_pages_v${version}`
    return `CREATE TABLE IF NOT EXISTS ${t} (
  page_id text PRIMARY KEY,
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  published_on date NOT NULL,
  withdrawn boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);
CREATE INDEX IF NOT EXISTS ${t}_kind ON ${t} (kind, published_on DESC);`
  },
  async handle(events, ctx) {
    const t = ctx.table('site_pages')
    for (const raw of events) {
      const e = raw as unknown as RecordedEvent & SitePageEvent
      if (e.type === 'SitePagePublished') {
        await ctx.tx.query(
          `INSERT INTO ${t} (page_id, kind, title, body, published_on, withdrawn, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, false, $6, $7)
           ON CONFLICT (page_id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, body = EXCLUDED.body,
             published_on = EXCLUDED.published_on, withdrawn = false, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
          [e.data.pageId, e.data.kind, e.data.title, e.data.body, e.data.publishedOn, e.meta.occurredAt, e.meta.actor.name ?? e.meta.actor.id],
        )
      } else if (e.type === 'SitePageWithdrawn') {
        await ctx.tx.query(`UPDATE ${t} SET withdrawn = true, updated_at = $2, updated_by = $3 WHERE page_id = $1`, [e.data.pageId, e.meta.occurredAt, e.meta.actor.name ?? e.meta.actor.id])
      }
    }
  },
}
