// Set-based writes: many rows in one statement, passed as one jsonb parameter (no per-row round trips,
// no parameter-count limits). While a version is being rebuilt (a "bulk" transaction, see `bulkLoad`), plain
// inserts go through `COPY ... FROM STDIN` instead, and upserts become delete-by-key plus COPY.
import type { Sql } from '../commands/platform/database.js'
import { copyChunks } from './copy-text.js'

/** Column name → PostgreSQL type used to read it back from JSON (text, int, date, timestamptz, text[], jsonb ...). */
export type Columns = Record<string, string>

const BULK = Symbol('bulk load')
type BulkSql = Sql & { [BULK]: true; copyFrom: NonNullable<Sql['copyFrom']> }

/**
 * The transaction of a rebuild batch, marked for bulk writes when it can COPY (PostgreSQL; PGlite keeps INSERT).
 * A build writes into fresh tables and applies every event exactly once (compare-and-set checkpoint from the
 * start of the log), so an insert that would skip duplicates (`ON CONFLICT ... DO NOTHING`) can COPY: a
 * duplicate there is a bug, and COPY fails the batch on it instead of hiding it.
 */
export function bulkLoad(tx: Sql): Sql {
  if (!tx.copyFrom) return tx
  const copyFrom = tx.copyFrom.bind(tx)
  return { query: (t, p) => tx.query(t, p), exec: (s) => tx.exec(s), copyFrom, [BULK]: true } as BulkSql
}

const isBulk = (tx: Sql): tx is BulkSql => (tx as Partial<BulkSql>)[BULK] === true

const DO_NOTHING = /^\s*ON CONFLICT \([^)]*\) DO NOTHING\s*$/i

async function copyRows(tx: BulkSql, table: string, columns: Columns, rows: readonly Record<string, unknown>[]) {
  const names = Object.keys(columns)
  await tx.copyFrom(`COPY ${table} (${names.join(', ')}) FROM STDIN`, copyChunks(columns, rows))
}

export async function insertRows(
  tx: Sql,
  table: string,
  columns: Columns,
  rows: readonly Record<string, unknown>[],
  onConflict = '',
): Promise<void> {
  if (rows.length === 0) return
  if (isBulk(tx) && (onConflict === '' || DO_NOTHING.test(onConflict))) return copyRows(tx, table, columns, rows)
  const names = Object.keys(columns)
  const list = names.join(', ')
  const recordType = names.map((n) => `${n} ${columns[n]}`).join(', ')
  await tx.query(`INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType}) ${onConflict}`, [
    JSON.stringify(rows),
  ])
}

/** INSERT ... ON CONFLICT (key) DO UPDATE SET every other column (in a bulk load: delete by key, then COPY). */
export async function upsertRows(tx: Sql, table: string, columns: Columns, key: readonly string[], rows: readonly Record<string, unknown>[]) {
  if (rows.length === 0) return
  if (isBulk(tx) && key.length === 1) {
    // every column is written, so replacing the row is the same as updating it (the rows' keys are distinct,
    // as the upsert requires: one statement cannot update a row twice)
    const k = key[0]!
    await deleteWhereIn(tx, table, k, rows.map((r) => String(r[k])))
    return copyRows(tx, table, columns, rows)
  }
  const set = Object.keys(columns)
    .filter((c) => !key.includes(c))
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ')
  await insertRows(tx, table, columns, rows, `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set}`)
}

export async function deleteWhereIn(tx: Sql, table: string, column: string, values: readonly string[]) {
  if (values.length === 0) return
  await tx.query(`DELETE FROM ${table} WHERE ${column} = ANY($1::text[])`, [values])
}
