// The DDL of a version being rebuilt, split for a fast load: its non-unique indexes are left out and `finish`
// creates them once the rows are in (one sorted build per index instead of one insertion per row). The tables are
// logged from the start: built UNLOGGED and made logged at the end, a 100k rebuild cost PostgreSQL 16.1–16.7 s of
// CPU against 14.2–14.6 s logged (SET LOGGED rewrites every table once more). (Either way an interrupted build is
// dropped and started again, runner.ts prepareRebuild.) Unique indexes and primary keys stay: the
// projections' upserts need them as arbiters, and so does a plain index on `(case_id)` alone: the case projections
// replace a case's rows by deleting them by case_id during the build (without it each batch's delete would scan
// the whole table). Generic over projections: it reads only their DDL text.
export interface BuildDdl {
  /** CREATE TABLE and unique indexes. */
  readonly tables: string
  /** The deferred secondary indexes. */
  readonly indexes: readonly string[]
  /** SQL run before the switch: the deferred indexes. */
  finish(): string
}

const SECONDARY_INDEX = /CREATE INDEX IF NOT EXISTS [^;]+;/g
/** Indexes the build's own deletes need: kept in the build tables. */
const DELETE_KEY = /ON \S+ \(case_id\);$/

export function buildDdl(ddl: string): BuildDdl {
  const indexes = (ddl.match(SECONDARY_INDEX) ?? []).filter((i) => !DELETE_KEY.test(i))
  const tables = ddl.replace(SECONDARY_INDEX, (i) => (DELETE_KEY.test(i) ? i : ''))
  return {
    tables,
    indexes,
    finish: () => indexes.join('\n'),
  }
}
