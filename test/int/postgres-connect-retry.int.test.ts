// On the real PostgreSQL: a query, a transaction and a LISTEN wait (bounded) for a connection slot the server
// refused (53300), and get one when it is freed; with no slot freed in time, the server's refusal is the answer.
// A role with CONNECTION LIMIT 1 stands for a full server (superusers are exempt from the limit).
import { randomBytes } from 'node:crypto'
import t from 'tap'
import pg from 'pg'
import { createPostgresDatabase } from '../../commands/platform/postgres-database.js'
import { adminQuery, freshDatabase } from '../support/db.js'

const tdb = await freshDatabase('connretry')
const role = `bb_connretry_${randomBytes(4).toString('hex')}`
await adminQuery(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`)
t.teardown(async () => {
  // the database's drop ends the role's sessions first (a failed run can leave one open); the role goes even so
  await tdb.drop().finally(() => adminQuery(`DROP ROLE IF EXISTS ${role}`))
})
const url = (() => {
  const u = new URL(tdb.url)
  u.username = role
  return u.toString()
})()

/** Holds the role's one slot; the returned function frees it. */
async function holdTheSlot(): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  return () => c.end()
}

t.test('the slot is taken: without waiting the server refuses (53300)', async (t) => {
  const free = await holdTheSlot()
  t.teardown(free)
  const c = new pg.Client({ connectionString: url })
  await t.rejects(c.connect(), { code: '53300' })
})

for (const [what, use] of [
  ['a query', (db: ReturnType<typeof createPostgresDatabase>) => db.query<{ one: number }>('SELECT 1 AS one').then((r) => r.rows[0]?.one)],
  ['a transaction', (db: ReturnType<typeof createPostgresDatabase>) => db.transaction(async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one)],
  ['an exec', (db: ReturnType<typeof createPostgresDatabase>) => db.exec('SELECT 1').then(() => 1)],
  ['a listen', (db: ReturnType<typeof createPostgresDatabase>) => db.listen('bb_retry', () => {}).then(() => 1)],
] as const) {
  t.test(`${what} waits for the slot and gets it when it is freed`, async (t) => {
    const free = await holdTheSlot()
    const db = createPostgresDatabase(url, { max: 1, connectRetry: { withinMs: 5_000, firstWaitMs: 10, maxWaitMs: 50 } })
    t.teardown(() => db.close())
    const t0 = Date.now()
    const pending = use(db)
    setTimeout(() => void free(), 300)
    t.equal(await pending, 1)
    t.ok(Date.now() - t0 >= 250, `it waited for the slot (${Date.now() - t0} ms)`)
  })
}

t.test('no slot freed within the bound: the refusal is the answer', async (t) => {
  const free = await holdTheSlot()
  t.teardown(free)
  const db = createPostgresDatabase(url, { max: 1, connectRetry: { withinMs: 200, firstWaitMs: 10, maxWaitMs: 50 } })
  t.teardown(() => db.close())
  const t0 = Date.now()
  await t.rejects(db.query('SELECT 1'), { code: '53300' })
  t.ok(Date.now() - t0 < 2_000, 'bounded')
})

