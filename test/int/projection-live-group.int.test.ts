// The live projections in one group (issue #17 "Live projections under load"): one transaction per batch for all of
// them, a failing projection not holding back the others (it leaves the group, retries alone, catches up, comes
// back), and members starting from different checkpoints. Real PostgreSQL (and PGlite for the savepoints).
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { readCheckpoints } from '../../projections/catalog.js'
import type { Projection } from '../../projections/projection.js'
import type { Database } from '../../commands/platform/database.js'
import { comparePositions, type LogPosition } from '../../commands/event-store/port.js'
import { createPgliteDatabase } from '../../commands/platform/pglite-database.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { appendCases, lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'
import { applyGroupBatch, type GroupMember } from '../../projections/live-group.js'
import { createCaseStates } from '../../projections/case-states.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A projection recording each event once per event id (a double-applied event bumps `applied`), counting its
 * handle calls; it throws while `ref.fail` is set.
 */
function counting(name: string, ref: { fail: boolean; calls: number } = { fail: false, calls: 0 }): Projection {
  const table = `seen_${name}`
  return {
    name,
    tables: [table],
    ddl: (v) => `CREATE TABLE IF NOT EXISTS rm_${table}_v${v} (event_id text PRIMARY KEY, applied int NOT NULL DEFAULT 1);`,
    async handle(events, ctx) {
      ref.calls++
      await ctx.tx.query(
        `INSERT INTO ${ctx.table(table)} (event_id) SELECT unnest($1::text[])
         ON CONFLICT (event_id) DO UPDATE SET applied = ${ctx.table(table)}.applied + 1`,
        [events.map((e) => e.id)],
      )
      // after its writes: the savepoint must take them back
      if (ref.fail) throw new Error(`${name} broke`)
    },
  }
}

/** The runner's database (its read-model writers' pool) with its transactions counted. */
function countingTransactions(main: Database) {
  const counter = { n: 0 }
  const db = main.readModelWriters?.() ?? main
  const { readModelWriters: _writers, ...rest } = db
  const wrapped: Database = {
    ...rest,
    query: (text, params) => db.query(text, params),
    exec: (script) => db.exec(script),
    listen: (channel, fn) => db.listen(channel, fn),
    close: () => db.close(),
    transaction(fn) {
      counter.n++
      return db.transaction(fn)
    },
  }
  return { db: wrapped, counter }
}

async function seen(db: Database, name: string) {
  const r = await db.query<{ n: string; max: number | null }>(`SELECT count(*) AS n, max(applied) AS max FROM rm_seen_${name}_v1`)
  return { n: Number(r.rows[0]!.n), max: Number(r.rows[0]!.max ?? 0) }
}

