// Reading is audited: views become RecordViewed events in the day's audit stream; the read_audit projection makes
// them queryable by viewer, subject and date, scoped by county.
import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { auditStream, recordView } from '../../commands/read-audit.js'
import { readAuditProjection } from '../../projections/read-models/read-audit.js'
import { queryReadAudit } from '../../projections/queries/read-audit.js'
import { contextFor } from '../../projections/projection.js'
import { createCaseStates } from '../../projections/case-states.js'
import type { Actor } from '../../domain/types.js'

const tdb = await freshDatabase('bo_audit')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
const store = createPostgresEventStore(tdb.db, { pollIntervalMs: 100 })
t.teardown(() => store.close())
await tdb.db.exec(readAuditProjection.ddl(1))
/** Read models at version 1 (the projection is applied by hand here; the runner has its own tests). */
const rm = {
  select: async <R>(_name: string, build: (t: (b: string) => string) => { text: string; params: unknown[] }) => {
    const q = build((b) => `rm_${b}_v1`)
    return (await tdb.db.query<R>(q.text, q.params)).rows
  },
}

const taipei: Actor = { role: 'reviewer', id: 'S630001', name: '北市審查員', via: 'staff-card', county: '63' }
const newTaipei: Actor = { role: 'reviewer', id: 'S650001', name: '新北審查員', via: 'staff-card', county: '65' }
const ministry: Actor = { role: 'statistician', id: 'M000001', name: '部統計員', via: 'staff-card' }

t.test('a view is an event in audit-<yyyyMMdd> of the Taipei day', async (t) => {
  // 2024-03-01 23:30 Taipei = 15:30Z: still 3/1 in Taipei
  const r = await recordView(store, { viewer: taipei, subjects: [{ kind: 'case', id: 'c-1' }, { kind: 'person', id: 'A123456789' }], via: 'GET /back-office/cases/:caseId', at: '2024-03-01T15:30:00.000Z' })
  t.ok(r && !r.duplicate)
  const evs = await store.readStream(auditStream('2024-03-01'))
  t.equal(evs.length, 2)
  t.same(evs.map((e) => e.type), ['RecordViewed', 'RecordViewed'])
  t.same(evs[0]?.data, { viewer: 'S630001', viewerName: '北市審查員', role: 'reviewer', county: '63', subject: { kind: 'case', id: 'c-1' }, via: 'GET /back-office/cases/:caseId' })
  t.equal(evs[1]?.meta.actor.id, 'S630001')
  t.equal(evs[1]?.meta.occurredAt, '2024-03-01T15:30:00.000Z')
  t.equal(await recordView(store, { viewer: taipei, subjects: [], via: 'x', at: '2024-03-01T00:00:00.000Z' }), undefined)
})

t.test('projection + query: by viewer, subject, date, county scope; replay is idempotent', async (t) => {
  await recordView(store, { viewer: taipei, subjects: [{ kind: 'case', id: 'c-2' }], via: 'GET /back-office/cases/:caseId', at: '2024-03-02T02:00:00.000Z' })
  await recordView(store, { viewer: newTaipei, subjects: [{ kind: 'case', id: 'c-9' }], via: 'GET /back-office/cases/:caseId', at: '2024-03-02T03:00:00.000Z' })
  await recordView(store, { viewer: ministry, subjects: [{ kind: 'case', id: 'c-2' }], via: 'GET /back-office/cases/:caseId', at: '2024-03-03T03:00:00.000Z' })
  // gap-safe reads may lag behind other transactions in flight on the cluster: wait until all 5 views are readable
  let all = await store.readAll()
  for (let i = 0; all.length < 5 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50))
    all = await store.readAll()
  }
  await tdb.db.transaction((tx) => readAuditProjection.handle(all, contextFor(tx, 1, createCaseStates(store))))
  await tdb.db.transaction((tx) => readAuditProjection.handle(all, contextFor(tx, 1, createCaseStates(store)))) // a replayed batch changes nothing
  const national = await queryReadAudit(rm, { kind: 'national' }, {})
  t.equal(national.total, 5)
  t.equal(national.rows[0]?.viewerId, 'M000001', 'newest first')
  const north = await queryReadAudit(rm, { kind: 'county', county: '63' }, {})
  t.same(north.rows.map((r) => r.subjectId).sort(), ['A123456789', 'c-1', 'c-2'])
  const c2 = await queryReadAudit(rm, { kind: 'national' }, { subjectId: 'c-2' })
  t.same(c2.rows.map((r) => r.viewerId), ['M000001', 'S630001'])
  const day = await queryReadAudit(rm, { kind: 'national' }, { from: '2024-03-02', to: '2024-03-02' })
  t.same(day.rows.map((r) => r.subjectId), ['c-9', 'c-2'])
  const first = await queryReadAudit(rm, { kind: 'national' }, { to: '2024-03-01', subjectKind: 'person' })
  t.same(first.rows.map((r) => [r.subjectId, r.viewedAt]), [['A123456789', '2024-03-01T15:30:00.000Z']])
  const paged = await queryReadAudit(rm, { kind: 'national' }, { pageSize: 2, page: 3 })
  t.equal(paged.rows.length, 1)
  t.equal(paged.total, 5)
})
