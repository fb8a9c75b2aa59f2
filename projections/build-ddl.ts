// The DDL of a version being rebuilt, split for a fast load: its tables are created UNLOGGED (no WAL per row) and
// its non-unique indexes are left out; `finish` makes the tables logged and creates those indexes once the rows are
// in (one sorted build per index instead of one insertion per row). Unique indexes and primary keys stay: the
// projections' upserts need them as arbiters, and so does a plain index on `(case_id)` alone: the case projections
// replace a case's rows by deleting them by case_id during the build (without it each batch's delete would scan
// the whole table). Generic over projections: it reads only their DDL text.
export interface BuildDdl {
  /** CREATE TABLE (unlogged) and unique indexes. */
  readonly tables: string
  /** The deferred secondary indexes. */
  readonly indexes: readonly string[]
  /** SQL run before the switch: tables logged again, then the deferred indexes. */
  finish(physicalTables: readonly string[]): string
}

const SECONDARY_INDEX = /CREATE INDEX IF NOT EXISTS [^;]+;/g
/** Indexes the build's own deletes need: kept in the build tables. */
const DELETE_KEY = /ON \S+ \(case_id\);$/
const CREATE_TABLE = /CREATE TABLE IF NOT EXISTS /g

export function buildDdl(ddl: string): BuildDdl {
  const indexes = (ddl.match(SECONDARY_INDEX) ?? []).filter((i) => !DELETE_KEY.test(i))
  const tables = ddl.replace(SECONDARY_INDEX, (i) => (DELETE_KEY.test(i) ? i : '')).replace(CREATE_TABLE, 'CREATE UNLOGGED TABLE IF NOT EXISTS ')
  return {
    tables,
    indexes,
    finish: (physicalTables) => [...physicalTables.map((t) => `ALTER TABLE ${t} SET LOGGED;`), ...indexes].join('\n'),
  }
}
