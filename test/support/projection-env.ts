// A fresh PostgreSQL database with the PostgreSQL event store and the projection tables, for projection tests.
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { START, type EventStore, type LogPosition } from '../../commands/event-store/port.js'
import type { Sql } from '../../commands/platform/database.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { migrateProjections } from '../../projections/catalog.js'
import { reportStream } from '../../domain/events.js'
import { freshDatabase, type TestDatabase } from './db.js'
import type { CaseBuilder } from './report-fixtures.js'

export interface ProjectionEnv extends TestDatabase {
  store: EventStore
}

export async function projectionEnv(prefix = 'bbproj'): Promise<ProjectionEnv> {
  const tdb = await freshDatabase(prefix)
  await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
  await migrateProjections(tdb.db)
  const store = createPostgresEventStore(tdb.db, { pollIntervalMs: 50 })
  return {
    ...tdb,
    store,
    async drop() {
      await store.close().catch(() => {})
      await tdb.drop()
    },
  }
}

/** Appends each builder's events, one append per event (as commands do). Returns the last position. */
export async function appendCases(store: EventStore, builders: readonly CaseBuilder[]) {
  let last
  for (const b of builders) {
    let v = 0
    for (const e of b.events) {
      const r = await store.append(reportStream(b.caseId), [e], v === 0 ? 'no_stream' : v)
      v = r.nextVersion
      last = r.lastPosition
    }
  }
  return last!
}

/**
 * The position of the last event in the table, committed or not yet below the read horizon: the head to WAIT for
 * once every append has returned. (`store.headPosition()` is the head a reader may see now: a short wake-up
 * transaction still in flight can hold the horizon below the newest events for a moment, so waiting for it can
 * end before the projections have seen them.)
 */
export async function lastAppendedPosition(db: Sql): Promise<LogPosition> {
  const r = await db.query<{ commit: string; prepare: string }>(
    `SELECT transaction_id::text AS commit, global_position::text AS prepare FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  )
  const row = r.rows[0]
  return row ? { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } : START
}
