// Rebuild writes through COPY (sql-rows' bulkLoad): the rows COPY stores are exactly the rows the live path's
// jsonb_to_recordset INSERT stores, for awkward values (tabs, newlines, backslashes, quotes and braces in text and
// arrays, NULL and 'NULL', empty arrays, jsonb with escapes, numbers, booleans, dates, a Date object); an upsert
// in bulk replaces the row; a duplicate under ON CONFLICT DO NOTHING fails the bulk batch loudly.
import t from 'tap'
import { bulkLoad, insertRows, upsertRows, type Columns } from '../../projections/sql-rows.js'
import { freshDatabase } from '../support/db.js'

const COLUMNS = {
  id: 'text',
  label: 'text',
  n: 'int',
  x: 'numeric',
  flag: 'boolean',
  day: 'date',
  at: 'timestamptz',
  tags: 'text[]',
  doc: 'jsonb',
} as const satisfies Columns

const rows = [
  { id: 'a', label: 'tab\there\nnew line\r\\back\\slash', n: 1, x: 1234.5, flag: true, day: '2024-03-01', at: '2024-03-01T01:02:03.456Z', tags: ['臺北市', 'a b', 'q"uote', 'br{ace}', 'co,mma', 'back\\slash', '', 'NULL', 'tab\tx'], doc: { s: 'line\nbreak\t"q" \\ 中文', a: [1, null, true], e: {} } },
  { id: 'b', label: null, n: null, x: null, flag: false, day: null, at: new Date('2024-03-02T00:00:00Z'), tags: [], doc: null },
  { id: 'c', label: '\\N', n: -7, x: 0.000001, flag: null, day: '2024-12-31', at: null, tags: null, doc: [] },
  { id: 'd', label: '', n: 0, x: 1e21, flag: true, day: '2024-02-29', at: '2024-02-29T23:59:59+08:00', tags: ['null'], doc: 'just a string' },
]

t.test('COPY in a bulk transaction stores what the INSERT path stores', async (t) => {
  const tdb = await freshDatabase('bbcopy')
  t.teardown(() => tdb.drop())
  const ddl = (name: string) => `CREATE TABLE ${name} (${Object.entries(COLUMNS).map(([n, ty]) => `${n} ${ty}${n === 'id' ? ' PRIMARY KEY' : ''}`).join(', ')})`
  await tdb.db.exec(`${ddl('via_insert')}; ${ddl('via_copy')}`)
  await tdb.db.transaction((tx) => insertRows(tx, 'via_insert', COLUMNS, rows))
  let copied = false
  await tdb.db.transaction(async (tx) => {
    t.ok(tx.copyFrom, 'a PostgreSQL transaction can COPY')
    const bulk = bulkLoad(tx)
    const orig = bulk.copyFrom!
    bulk.copyFrom = (sql, chunks) => ((copied = true), orig(sql, chunks))
    await insertRows(bulk, 'via_copy', COLUMNS, rows, 'ON CONFLICT (id) DO NOTHING')
  })
  t.ok(copied, 'the bulk insert went through COPY')
  const dump = async (table: string) => (await tdb.db.query(`SELECT row_to_json(r)::text AS j FROM ${table} r ORDER BY id`)).rows.map((r) => r.j)
  const viaInsert = await dump('via_insert')
  t.equal(viaInsert.length, rows.length)
  t.same(await dump('via_copy'), viaInsert, 'row for row, column for column')

  // upsert in bulk: the row is replaced, others untouched
  const changed = { ...rows[0]!, label: 'changed\tlabel', tags: ['x'] }
  await tdb.db.transaction((tx) => upsertRows(tx, 'via_insert', COLUMNS, ['id'], [changed]))
  await tdb.db.transaction((tx) => upsertRows(bulkLoad(tx), 'via_copy', COLUMNS, ['id'], [changed]))
  t.same(await dump('via_copy'), await dump('via_insert'), 'bulk upsert = upsert')

  // a duplicate in a build is a bug: the batch fails and writes nothing
  await t.rejects(tdb.db.transaction((tx) => insertRows(bulkLoad(tx), 'via_copy', COLUMNS, [rows[1]!], 'ON CONFLICT (id) DO NOTHING')))
  t.same(await dump('via_copy'), await dump('via_insert'), 'the failed batch left the table as it was')
})

t.test('without a COPY-capable transaction (the pool, PGlite) bulkLoad changes nothing', async (t) => {
  const tdb = await freshDatabase('bbcopy')
  t.teardown(() => tdb.drop())
  t.equal(tdb.db.copyFrom, undefined, 'the pool cannot COPY')
  t.equal(bulkLoad(tdb.db), tdb.db)
})
