// The case projections live with almost nothing in memory (one case kept): nearly every state a batch starts from is
// folded again from the log (EventStore.readStreams), while several writers interleave cases. The read models must
// equal a clean rebuild, which folds with everything in memory.
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { appendCases, lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'
import { dumpProjection } from '../support/projection-compare.js'

t.test('live batches whose states come from the log equal a clean rebuild', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS, batchSize: 7, caseStatesCached: 1 })
  await runner.start()
  const r = rng(21)
  const builders = Array.from({ length: 90 }, (_, i) => randomCase(r, i))
  // three writers, each appending its cases one event at a time: a case's events land in different batches
  await Promise.all([0, 1, 2].map((k) => appendCases(env.store, builders.filter((_, i) => i % 3 === k))))
  const head = await lastAppendedPosition(env.db)
  t.ok(await runner.waitFor(head, undefined, 60_000), 'caught up')
  await runner.stop()
  const { asked, read } = runner.caseStateStats
  t.ok(read > asked / 4, `most states were folded again from the log (${read} of ${asked})`)

  const fresh = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
  for (const p of PROJECTIONS) {
    const live = await dumpProjection(env.db, p, 1)
    await fresh.rebuild(p.name)
    const rebuilt = await dumpProjection(env.db, p, 2)
    for (const table of Object.keys(rebuilt)) {
      t.ok(rebuilt[table]!.length > 0 || p.name === 'administration' || p.name === 'read_audit', `${p.name}.${table}: rows to compare`)
      t.same(live[table], rebuilt[table], `${p.name}.${table}: rows equal a clean rebuild`)
    }
  }
})
