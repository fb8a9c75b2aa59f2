// A dedicated fresh PostgreSQL database for a benchmark (test/support/db.ts), with the event store and projection
// tables; dropped afterwards. Extra pools with more connections for the concurrency benchmarks.
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import type { EventStore } from '../../commands/event-store/port.js'
import type { Database } from '../../commands/platform/database.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { createPostgresDatabase } from '../../commands/platform/postgres-database.js'
import { PROJECTION_MIGRATIONS } from '../../projections/catalog.js'
import { adminQuery, freshDatabase, type TestDatabase } from '../../test/support/db.js'

export interface BenchDb extends TestDatabase {
  store: EventStore
  /** Another pool on the same database (closed by drop()). */
  pool(max: number, applicationName?: string): Database
}

export async function benchDatabase(prefix: string): Promise<BenchDb> {
  const tdb = await freshDatabase(`bench_${prefix}`)
  await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...PROJECTION_MIGRATIONS])
  const store = createPostgresEventStore(tdb.db, { pollIntervalMs: 200 })
  const pools: Database[] = []
  return {
    ...tdb,
    store,
    pool(max, applicationName = `bench-${prefix}`) {
      const p = createPostgresDatabase(tdb.url, { max, applicationName })
      pools.push(p)
      return p
    },
    async drop() {
      await store.close().catch(() => {})
      for (const p of pools) await p.close().catch(() => {})
      // BENCH_KEEP_DB=1: kept for a look at its plans afterwards (psql -d <name>); drop it by hand
      if (process.env.BENCH_KEEP_DB === '1') {
        process.stdout.write(`   kept database ${tdb.name} (BENCH_KEEP_DB=1)\n`)
        await tdb.db.close()
      } else await tdb.drop()
    },
  }
}

export async function machine(): Promise<Record<string, string>> {
  const os = await import('node:os')
  const pg = await adminQuery('SHOW server_version').catch(() => ({ rows: [{ server_version: 'unknown' }] }))
  const sync = await adminQuery('SHOW synchronous_commit').catch(() => ({ rows: [{ synchronous_commit: 'unknown' }] }))
  const fsync = await adminQuery('SHOW fsync').catch(() => ({ rows: [{ fsync: 'unknown' }] }))
  return {
    cpus: String(os.availableParallelism?.() ?? os.cpus().length),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    postgres: String((pg.rows[0] as { server_version: string }).server_version),
    synchronous_commit: String((sync.rows[0] as { synchronous_commit: string }).synchronous_commit),
    fsync: String((fsync.rows[0] as { fsync: string }).fsync),
  }
}
