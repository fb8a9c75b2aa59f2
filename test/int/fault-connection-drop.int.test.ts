// Fault: the PostgreSQL backends of a running projection runner (found by application_name, including its LISTEN
// connection) are terminated with pg_terminate_backend again and again while it works through a backlog and new
// appends. The runner recovers by itself (no restart from outside), and every read model is complete and equal to
// a clean rebuild.
// FOUND BUG (fails until fixed, in commands/platform/postgres-database.ts, not this test's to change): a backend
// terminated BETWEEN two statements of db.transaction() has no active query to receive the error, so the pg client
// emits 'error' with no listener = uncaught exception (57P01) that kills the process. Fix: in transaction(), after
// pool.connect(), `const onError = () => { broken = true }; client.on('error', onError)` and in `finally`
// `client.off('error', onError)` before `client.release(broken)`. With that change this test passes (checked).
import t from 'tap'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../../commands/platform/postgres-database.js'
import { reportStream } from '../../domain/events.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { generateCases, caseEvents } from '../support/data-generator.js'
import { lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { dumpProjection, liveVersionOf } from '../support/projection-compare.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const DROPS = Number(process.env.BAOBEI_LONG ? 40 : 12)

t.test(`runner connections terminated ${DROPS} times mid-batch: it recovers alone, read models complete and correct`, async (t) => {
  const env = await projectionEnv('bbfaultc')
  t.teardown(() => env.drop())
  const app = `fault-runner-${process.pid}`
  const runnerDb = createPostgresDatabase(env.url, { max: 4, applicationName: app })
  const runnerStore = createPostgresEventStore(runnerDb, { pollIntervalMs: 50 })
  const runner = createProjectionRunner({ db: runnerDb, store: runnerStore, projections: PROJECTIONS, batchSize: 50, backoffMs: { initial: 20, max: 300 } })
  t.teardown(async () => {
    await runner.stop().catch(() => {})
    await runnerStore.close().catch(() => {})
    await runnerDb.close().catch(() => {})
  })
  const cases = generateCases({ seed: 77, cases: 100_000 })
  const appendCases = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const c = cases.next().value!
      await env.store.append(reportStream(c.caseId), caseEvents(c), 'no_stream')
    }
  }
  await appendCases(800) // a backlog of a few thousand events
  await runner.start()
  let terminated = 0
  for (let k = 0; k < DROPS; k++) {
    await sleep(150 + (k % 4) * 60)
    const r = await env.db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1`,
      [`${app}%`],
    )
    terminated += r.rows[0]!.n
    if (k % 3 === 0) await appendCases(40) // new events arrive meanwhile
  }
  t.ok(terminated >= DROPS, `${terminated} runner backends terminated`)
  const failures = [...runner.failures.values()].reduce((s, n) => s + n, 0)
  t.ok(failures > 0, `the runner saw the failures (${failures} failed batches) and retried`)
  const head = await lastAppendedPosition(env.db)
  t.ok(await runner.waitFor(head, undefined, 60_000), 'caught up by itself after the last termination')
  await runner.stop()
  const caseRows = await env.db.query<{ n: number }>(`SELECT count(DISTINCT stream_id)::int AS n FROM events WHERE starts_with(stream_id, $1)`, [reportStream('')])
  for (const p of PROJECTIONS) {
    const live = await dumpProjection(env.db, p, await liveVersionOf(env.db, p.name))
    const fresh = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
    await fresh.rebuild(p.name)
    const rebuilt = await dumpProjection(env.db, p, await liveVersionOf(env.db, p.name))
    t.same(live, rebuilt, `${p.name}: equals a clean rebuild (${Object.values(rebuilt).reduce((s, x) => s + x.length, 0)} rows)`)
  }
  const cases2 = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rm_cases_v${await liveVersionOf(env.db, 'cases')}`)
  t.equal(cases2.rows[0]!.n, caseRows.rows[0]!.n, 'the cases read model has every case of the log')
})
