// The event-store contract on a real PostgreSQL (a fresh database per run), plus PostgreSQL-only checks.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { ADMIN_URL, freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { EVENTS_CHANNEL, createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../../commands/platform/postgres-database.js'
import type { EventToAppend } from '../../commands/event-store/port.js'
import { eventStoreContract } from './event-store-contract.js'

const tdb = await freshDatabase('es')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)

/** A raw transaction on its own connection that inserts one event and stays open until released. */
async function openSlowAppend(stream: string, event: EventToAppend) {
  const client = new pg.Client({ connectionString: tdb.url })
  await client.connect()
  await client.query('BEGIN')
  await client.query(`INSERT INTO streams (stream_id, version) VALUES ($1, 1)`, [stream])
  const r = await client.query(
    `INSERT INTO events (event_id, stream_id, stream_version, type, data, meta) VALUES ($1, $2, 1, $3, $4, $5) RETURNING global_position::text AS p`,
    [randomUUID(), stream, event.type, JSON.stringify(event.data), JSON.stringify(event.meta)],
  )
  return {
    position: BigInt(r.rows[0].p as string),
    release: async () => {
      await client.query(`SELECT pg_notify('baobei_events', '')`)
      await client.query('COMMIT')
      await client.end()
    },
  }
}

eventStoreContract(t, async () => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  const store = createPostgresEventStore(tdb.db, { pollIntervalMs: 200 })
  return { store, isolated: true, slowAppend: openSlowAppend, teardown: () => store.close() }
})

t.test('the scenario is real: a naive "position > last" reader would skip the slow event', async (t) => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  const store = createPostgresEventStore(tdb.db)
  const meta = { commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' } as unknown as EventToAppend['meta']
  const slow = await openSlowAppend('naive-slow', { type: 'Slow', data: {}, meta })
  await store.append('naive-fast', [{ type: 'Fast', data: {}, meta: { ...meta, commandId: randomUUID() } }], 'no_stream')
  const naive = await tdb.db.query<{ type: string; p: string }>(`SELECT type, global_position::text AS p FROM events WHERE global_position > 0 ORDER BY global_position`)
  t.same(naive.rows.map((r) => r.type), ['Fast'], 'naive reader sees the later event and would checkpoint past the slow one')
  t.ok(BigInt(naive.rows[0]!.p) > slow.position)
  t.same(await store.readAll(), [], 'the gap-safe reader shows nothing yet')
  await slow.release()
  t.same((await store.readAll()).map((e) => e.type), ['Slow', 'Fast'], 'then both, in commit order')
  await store.close()
})

t.test('append is one transaction: a failed insert leaves no stream version and no command claim', async (t) => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  const store = createPostgresEventStore(tdb.db)
  const commandId = randomUUID()
  const meta = { commandId, actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' } as unknown as EventToAppend['meta']
  // a NUL character cannot be stored in jsonb: the insert fails after the version was bumped
  await t.rejects(store.append('atomic', [{ type: 'X', data: { bad: '\u0000' }, meta }], 'no_stream'))
  t.same((await tdb.db.query(`SELECT * FROM streams`)).rows, [])
  t.same((await tdb.db.query(`SELECT * FROM command_results`)).rows, [])
  const ok = await store.append('atomic', [{ type: 'X', data: {}, meta }], 'no_stream')
  t.equal(ok.duplicate, false, 'the same command can then be appended for real')
  await store.close()
})

