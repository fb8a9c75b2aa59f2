// Rebuilding several projections with one read of the log (runner.rebuildMany, `baobei project --rebuild all`):
// every read model equals the live one built event by event, the new versions are logged tables with all their
// indexes, and the old versions are gone.
import t from 'tap'
import { reportStream } from '../../domain/events.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { physicalTable } from '../../projections/projection.js'
import { buildDdl } from '../../projections/build-ddl.js'
import { caseEvents, generateCases } from '../support/data-generator.js'
import { lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { dumpProjection, liveVersionOf } from '../support/projection-compare.js'

t.test('rebuildMany: one read of the log for all seven; equal to the live read models; logged and indexed', async (t) => {
  const env = await projectionEnv('bbrbmany')
  t.teardown(() => env.drop())
  for (const c of generateCases({ seed: 17, cases: 300 })) await env.store.append(reportStream(c.caseId), caseEvents(c), 'no_stream')
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS, batchSize: 37, rebuildBatchSize: 150 })
  await runner.start()
  t.teardown(() => runner.stop())
  t.ok(await runner.waitFor(await lastAppendedPosition(env.db), undefined, 60_000), 'live projections caught up')
  const before = new Map<string, { version: number; dump: Record<string, string[]> }>()
  for (const p of PROJECTIONS) {
    const version = await liveVersionOf(env.db, p.name)
    before.set(p.name, { version, dump: await dumpProjection(env.db, p, version) })
  }
  const results = await runner.rebuildMany(PROJECTIONS.map((p) => p.name))
  t.equal(results.length, PROJECTIONS.length)
  t.equal(new Set(results.map((r) => r.events)).size, 1, 'every projection saw the same events (one read)')
  for (const p of PROJECTIONS) {
    const old = before.get(p.name)!
    const version = await liveVersionOf(env.db, p.name)
    t.equal(version, old.version + 1, `${p.name}: switched to the new version`)
    t.same(await dumpProjection(env.db, p, version), old.dump, `${p.name}: equals the live read model`)
    for (const base of p.tables) {
      const r = await env.db.query<{ persistence: string; old: string | null }>(
        `SELECT relpersistence AS persistence, to_regclass($2) AS old FROM pg_class WHERE oid = to_regclass($1)`,
        [physicalTable(base, version), physicalTable(base, old.version)],
      )
      t.equal(r.rows[0]?.persistence, 'p', `${base}: a logged table again`)
      t.equal(r.rows[0]?.old ?? null, null, `${base}: the old version is dropped`)
    }
    const idx = await env.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = ANY($1::text[])`,
      [p.tables.map((b) => physicalTable(b, version))],
    )
    const expected = (p.ddl(version).match(/CREATE (UNIQUE )?INDEX/g) ?? []).length
    t.ok(idx.rows[0]!.n >= expected && buildDdl(p.ddl(version)).indexes.length <= expected, `${p.name}: its ${expected} declared indexes exist (${idx.rows[0]!.n} with keys)`)
  }
})
