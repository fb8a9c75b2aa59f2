// The event-store contract on PGlite (embedded PostgreSQL, in memory): the same SQL as the server adapter.
import t from 'tap'
import { createPgliteDatabase } from '../../commands/platform/pglite-database.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { eventStoreContract } from './event-store-contract.js'

const db = await createPgliteDatabase()
t.teardown(() => db.close())
await runMigrations(db, EVENT_STORE_MIGRATIONS)

eventStoreContract(
  t,
  async () => {
    await db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
    const store = createPostgresEventStore(db, { pollIntervalMs: 200 })
    // PGlite has one connection: a transaction cannot be held open beside others, so no slowAppend here.
    return { store, isolated: true, teardown: () => store.close() }
  },
  { rounds: 3 },
)
