// The quota read model is gone (its ledger is summed from the occurrences): a database that had it loses its tables
// of every version and its bookkeeping rows at the next migration, and keeps everything else.
import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { PROJECTION_MIGRATIONS, migrateProjections } from '../../projections/catalog.js'

t.test('migrating drops rm_quota_v*, rm_quota_state_v* and quota\'s versions and checkpoints, nothing else', async (t) => {
  const tdb = await freshDatabase('bbretire')
  t.teardown(() => tdb.drop())
  const db = tdb.db
  // a database as the code before the change left it
  await runMigrations(db, PROJECTION_MIGRATIONS.filter((m) => m.id !== 'projections/003-retire-quota'))
  await db.exec(`
    CREATE TABLE rm_quota_v1 (case_id text); CREATE TABLE rm_quota_state_v1 (case_id text); CREATE TABLE rm_quota_v2 (case_id text);
    CREATE TABLE rm_occurrences_v2 (case_id text); CREATE TABLE rm_quota_notes (x text);
    INSERT INTO projection_versions (name, live_version) VALUES ('quota', 2), ('occurrences', 2);
    INSERT INTO projection_checkpoints (name, version, position_commit, position_prepare, status)
      VALUES ('quota', 2, 10, 10, 'live'), ('quota', 3, 5, 5, 'building'), ('occurrences', 2, 10, 10, 'live');`)
  await migrateProjections(db)
  const tables = (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'rm_%' ORDER BY 1`)).rows.map((r) => r.t)
  t.same(tables, ['rm_occurrences_v2', 'rm_quota_notes'], 'the quota versions are dropped; a table merely named alike stays')
  t.same((await db.query<{ name: string }>(`SELECT name FROM projection_versions ORDER BY 1`)).rows.map((r) => r.name), ['occurrences'])
  t.same((await db.query<{ name: string }>(`SELECT DISTINCT name FROM projection_checkpoints ORDER BY 1`)).rows.map((r) => r.name), ['occurrences'])
  await migrateProjections(db)
  t.pass('a second migration is a no-op')
})