t.test('randomised interleavings: slow raw writers + store writers, a live subscriber never skips or repeats', async (t) => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  const store = createPostgresEventStore(tdb.db, { pollIntervalMs: 100 })
  t.teardown(() => store.close())
  const delivered: string[] = []
  const sub = store.subscribe({ handler: async (es) => void delivered.push(...es.map((e) => e.id)) })
  const meta = () => ({ commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' }) as unknown as EventToAppend['meta']
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  // raw writers: take a position, then wait a random time before committing (commit order ≠ position order)
  const raw = async (w: number) => {
    const c = new pg.Client({ connectionString: tdb.url })
    await c.connect()
    try {
      for (let k = 0; k < 12; k++) {
        await c.query('BEGIN')
        await c.query(
          `INSERT INTO events (event_id, stream_id, stream_version, type, data, meta) VALUES ($1, $2, 1, 'Raw', '{}', $3)`,
          [randomUUID(), `raw-${w}-${k}`, JSON.stringify(meta())],
        )
        await sleep(Math.random() * 25)
        await c.query(`SELECT pg_notify('baobei_events', '')`)
        await c.query('COMMIT')
      }
    } finally {
      await c.end()
    }
  }
  const normal = async (w: number) => {
    for (let k = 0; k < 12; k++) await store.append(`normal-${w % 2}`, [{ type: 'Normal', data: { w, k }, meta: meta() }], 'any')
  }
  await Promise.all([...[0, 1, 2, 3, 4].map(raw), ...[0, 1, 2, 3].map(normal)])
  const all = await store.readAll({ limit: 10000 })
  t.equal(all.length, 9 * 12)
  for (let i = 0; i < 200 && delivered.length < all.length; i++) await sleep(50)
  await sub.stop()
  t.equal(delivered.length, all.length, 'every event delivered')
  t.equal(new Set(delivered).size, delivered.length, 'none twice')
  t.same(delivered, all.map((e) => e.id), 'in log order')
  const naiveOrder = [...all].sort((a, b) => Number(a.position.prepare - b.position.prepare)).map((e) => e.id)
  t.comment(`commit order differed from sequence order: ${naiveOrder.join() !== delivered.join()}`)
})

t.test('a transaction in ANOTHER database does not hold readers back; one in this database does', async (t) => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  const store = createPostgresEventStore(tdb.db)
  t.teardown(() => store.close())
  const meta = () => ({ commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' }) as unknown as EventToAppend['meta']
  const other = new pg.Client({ connectionString: ADMIN_URL })
  await other.connect()
  await other.query('BEGIN')
  await other.query('SELECT pg_current_xact_id()') // takes an xid, stays open
  await store.append('x-1', [{ type: 'A', data: {}, meta: meta() }], 'no_stream')
  t.same((await store.readAll()).map((e) => e.type), ['A'], 'visible at once despite the other database')
  await other.query('COMMIT')
  await other.end()
  const mine = new pg.Client({ connectionString: tdb.url })
  await mine.connect()
  await mine.query('BEGIN')
  await mine.query('SELECT pg_current_xact_id()')
  await store.append('x-2', [{ type: 'B', data: {}, meta: meta() }], 'no_stream')
  t.same((await store.readAll()).map((e) => e.type), ['A'], 'held back by an older open transaction of this database')
  await mine.query('COMMIT')
  await mine.end()
  t.same((await store.readAll()).map((e) => e.type), ['A', 'B'])
})

t.test('the wake-up after an append reaches other processes and leaves the pooled connection durable', async (t) => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  // one connection: the append and its notification run on the very connection the next append will use
  const one = createPostgresDatabase(tdb.url, { max: 1, applicationName: 'test-notify' })
  const store = createPostgresEventStore(one)
  t.teardown(async () => {
    await store.close()
    await one.close()
  })
  const listener = new pg.Client({ connectionString: tdb.url })
  await listener.connect()
  t.teardown(() => listener.end())
  const heard = new Promise<string>((resolve) => listener.on('notification', (n) => resolve(n.channel)))
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
  const meta = { commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' } as unknown as EventToAppend['meta']
  await store.append('n-1', [{ type: 'A', data: {}, meta }], 'no_stream')
  t.equal(await Promise.race([heard, new Promise((r) => setTimeout(() => r('nothing within 5 s'), 5000))]), EVENTS_CHANNEL, 'another session is notified')
  // the notification commits asynchronously (SET LOCAL): the session itself must stay synchronous for the next append
  const s = await one.query<{ synchronous_commit: string }>('SHOW synchronous_commit')
  t.equal(s.rows[0]!.synchronous_commit, 'on', 'synchronous_commit is on again on the connection after the notification')
})

t.test('live subscriptions at the same position share one page read', async (t) => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  let pageReads = 0
  const counted = {
    ...tdb.db,
    query: ((text: string, params?: readonly unknown[]) => {
      if (/ORDER BY transaction_id, global_position LIMIT/.test(text)) pageReads++
      return tdb.db.query(text, params)
    }) as typeof tdb.db.query,
  }
  const store = createPostgresEventStore(counted, { pollIntervalMs: 60_000 })
  t.teardown(() => store.close())
  const got: string[][] = [[], [], []]
  const subs = got.map((list) => store.subscribe({ handler: async (evs) => void list.push(...evs.map((e) => e.type)) }))
  t.teardown(() => Promise.all(subs.map((s) => s.stop())))
  await new Promise((r) => setTimeout(r, 300)) // each has read the (empty) log once
  const before = pageReads
  const meta = { commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' } as unknown as EventToAppend['meta']
  await store.append('share-1', [{ type: 'A', data: {}, meta }], 'no_stream')
  for (let i = 0; i < 100 && got.some((l) => l.length === 0); i++) await new Promise((r) => setTimeout(r, 20))
  t.same(got, [['A'], ['A'], ['A']], 'every subscription gets the event once')
  await new Promise((r) => setTimeout(r, 200))
  // unshared: each of the three reads the page with the event and then an empty page (6 reads)
  t.ok(pageReads - before <= 3, `page reads after the append: ${pageReads - before} (three subscriptions)`)
})

t.test('wake-ups to other processes are spaced: fewer notifications than appends, and one after the last append', async (t) => {
  await tdb.db.exec(`TRUNCATE events, streams, command_results RESTART IDENTITY`)
  const store = createPostgresEventStore(tdb.db, { notifyIntervalMs: 50 })
  t.teardown(() => store.close())
  const listener = new pg.Client({ connectionString: tdb.url })
  await listener.connect()
  t.teardown(() => listener.end())
  const heardAt: number[] = []
  listener.on('notification', () => heardAt.push(performance.now()))
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
  const meta = () => ({ commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' }) as unknown as EventToAppend['meta']
  for (let k = 0; k < 20; k++) await store.append(`spaced-${k}`, [{ type: 'A', data: { k }, meta: meta() }], 'no_stream')
  const lastCommitted = performance.now()
  await new Promise((r) => setTimeout(r, 400))
  t.ok(heardAt.length >= 1 && heardAt.length <= 10, `${heardAt.length} notifications for 20 appends`)
  t.ok(heardAt.at(-1)! >= lastCommitted, 'a notification follows the last append')
})
