// Set-based writes: many rows in one statement, passed as one jsonb parameter (no per-row round trips,
// no parameter-count limits).
import type { Sql } from '../commands/platform/database.js'

/** Column name → PostgreSQL type used to read it back from JSON (text, int, date, timestamptz, text[], jsonb ...). */
export type Columns = Record<string, string>

export async function insertRows(
  tx: Sql,
  table: string,
  columns: Columns,
  rows: readonly Record<string, unknown>[],
  onConflict = '',
): Promise<void> {
  if (rows.length === 0) return
  const names = Object.keys(columns)
  const list = names.join(', ')
  const recordType = names.map((n) => `${n} ${columns[n]}`).join(', ')
  await tx.query(`INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType}) ${onConflict}`, [
    JSON.stringify(rows),
  ])
}

/** INSERT ... ON CONFLICT (key) DO UPDATE SET every other column. */
export async function upsertRows(tx: Sql, table: string, columns: Columns, key: readonly string[], rows: readonly Record<string, unknown>[]) {
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
