// The DDL of a version being rebuilt, split for a fast load: its tables are created UNLOGGED (no WAL per row) and
// its non-unique indexes are left out; `finish` makes the tables logged and creates those indexes once the rows are
// in (one sorted build per index instead of one insertion per row). Unique indexes and primary keys stay: the
// projections' upserts need them as arbiters. Generic over projections: it reads only their DDL text.
export interface BuildDdl {
  /** CREATE TABLE (unlogged) and unique indexes. */
  readonly tables: string
  /** The deferred secondary indexes. */
  readonly indexes: readonly string[]
  /** SQL run before the switch: tables logged again, then the deferred indexes. */
  finish(physicalTables: readonly string[]): string
}

const SECONDARY_INDEX = /CREATE INDEX IF NOT EXISTS [^;]+;/g
const CREATE_TABLE = /CREATE TABLE IF NOT EXISTS /g

export function buildDdl(ddl: string): BuildDdl {
  const indexes = ddl.match(SECONDARY_INDEX) ?? []
  const tables = ddl.replace(SECONDARY_INDEX, '').replace(CREATE_TABLE, 'CREATE UNLOGGED TABLE IF NOT EXISTS ')
  return {
    tables,
    indexes,
    finish: (physicalTables) => [...physicalTables.map((t) => `ALTER TABLE ${t} SET LOGGED;`), ...indexes].join('\n'),
  }
}
