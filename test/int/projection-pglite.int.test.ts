// The embedded default (PGlite, no DATABASE_URL): the runner, queries and rebuild work there too.
import t from 'tap'
import { createPgliteDatabase } from '../../commands/platform/pglite-database.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { searchCases } from '../../projections/queries/cases.js'
import { listOccurrences } from '../../projections/queries/occurrences.js'
import { appendCases } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'

t.test('projections on PGlite', async (t) => {
  const db = await createPgliteDatabase()
  await runMigrations(db, EVENT_STORE_MIGRATIONS)
  const store = createPostgresEventStore(db, { pollIntervalMs: 50 })
  t.teardown(async () => {
    await store.close()
    await db.close()
  })
  const runner = createProjectionRunner({ db, store, projections: PROJECTIONS })
  await runner.start()
  const r = rng(12)
  const builders = Array.from({ length: 30 }, (_, i) => randomCase(r, i))
  const last = await appendCases(store, builders)
  t.ok(await runner.waitFor(last, undefined, 30_000), 'caught up on PGlite')
  const rm = await createReadModels(db)
  t.equal((await searchCases(rm, { kind: 'national' }, {}, { pageSize: 100 })).total, 30)
  const occ = await listOccurrences(rm, { kind: 'national' })
  const rebuilt = await runner.rebuild('occurrences')
  t.equal(rebuilt.toVersion, 2)
  t.same(await listOccurrences(rm, { kind: 'national' }), occ, 'rebuilt occurrences equal')
  await runner.stop()
  await rm.close()
})