const eventCount = async (db: Database) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM events`)).rows[0]!.n)

async function checkpointOf(db: Database, name: string): Promise<LogPosition> {
  return (await readCheckpoints(db)).find((c) => c.name === name)!.position
}

t.test('all live projections share one transaction per batch; every read model complete, every checkpoint at the end', async (t) => {
  for (const liveGroup of [true, false]) {
    const env = await projectionEnv('bbgroup')
    t.teardown(() => env.drop())
    const { db, counter } = countingTransactions(env.db)
    const calls = { fail: false, calls: 0 }
    const runner = createProjectionRunner({ db, store: env.store, projections: [...PROJECTIONS, counting('probe', calls)], liveGroup, batchSize: 20 })
    await runner.start()
    const r = rng(17)
    // a few events already there before counting (start-up transactions are not batches)
    await appendCases(env.store, [randomCase(r, 0)])
    t.ok(await runner.waitFor(await lastAppendedPosition(env.db), undefined, 20_000))
    counter.n = 0
    calls.calls = 0
    const builders = Array.from({ length: 40 }, (_, i) => randomCase(r, i + 1))
    await Promise.all([0, 1].map((k) => appendCases(env.store, builders.filter((_, i) => i % 2 === k))))
    const head = await lastAppendedPosition(env.db)
    t.ok(await runner.waitFor(head, undefined, 30_000), `caught up (liveGroup ${liveGroup})`)
    await runner.stop()
    // every member gets every batch (all at the same checkpoint): the probe's handle calls are the batches
    const batches = calls.calls
    t.ok(batches > 0, `${batches} batches`)
    if (liveGroup) {
      t.equal(counter.n, batches, `one transaction per batch for all ${PROJECTIONS.length + 1} projections (${counter.n} transactions, ${batches} batches)`)
    } else {
      t.ok(counter.n >= 5 * batches, `without the group: a transaction per projection and batch (${counter.n} transactions, ${batches} batches of the probe)`)
    }
    const total = await eventCount(env.db)
    t.same(await seen(env.db, 'probe'), { n: total, max: 1 }, 'the probe has every event once')
    const hist = await env.db.query<{ n: string }>(`SELECT count(*) AS n FROM rm_case_history_v1`)
    t.equal(Number(hist.rows[0]!.n), total, 'history has every event')
    const cases = await env.db.query<{ n: string }>(`SELECT count(*) AS n FROM rm_cases_v1`)
    t.equal(Number(cases.rows[0]!.n), builders.length + 1, 'one case row per case')
    const cps = await readCheckpoints(env.db)
    t.equal(cps.length, PROJECTIONS.length + 1)
    t.ok(
      cps.every((c) => comparePositions(c.position, head) === 0),
      'every checkpoint at the last position (read models whose events were all ignored included)',
    )
  }
})

t.test('a failing projection does not hold back the others; it catches up once it works, nothing applied twice or skipped', async (t) => {
  const env = await projectionEnv('bbgroup')
  t.teardown(() => env.drop())
  const ref = { fail: false, calls: 0 }
  const { db, counter } = countingTransactions(env.db)
  const runner = createProjectionRunner({ db, store: env.store, projections: [...PROJECTIONS, counting('flaky', ref), counting('steady')], backoffMs: { initial: 20, max: 100 } })
  await runner.start()
  t.teardown(() => runner.stop())
  const r = rng(5)
  const first = await appendCases(env.store, [randomCase(r, 0), randomCase(r, 1)])
  t.ok(await runner.waitFor(first, undefined, 20_000), 'all caught up before the failure')
  const before = await lastAppendedPosition(env.db)

  ref.fail = true
  const last = await appendCases(env.store, [randomCase(r, 2), randomCase(r, 3), randomCase(r, 4)])
  const others = [...PROJECTIONS.map((p) => p.name), 'steady']
  t.ok(await runner.waitFor(last, others, 20_000), 'the others reach the last position while flaky fails')
  const f1 = runner.failures.get('flaky') ?? 0
  await sleep(400)
  const f2 = runner.failures.get('flaky') ?? 0
  t.ok(f1 >= 1 && f2 > f1, `its failures grow while it fails (${f1} → ${f2})`)
  t.same(await checkpointOf(env.db, 'flaky'), before, 'its checkpoint stays before the first event it failed on')
  const upToBefore = (await env.store.readAll({})).filter((e) => comparePositions(e.position, before) <= 0).length
  t.same(await seen(env.db, 'flaky'), { n: upToBefore, max: 1 }, 'no rows of the failed batches committed (its rows end at its checkpoint)')
  const flakyRowsWhileFailing = (await seen(env.db, 'flaky')).n
  t.equal(runner.failures.get('steady') ?? 0, 0, 'the others did not fail')

  ref.fail = false
  t.ok(await runner.waitFor(last, ['flaky'], 20_000), 'flaky catches up once it works')
  const total = await eventCount(env.db)
  t.ok(flakyRowsWhileFailing < total, `flaky had fewer rows while failing (${flakyRowsWhileFailing} of ${total})`)
  t.same(await seen(env.db, 'flaky'), { n: total, max: 1 }, 'flaky: every event once, none skipped')
  t.same(await seen(env.db, 'steady'), { n: total, max: 1 }, 'steady: every event once')

  // back in the group: a batch is again one transaction for all
  await sleep(200)
  counter.n = 0
  const calls0 = ref.calls
  const more = await appendCases(env.store, [randomCase(r, 5)])
  t.ok(await runner.waitFor(more, undefined, 20_000), 'all caught up after more events')
  const batches = ref.calls - calls0
  t.ok(batches > 0 && counter.n === batches, `flaky is back in the group: ${counter.n} transactions for ${batches} batches`)
  const total2 = await eventCount(env.db)
  t.same(await seen(env.db, 'flaky'), { n: total2, max: 1 })
})

t.test('members at different checkpoints: each gets only the events after its own, all end at the last position', async (t) => {
  const env = await projectionEnv('bbgroup')
  t.teardown(() => env.drop())
  const r = rng(9)
  const first = createProjectionRunner({ db: env.db, store: env.store, projections: [counting('ahead'), counting('middle')] })
  await first.start()
  const head1 = await appendCases(env.store, Array.from({ length: 10 }, (_, i) => randomCase(r, i)))
  t.ok(await first.waitFor(head1, undefined, 20_000))
  await first.stop()
  // 'middle' set back to an event in the middle of the log (its rows after it removed, as if never applied)
  const log = await env.store.readAll({})
  const mid = log[Math.floor(log.length / 2)]!
  await env.db.query(`UPDATE projection_checkpoints SET position_commit = $1, position_prepare = $2 WHERE name = 'middle'`, [mid.position.commit.toString(), mid.position.prepare.toString()])
  const after = log.filter((e) => comparePositions(e.position, mid.position) > 0).map((e) => e.id)
  await env.db.query(`DELETE FROM rm_seen_middle_v1 WHERE event_id = ANY($1::text[])`, [after])
  t.equal((await seen(env.db, 'middle')).n, log.length - after.length)

  // 'fresh' is new: it starts at the start of the log
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [counting('ahead'), counting('middle'), counting('fresh')] })
  await runner.start()
  t.teardown(() => runner.stop())
  const head2 = await appendCases(env.store, Array.from({ length: 5 }, (_, i) => randomCase(r, 100 + i)))
  t.ok(await runner.waitFor(head2, undefined, 20_000), 'all caught up')
  const total = await eventCount(env.db)
  for (const name of ['ahead', 'middle', 'fresh']) {
    t.same(await seen(env.db, name), { n: total, max: 1 }, `${name}: exactly one row per event`)
    t.same(await checkpointOf(env.db, name), await lastAppendedPosition(env.db), `${name}: checkpoint at the last position`)
  }
  t.equal([...runner.failures.values()].reduce((s, n) => s + n, 0), 0, 'no failure')
})

t.test('a batch runs without savepoints; a member that throws sends it again with them, and only that member is rolled back', async (t) => {
  const env = await projectionEnv('bbgroup')
  t.teardown(() => env.drop())
  const r = rng(11)
  const ref = { fail: false, calls: 0 }
  const steady = counting('steady')
  const flaky = counting('flaky', ref)
  const setup = createProjectionRunner({ db: env.db, store: env.store, projections: [steady, flaky] })
  await setup.start()
  t.ok(await setup.waitFor(await appendCases(env.store, [randomCase(r, 0)]), undefined, 20_000))
  await setup.stop()
  // the transactions and savepoints of the batches below, counted
  const base = env.db.readModelWriters?.() ?? env.db
  const stats = { tx: 0, savepoints: 0 }
  const db: Database = {
    ...base,
    transaction(fn) {
      stats.tx++
      return base.transaction((tx) => fn({
        ...tx,
        query: (text, params) => tx.query(text, params),
        exec: (script) => ((stats.savepoints += /^SAVEPOINT /.test(script) ? 1 : 0), tx.exec(script)),
      }))
    },
  }
  const caseStates = createCaseStates(env.store)
  const batchAfter = async (from: LogPosition) => (await env.store.readAll({ after: from })).slice()
  const members = async (): Promise<GroupMember[]> =>
    Promise.all([steady, flaky].map(async (p) => ({ p, version: 1, expected: await checkpointOf(env.db, p.name) })))

  await appendCases(env.store, [randomCase(r, 1), randomCase(r, 2)])
  const first = await applyGroupBatch(db, await members(), await batchAfter(await checkpointOf(env.db, 'flaky')), caseStates)
  t.same(first.applied.map((m) => m.p.name).sort(), ['flaky', 'steady'])
  t.same(stats, { tx: 1, savepoints: 0 }, 'one transaction, no savepoint')
  const upTo = await eventCount(env.db)

  ref.fail = true
  stats.tx = 0
  await appendCases(env.store, [randomCase(r, 3)])
  const second = await applyGroupBatch(db, await members(), await batchAfter(await checkpointOf(env.db, 'flaky')), caseStates)
  t.same(second.applied.map((m) => m.p.name), ['steady'])
  t.same(second.failed.map((f) => f.member.p.name), ['flaky'])
  t.match(second.failed[0]!.error.message, /flaky broke/)
  t.same(stats, { tx: 2, savepoints: 2 }, 'the first rolled back whole, the second with a savepoint per member')
  const total = await eventCount(env.db)
  t.same(await seen(env.db, 'steady'), { n: total, max: 1 }, 'steady: every event once (its rows of the first try rolled back)')
  t.same(await seen(env.db, 'flaky'), { n: upTo, max: 1 }, 'flaky: none of the failed batch')
  t.same(await checkpointOf(env.db, 'steady'), await lastAppendedPosition(env.db))
})

t.test('PGlite: the savepoints of a failing member roll back its rows only', async (t) => {
  const db = await createPgliteDatabase()
  await runMigrations(db, EVENT_STORE_MIGRATIONS)
  const store = createPostgresEventStore(db, { pollIntervalMs: 50 })
  t.teardown(async () => {
    await store.close()
    await db.close()
  })
  const ref = { fail: true, calls: 0 }
  const runner = createProjectionRunner({ db, store, projections: [counting('flaky', ref), counting('steady')], backoffMs: { initial: 20, max: 100 } })
  await runner.start()
  const last = await appendCases(store, [randomCase(rng(3), 1), randomCase(rng(3), 2)])
  t.ok(await runner.waitFor(last, ['steady'], 20_000), 'steady caught up')
  t.equal((await seen(db, 'flaky')).n, 0, 'no rows of the failing member')
  t.ok((runner.failures.get('flaky') ?? 0) >= 1)
  ref.fail = false
  t.ok(await runner.waitFor(last, ['flaky'], 20_000), 'flaky caught up')
  const total = (await store.readAll({})).length
  t.same(await seen(db, 'flaky'), { n: total, max: 1 })
  t.same(await seen(db, 'steady'), { n: total, max: 1 })
  await runner.stop()
})
