// Sessions and login challenges in PostgreSQL: they survive a restart (a second store over the same database sees
// them), are shared by server instances, expire, and a challenge is taken back exactly once even under a race.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { runMigrations } from '../../commands/platform/migrations.js'
import { loginMigrations } from '../../http/auth/login-migrations.js'
import { createPostgresChallengeStore } from '../../http/auth/challenges.js'
import { PostgresSessionStore } from '../../http/postgres-session-store.js'
import type { SessionData } from '../../http/session-store.js'
import { freshDatabase } from '../support/db.js'

const tdb = await freshDatabase('loginstores')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, loginMigrations)

t.test('sessions: kept across a restart, idle timeout, delete, no usable id in the table', async (t) => {
  let clock = Date.parse('2024-03-01T01:00:00Z')
  const now = () => clock
  const first = new PostgresSessionStore(tdb.db, now)
  const id = randomBytes(32).toString('base64url')
  const session: SessionData = {
    id, csrf: 'csrf-token', createdAt: clock, lastSeenAt: clock,
    user: { actor: { role: 'professional', id: 'A123456789', via: 'hca-professional-card' }, name: '王大明' },
  }
  await first.set(session)
  const restarted = new PostgresSessionStore(tdb.db, now)
  t.same(await restarted.get(id), session, 'another instance (or a restarted server) reads the same session')
  const raw = await tdb.db.query<{ id_hash: string; data: unknown }>(`SELECT id_hash, data FROM http_sessions`)
  t.equal(raw.rows.length, 1)
  t.not(raw.rows[0]!.id_hash, id)
  t.notMatch(JSON.stringify(raw.rows[0]), id, 'the session id itself is not stored')
  t.equal(await restarted.get('not-' + id), undefined, 'an unknown id is no session')

  clock += 19 * 60_000
  await restarted.set({ ...session, lastSeenAt: clock })
  clock += 19 * 60_000
  t.ok(await first.get(id), 'activity keeps it alive')
  clock += 21 * 60_000
  t.equal(await first.get(id), undefined, 'idle for more than 20 minutes: gone')
  t.equal((await tdb.db.query(`SELECT 1 FROM http_sessions`)).rows.length, 0, 'and deleted')

  await first.set({ ...session, lastSeenAt: clock })
  await first.delete(id)
  t.equal(await restarted.get(id), undefined, 'logout on one instance ends it on every instance')

  await first.set({ ...session, id: 'old', lastSeenAt: clock - 30 * 60_000 })
  await first.set({ ...session, id: 'fresh', lastSeenAt: clock })
  t.equal(await first.sweep(), 1, 'the sweep drops only idle sessions')
  t.ok(await first.get('fresh'))
})

t.test('challenges: shared by instances, single use under a race, bound to the browser, expiring', async (t) => {
  let clock = new Date('2024-03-01T01:00:00Z')
  const a = createPostgresChallengeStore(tdb.db, { now: () => clock })
  const b = createPostgresChallengeStore(tdb.db, { now: () => clock })
  const issued = await a.issue('pre-1')
  const bytes = await b.consume('pre-1', issued.challenge)
  t.equal(bytes.toString('base64'), issued.challenge, 'another instance takes it back')
  await t.rejects(a.consume('pre-1', issued.challenge), { code: 'CHALLENGE_INVALID' }, 'used once only')

  const raced = await a.issue('pre-1')
  const results = await Promise.allSettled([a.consume('pre-1', raced.challenge), b.consume('pre-1', raced.challenge)])
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'two racing logins: exactly one gets the challenge')

  const mine = await a.issue('pre-1')
  await t.rejects(b.consume('pre-2', mine.challenge), { code: 'CHALLENGE_INVALID' }, 'another browser cannot use it')
  t.ok(await a.consume('pre-1', mine.challenge), 'and that attempt did not burn it for its owner')

  const late = await a.issue('pre-1')
  clock = new Date(clock.getTime() + 2 * 60_000)
  await t.rejects(a.consume('pre-1', late.challenge), { code: 'CHALLENGE_EXPIRED' }, 'older than 2 minutes')
  await t.rejects(a.consume('pre-1', late.challenge), { code: 'CHALLENGE_INVALID' }, 'and gone')

  for (let i = 0; i < 8; i++) await a.issue('pre-3')
  const held = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_challenges WHERE session_hash <> ''`)
  t.ok(held.rows[0]!.n <= 5 + 1, `one browser holds at most 5 outstanding challenges (${held.rows[0]!.n} rows in all)`)
})
