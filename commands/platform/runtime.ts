// Opens what every process needs: the database (PostgreSQL or embedded PGlite), the event store (PostgreSQL in the
// same database, or EventStoreDB), with every migration applied. DESIGN.md §4 "Embedded default".
import { chmod, mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Config } from './config.js'
import type { Database } from './database.js'
import type { Logger } from './logger.js'
import { runMigrations, type Migration } from './migrations.js'
import { createPostgresDatabase } from './postgres-database.js'
import { createPgliteDatabase } from './pglite-database.js'
import { EVENT_STORE_MIGRATIONS } from '../event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../event-store/postgres-event-store.js'
import type { EventStore } from '../event-store/port.js'

export interface Runtime {
  config: Config
  logger: Logger
  db: Database
  store: EventStore
  /** Stops the store's subscriptions and closes the database (and the EventStoreDB client). */
  close(): Promise<void>
}

export interface OpenRuntimeOptions {
  /** Migrations of other modules (read models, exporter...), applied after the event store's, in order. */
  extraMigrations?: readonly Migration[]
}

const registered: Migration[] = []

/** Lets a module add its migrations to every runtime opened afterwards (ids must be unique; order is kept). */
export function registerMigrations(list: readonly Migration[]): void {
  for (const m of list) if (!registered.some((r) => r.id === m.id)) registered.push(m)
}

/** Every migration a runtime applies: the event store's, then registered ones, then `extra`. */
export function allMigrations(extra: readonly Migration[] = []): Migration[] {
  const out: Migration[] = []
  for (const m of [...EVENT_STORE_MIGRATIONS, ...registered, ...extra]) if (!out.some((o) => o.id === m.id)) out.push(m)
  return out
}

export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.DATABASE_URL) {
    logger.info('database: PostgreSQL (DATABASE_URL)')
    return createPostgresDatabase(config.DATABASE_URL)
  }
  const dir = resolve(join(config.DATA_DIR, 'pglite'))
  // the embedded database holds every case and national ID: owner only (also a directory made by an older version)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
  logger.info({ dir }, 'database: embedded PGlite')
  return createPgliteDatabase(dir)
}

export async function openRuntime(config: Config, logger: Logger, options: OpenRuntimeOptions = {}): Promise<Runtime> {
  const db = await openDatabase(config, logger)
  try {
    await runMigrations(db, allMigrations(options.extraMigrations))
    let store: EventStore
    if (config.EVENTSTORE_URL) {
      const { createEventStoreDbEventStore } = await import('../event-store/eventstoredb-event-store.js')
      logger.info('event store: EventStoreDB (EVENTSTORE_URL)')
      store = createEventStoreDbEventStore(config.EVENTSTORE_URL, { logger })
    } else {
      logger.info('event store: PostgreSQL, same database')
      store = createPostgresEventStore(db, { logger })
    }
    let closed = false
    return {
      config,
      logger,
      db,
      store,
      async close() {
        if (closed) return
        closed = true
        await store.close().catch((e) => logger.warn({ err: e }, 'closing the event store failed'))
        await db.close()
      },
    }
  } catch (e) {
    await db.close().catch(() => {})
    throw e
  }
}
