// The log's readers wait for every transaction of this database that could still write events (the gap-safe
// horizon), but not for the read-model writers' (the projection runner's own pool): a live projection batch no
// longer hides the events committed after it began. Those connections are refused any insert into the log.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import type { EventToAppend } from '../../commands/event-store/port.js'
import type { Database, Sql } from '../../commands/platform/database.js'

const tdb = await freshDatabase('esrmw')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
const store = createPostgresEventStore(tdb.db, { pollIntervalMs: 50 })
t.teardown(() => store.close())
const meta = () => ({ commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' }) as unknown as EventToAppend['meta']

/** Opens a transaction on `db` that holds a transaction id, runs `during` while it is open, then commits it. */
async function whileOpen<T>(db: Database, during: () => Promise<T>): Promise<T> {
  let result!: T
  await db.transaction(async (tx: Sql) => {
    await tx.query('SELECT pg_current_xact_id()')
    result = await during()
  })
  return result
}

const seen = async (stream: string) => (await store.readAll({})).some((e) => e.stream === stream)

t.test('an open transaction of an ordinary connection holds the horizon', async (t) => {
  const hidden = await whileOpen(tdb.db, async () => {
    await store.append('held-1', [{ type: 'X', data: {}, meta: meta() }], 'no_stream')
    return seen('held-1')
  })
  t.equal(hidden, false, 'an event committed after it began is not read while it is open')
  t.equal(await seen('held-1'), true, 'and is read once it ends')
})

t.test('an open transaction of a read-model writer does not', async (t) => {
  const writers = tdb.db.readModelWriters!()
  t.equal(tdb.db.readModelWriters!(), writers, 'one pool, opened once')
  t.equal(writers.readModelWriters!(), writers)
  const visible = await whileOpen(writers, async () => {
    await store.append('free-1', [{ type: 'X', data: {}, meta: meta() }], 'no_stream')
    return seen('free-1')
  })
  t.equal(visible, true, 'the event is read while the projection batch is still open')
})

t.test('a read-model writer appends nothing to the log, by any path', async (t) => {
  const writers = tdb.db.readModelWriters!()
  const theirs = createPostgresEventStore(writers)
  t.teardown(() => theirs.close())
  await t.rejects(theirs.append('forbidden-1', [{ type: 'X', data: {}, meta: meta() }], 'no_stream'), /read-model writers append no events/)
  await t.rejects(writers.query(
    `INSERT INTO events (event_id, stream_id, stream_version, type, data, meta) VALUES ($1, 'forbidden-2', 1, 'X', '{}', '{}')`, [randomUUID()],
  ), /read-model writers append no events/)
  t.equal(await seen('forbidden-1'), false)
  t.equal(await seen('forbidden-2'), false)
  await store.append('allowed-1', [{ type: 'X', data: {}, meta: meta() }], 'no_stream')
  t.equal(await seen('allowed-1'), true, 'the ordinary pool still appends')
})
