// Read model `read_audit`: one row per RecordViewed (who viewed which case or person, when, through which route),
// feeding the 紀錄查詢 page. Rebuildable from the audit streams.
import type { RecordedEvent } from '../../commands/event-store/port.js'
import { positionToString } from '../../commands/event-store/port.js'
import type { RecordViewed } from '../../domain/events.js'
import type { Projection } from '../projection.js'
import { insertRows, type Columns } from '../sql-rows.js'

export const READ_AUDIT_COLUMNS = {
  event_id: 'text',
  viewed_at: 'timestamptz',
  viewer_id: 'text',
  viewer_name: 'text',
  viewer_role: 'text',
  viewer_county: 'text',
  subject_kind: 'text',
  subject_id: 'text',
  via: 'text',
  position: 'text',
} satisfies Columns

export const readAuditRow = (e: RecordedEvent) => {
  const d = (e as unknown as RecordViewed).data
  return {
    event_id: e.id,
    viewed_at: e.meta.occurredAt,
    viewer_id: d.viewer,
    viewer_name: d.viewerName ?? null,
    viewer_role: d.role,
    viewer_county: d.county ?? null,
    subject_kind: d.subject.kind,
    subject_id: d.subject.id,
    via: d.via,
    position: positionToString(e.position),
  }
}

export const readAuditProjection: Projection = {
  name: 'read_audit',
  tables: ['read_audit'],
  ddl(version) {
    const t = `rm_read_audit_v${version}`
    return `CREATE TABLE IF NOT EXISTS ${t} (
  event_id text PRIMARY KEY,
  viewed_at timestamptz NOT NULL,
  viewer_id text NOT NULL,
  viewer_name text,
  viewer_role text NOT NULL,
  viewer_county text,
  subject_kind text NOT NULL,
  subject_id text NOT NULL,
  via text NOT NULL,
  position text NOT NULL
);
CREATE INDEX IF NOT EXISTS ${t}_viewer ON ${t} (viewer_id, viewed_at);
CREATE INDEX IF NOT EXISTS ${t}_subject ON ${t} (subject_id, viewed_at);
CREATE INDEX IF NOT EXISTS ${t}_at ON ${t} (viewed_at);`
  },
  async handle(events, ctx) {
    const rows = events.filter((e) => e.type === 'RecordViewed').map(readAuditRow)
    await insertRows(ctx.tx, ctx.table('read_audit'), READ_AUDIT_COLUMNS, rows, 'ON CONFLICT (event_id) DO NOTHING')
  },
}
