// The runner against real PostgreSQL and the PostgreSQL event store: batches with checkpoints in one transaction,
// compare-and-set between two runners, retry after a handler error, read-your-writes, lag and metrics.
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { searchCases } from '../../projections/queries/cases.js'
import { readCheckpoints } from '../../projections/catalog.js'
import { renderMetrics, statusObject } from '../../projections/status.js'
import type { Projection } from '../../projections/projection.js'
import { appendCases, lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'
import { reportStream } from '../../domain/events.js'
import { comparePositions } from '../../commands/event-store/port.js'

/** A projection counting each event once per event id: a double-applied event breaks the primary key / count. */
const counting = (name: string, failOn?: { ref: { fail: boolean } }): Projection => ({
  name,
  tables: ['seen_' + name],
  ddl: (v) => `CREATE TABLE IF NOT EXISTS rm_seen_${name}_v${v} (event_id text PRIMARY KEY, applied int NOT NULL DEFAULT 1);`,
  async handle(events, ctx) {
    if (failOn?.ref.fail) throw new Error('handler broke')
    await ctx.tx.query(
      `INSERT INTO ${ctx.table('seen_' + name)} (event_id) SELECT unnest($1::text[])
       ON CONFLICT (event_id) DO UPDATE SET applied = ${ctx.table('seen_' + name)}.applied + 1`,
      [events.map((e) => e.id)],
    )
  },
})

t.test('two runners on the same projection: every event applied exactly once, read models correct', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const r = rng(7)
  const a = createProjectionRunner({ db: env.db, store: env.store, projections: [...PROJECTIONS, counting('dup')], batchSize: 40 })
  const b = createProjectionRunner({ db: env.db, store: env.store, projections: [...PROJECTIONS, counting('dup')], batchSize: 25 })
  await a.start()
  await b.start()
  const builders = Array.from({ length: 120 }, (_, i) => randomCase(r, i))
  const writers = [0, 1, 2].map((k) => appendCases(env.store, builders.filter((_, i) => i % 3 === k)))
  await Promise.all(writers)
  const head = await lastAppendedPosition(env.db)
  t.ok(await a.waitFor(head, undefined, 30_000), 'caught up')
  await a.stop()
  await b.stop()
  const total = builders.reduce((n, x) => n + x.events.length, 0)
  const seen = await env.db.query<{ n: string; max: number }>(`SELECT count(*) AS n, max(applied) AS max FROM rm_seen_dup_v1`)
  t.equal(Number(seen.rows[0]!.n), total, 'every event applied')
  t.equal(Number(seen.rows[0]!.max), 1, 'no event applied twice')
  const misses = (a.checkpointMisses.get('dup') ?? 0) + (b.checkpointMisses.get('dup') ?? 0)
  t.ok(misses > 0, `the runners did race (${misses} compare-and-set misses) and backed off`)
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  const page = await searchCases(rm, { kind: 'national' }, {}, { pageSize: 500 })
  t.equal(page.total, builders.length, 'one row per case')
  // every row equals the fold of its own stream
  const hist = await env.db.query<{ n: string }>(`SELECT count(*) AS n FROM rm_case_history_v1`)
  t.equal(Number(hist.rows[0]!.n), total, 'history has every event once')
})

