// Test fixtures for the exporter: a real PostgreSQL event store in a fresh database, and a writer of catalogue
// events (constructed directly, not through the deciders) with a chosen business time.
import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import type { EventStore } from '../../commands/event-store/port.js'
import { loadConfig, type Config } from '../../commands/platform/config.js'
import type { Database } from '../../commands/platform/database.js'
import { createLogger, type Logger } from '../../commands/platform/logger.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import type { ReportEvent } from '../../domain/events.js'
import { reportStream } from '../../domain/events.js'
import type { ApplicantSnapshot, InstitutionRef, Routing, Schedule, Terms } from '../../domain/types.js'
import { freshDatabase } from '../support/db.js'

export interface ExporterTestEnv {
  db: Database
  store: EventStore
  config: Config
  logger: Logger
}

export async function exporterEnv(t: Test, env: Record<string, string> = {}): Promise<ExporterTestEnv> {
  const tdb = await freshDatabase('exp')
  t.teardown(() => tdb.drop())
  await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
  const store = createPostgresEventStore(tdb.db)
  t.teardown(() => store.close())
  return { db: tdb.db, store, config: loadConfig({ ROSTER_SENDER_CODE: 'BAOBEI0001', ...env }), logger: createLogger('silent') }
}

export const institution = (code: string, county = '63'): InstitutionRef => ({ code, name: `機構${code}`, county })

export const applicant = (nationalId: string, profession: string, home: string): ApplicantSnapshot => ({
  nationalId,
  name: '王小明',
  profession,
  licenseNumber: `LIC-${nationalId}`,
  licenseValidFrom: '2020-01-01',
  licenseValidTo: '2030-12-31',
  practiceStatus: 'active',
  home: institution(home),
})

export const terms = (supported: string, department: string, schedule: Schedule): Terms => ({
  supported: institution(supported),
  department,
  purpose: '01',
  schedule,
  note: '支援門診（中文備註不進名冊）',
})

export const routing: Routing = { reviewCounty: '63', copiedCounties: [] }
export const noFindings = { conflicts: [], quota: [] }

/** Appends report events to the case's stream (reportStream) with the given business time (ISO instant). */
export function caseWriter(store: EventStore) {
  return async (caseId: string, occurredAt: string, ...events: Array<{ type: ReportEvent['type']; data: unknown }>) => {
    const commandId = randomUUID()
    await store.append(
      reportStream(caseId),
      events.map((e) => ({
        type: e.type,
        data: e.data,
        meta: { commandId, actor: { role: 'reviewer' as const, id: 'R001', via: 'staff-card' as const }, correlationId: commandId, causationId: commandId, occurredAt },
      })),
      'any',
    )
  }
}

/**
 * Bulk-loads `n` registrations approved on 2024-03-01 (Taipei) straight into the PostgreSQL store's table with one
 * statement (for scale tests: appending 3n events one command at a time would only measure the store).
 */
export async function bulkLoadApprovals(db: Database, n: number) {
  const meta = (at: string) => `jsonb_build_object('commandId', 'cmd-' || i || '-' || ${at === 'draft' ? "'d'" : "'a'"}, 'actor', jsonb_build_object('role', 'reviewer', 'id', 'R001', 'via', 'staff-card'),
    'correlationId', 'c' || i, 'causationId', 'c' || i, 'occurredAt', ${at === 'draft' ? "'2024-03-01T01:00:00.000Z'" : "to_char(timestamptz '2024-03-01T02:00:00Z' + (i % 36000) * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"})`
  await db.exec(`
    SET TIME ZONE 'UTC';
    INSERT INTO events (event_id, stream_id, stream_version, type, data, meta)
    SELECT gen_random_uuid(), '${reportStream('')}' || i, v.version, v.type, v.data, v.meta
    FROM generate_series(1, ${n}) AS i
    CROSS JOIN LATERAL (VALUES
      (1, 'ReportDrafted', jsonb_build_object('caseId', i::text,
        'applicant', jsonb_build_object('nationalId', 'A123456789', 'name', 'x', 'profession', 'A', 'licenseNumber', 'L', 'licenseValidFrom', '2020-01-01',
          'licenseValidTo', '2030-12-31', 'practiceStatus', 'active', 'home', jsonb_build_object('code', '0101090517', 'name', 'h', 'county', '63')),
        'filedBy', jsonb_build_object('role', 'professional', 'id', 'A123456789'),
        'terms', jsonb_build_object('supported', jsonb_build_object('code', '3501200000', 'name', 's', 'county', '63'), 'department', '01', 'purpose', '01',
          'schedule', jsonb_build_object('kind', 'weekly', 'from', '2024-03-11', 'to', '2024-06-30', 'weekdays', jsonb_build_array(1, 3, 5),
            'windows', jsonb_build_array(jsonb_build_object('start', '08:00', 'end', '12:00')))),
        'routing', jsonb_build_object('reviewCounty', '63', 'copiedCounties', jsonb_build_array()), 'attachments', jsonb_build_array()), ${meta('draft')}),
      (2, 'ReportSubmitted', jsonb_build_object('caseNumber', '1130301' || lpad(i::text, 7, '0'), 'findings', jsonb_build_object('conflicts', jsonb_build_array(), 'quota', jsonb_build_array())), ${meta('draft')}),
      (3, 'ReportApproved', jsonb_build_object('reviewerId', 'R001', 'approvalNumber', 'N' || i), ${meta('approve')})
    ) AS v(version, type, data, meta)
    ORDER BY i, v.version;
    ANALYZE events;
  `)
}
