// The DDL of a version being rebuilt: logged tables, secondary indexes deferred to after the load.
import t from 'tap'
import { buildDdl } from '../../projections/build-ddl.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'

t.test('tables logged, unique keys kept, non-unique indexes deferred and created by finish()', async (t) => {
  const b = buildDdl(`CREATE TABLE IF NOT EXISTS rm_x_v2 (id text PRIMARY KEY, a int);
CREATE UNIQUE INDEX IF NOT EXISTS rm_x_v2_a ON rm_x_v2 (a);
CREATE INDEX IF NOT EXISTS rm_x_v2_b ON rm_x_v2 USING gin (b);
CREATE INDEX IF NOT EXISTS rm_x_v2_case ON rm_x_v2 (case_id);`)
  t.match(b.tables, /CREATE TABLE IF NOT EXISTS rm_x_v2/)
  t.notMatch(b.tables, /UNLOGGED/, 'a crash of the database keeps what the build committed')
  t.match(b.tables, /CREATE UNIQUE INDEX IF NOT EXISTS rm_x_v2_a/, 'unique indexes stay (upserts need them)')
  t.notMatch(b.tables, /rm_x_v2_b/)
  t.match(b.tables, /CREATE INDEX IF NOT EXISTS rm_x_v2_case ON rm_x_v2 \(case_id\);/, 'the index the build deletes by stays')
  t.same(b.indexes, ['CREATE INDEX IF NOT EXISTS rm_x_v2_b ON rm_x_v2 USING gin (b);'])
  t.equal(b.finish(), 'CREATE INDEX IF NOT EXISTS rm_x_v2_b ON rm_x_v2 USING gin (b);')
})

t.test('every projection: the split loses no statement', async (t) => {
  for (const p of PROJECTIONS) {
    const ddl = p.ddl(3)
    const b = buildDdl(ddl)
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim()
    const created = (ddl.match(/CREATE (UNIQUE )?INDEX/g) ?? []).length
    t.equal((b.tables.match(/CREATE (UNIQUE )?INDEX/g) ?? []).length + b.indexes.length, created, `${p.name}: every index somewhere`)
    if (/\(case_id\);/.test(ddl)) t.match(b.tables, /\(case_id\);/, `${p.name}: its case_id index is in the build tables`)
    t.equal((b.tables.match(/CREATE TABLE/g) ?? []).length, (ddl.match(/CREATE TABLE/g) ?? []).length, `${p.name}: every table created`)
    t.ok(norm(b.tables + b.indexes.join(' ')).length > 0)
  }
})