t.test('a handler error: nothing committed, checkpoint unmoved, retried with backoff until it works', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const ref = { fail: true }
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [counting('flaky', { ref }), counting('steady')], backoffMs: { initial: 20, max: 100 } })
  await runner.start()
  t.teardown(() => runner.stop())
  const r = rng(3)
  const last = await appendCases(env.store, [randomCase(r, 1), randomCase(r, 2)])
  t.equal(await runner.waitFor(last, ['flaky'], 600), false, 'not caught up while failing')
  const cp = (await readCheckpoints(env.db)).find((c) => c.name === 'flaky')!
  t.equal(cp.position.commit, -1n, 'checkpoint did not move')
  const rows = await env.db.query(`SELECT * FROM rm_seen_flaky_v1`)
  t.equal(rows.rowCount, 0, 'no read-model rows committed')
  t.ok((runner.failures.get('flaky') ?? 0) >= 2, 'retried')
  t.equal(await runner.waitFor(last, ['steady'], 10_000), true, 'the other projection is not held up')
  const lag = await runner.getLag()
  const flaky = lag.find((l) => l.name === 'flaky')!
  const events = (await env.store.readAll({})).length
  t.equal(flaky.lagEvents, events, 'lag in events: everything is unprocessed')
  t.ok(flaky.lagMs > 0, `lag in ms from the oldest unprocessed event (${flaky.lagMs})`)
  t.match(lag.find((l) => l.name === 'steady'), { lagEvents: 0, lagMs: 0 })
  t.equal(statusObject(lag, 0).ok, false, 'status not ok while a projection lags')
  ref.fail = false
  t.equal(await runner.waitFor(last, ['flaky'], 10_000), true, 'caught up after the error cleared')
  const n = await env.db.query<{ n: string; max: number }>(`SELECT count(*) AS n, max(applied) AS max FROM rm_seen_flaky_v1`)
  t.equal(Number(n.rows[0]!.max), 1)
  const lag2 = await runner.getLag()
  t.same(lag2.map((l) => [l.lagEvents, l.lagMs]), [[0, 0], [0, 0]])
  t.match(renderMetrics(lag2), /baobei_projection_lag_events\{projection="flaky"\} 0\n/)
})

t.test('read-your-writes: waitFor resolves once the projections have the appended position', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  const c = randomCase(rng(11), 5)
  const last = await appendCases(env.store, [c])
  t.equal(await runner.waitFor(last, ['cases', 'history'], 10_000), true)
  const page = await searchCases(rm, { kind: 'national' }, {})
  t.equal(page.rows[0]?.caseId, c.caseId, 'the write is visible right after waitFor')
  const stream = await env.store.readStream(reportStream(c.caseId))
  t.equal(stream.length, c.events.length)
  // what this runner committed, known in-process, is what the checkpoints say
  const cps = await readCheckpoints(env.db)
  for (const name of ['cases', 'history']) {
    const mine = runner.committed.get(name)
    t.ok(mine && comparePositions(mine, last) >= 0, `${name}: committed in-process at or past the append`)
    t.same(mine, cps.find((cp) => cp.name === name)?.position, `${name}: the checkpoint`)
  }
  const far = { commit: last.commit + 1_000_000n, prepare: 0n }
  const t0 = Date.now()
  t.equal(await runner.waitFor(far, ['cases'], 200), false, 'bounded: false on timeout')
  t.ok(Date.now() - t0 < 1000)
})

t.test('a projection whose table definitions changed is rebuilt beside the live one at start', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const shape = (extra: string): Projection => ({
    name: 'shape',
    tables: ['shape'],
    ddl: (v) => `CREATE TABLE IF NOT EXISTS rm_shape_v${v} (event_id text PRIMARY KEY${extra});`,
    async handle(events, ctx) {
      await ctx.tx.query(`INSERT INTO ${ctx.table('shape')} (event_id) SELECT unnest($1::text[])`, [events.map((e) => e.id)])
    },
  })
  const last = await appendCases(env.store, [randomCase(rng(1), 1)])
  const first = createProjectionRunner({ db: env.db, store: env.store, projections: [shape('')] })
  await first.start()
  t.ok(await first.waitFor(last, ['shape'], 10_000))
  await first.stop()
  const again = createProjectionRunner({ db: env.db, store: env.store, projections: [shape('')] })
  await again.start()
  await again.stop()
  t.equal((await env.db.query(`SELECT live_version FROM projection_versions WHERE name = 'shape'`)).rows[0]!.live_version, 1, 'same definition: no rebuild')
  const changed = createProjectionRunner({ db: env.db, store: env.store, projections: [shape(', note text')] })
  await changed.start()
  await changed.stop() // waits for the automatic rebuild
  t.equal((await env.db.query(`SELECT live_version FROM projection_versions WHERE name = 'shape'`)).rows[0]!.live_version, 2, 'rebuilt as version 2')
  const cols = await env.db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'rm_shape_v2' ORDER BY column_name`)
  t.same(cols.rows.map((r) => r.column_name), ['event_id', 'note'])
  t.equal((await env.db.query(`SELECT count(*)::int AS n FROM rm_shape_v2`)).rows[0]!.n, (await env.store.readAll({})).length)
})
