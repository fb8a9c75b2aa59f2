// Rebuild: version N+1 is built beside the live one from the start of the log, then switched in one transaction;
// the old tables are dropped; queries keep answering throughout; the rebuilt rows equal the live ones.
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { countCases, searchCases } from '../../projections/queries/cases.js'
import { appendCases, lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'
import { loadWorkload } from '../support/projection-perf.js'
import { dumpProjection, liveVersionOf } from '../support/projection-compare.js'

t.test('rebuild every projection beside the live one; pages keep serving; rows equal', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
  await runner.start()
  t.teardown(() => runner.stop())
  const t0 = Date.now()
  const cases = 400
  await loadWorkload(env, cases, 42)
  const last = await lastAppendedPosition(env.db)
  t.ok(await runner.waitFor(last, undefined, 60_000), 'live projections caught up')
  t.comment(`loaded and projected live in ${Date.now() - t0} ms`)
  const before = new Map<string, Record<string, string[]>>()
  for (const p of PROJECTIONS) before.set(p.name, await dumpProjection(env.db, p, 1))

  const rm = await createReadModels(env.db, { ttlMs: 60_000 }) // long TTL: the switch must invalidate by itself
  t.teardown(() => rm.close())
  let answered = 0
  let failures = 0
  let stop = false
  const reader = (async () => {
    while (!stop) {
      try {
        const n = await countCases(rm, { kind: 'national' })
        if (n !== cases) failures++
        answered++
      } catch (e) {
        failures++
        t.comment(`query failed during rebuild: ${(e as Error).message}`)
      }
    }
  })()
  for (const p of PROJECTIONS) {
    const res = await runner.rebuild(p.name)
    t.equal(res.toVersion, 2, `${p.name} rebuilt as version 2`)
    t.equal(await liveVersionOf(env.db, p.name), 2, `${p.name} live pointer switched`)
    t.same(await dumpProjection(env.db, p, 2), before.get(p.name), `${p.name}: rebuilt rows equal the live rows`)
    const old = await env.db.query(`SELECT to_regclass($1) AS t`, [`rm_${p.tables[0]}_v1`])
    t.equal(old.rows[0]!.t, null, `${p.name}: old tables dropped`)
    t.comment(`${p.name}: ${res.events} events in ${res.ms} ms (${Math.round((res.events * 1000) / Math.max(1, res.ms))} events/s)`)
  }
  stop = true
  await reader
  t.ok(answered > 10, `queries answered during the rebuild (${answered})`)
  t.equal(failures, 0, 'no query failed or saw a partial read model')

  // the live runner moved to version 2 and keeps projecting
  const more = await appendCases(env.store, [randomCase(rng(5), 999)])
  t.ok(await runner.waitFor(more, undefined, 20_000), 'live runner continues on the new version')
  t.equal((await searchCases(rm, { kind: 'national' }, {}, { pageSize: 1 })).total, cases + 1)
  // two rebuilds of one projection at once: one builds, the other is refused
  const both = await Promise.allSettled([runner.rebuild('history'), runner.rebuild('history')])
  t.equal(both.filter((x) => x.status === 'fulfilled').length, 1, 'one rebuild runs')
  const refused = both.find((x) => x.status === 'rejected') as PromiseRejectedResult
  t.match(refused.reason, { code: 'REBUILD_IN_PROGRESS' })
  t.equal(await liveVersionOf(env.db, 'history'), 3)
  const cps = await env.db.query<{ name: string; version: number; status: string }>(`SELECT name, version, status FROM projection_checkpoints ORDER BY name`)
  t.same(cps.rows.map((c) => `${c.name}:${c.version}/${c.status}`), PROJECTIONS.map((p) => `${p.name}:${p.name === 'history' ? 3 : 2}/live`).sort(), 'one live checkpoint per projection')
})
