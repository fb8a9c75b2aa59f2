// Dumps every table of a projection version as sorted JSON rows, to compare a read model with a clean rebuild.
import type { Database } from '../../commands/platform/database.js'
import { physicalTable, type Projection } from '../../projections/projection.js'

export async function dumpProjection(db: Database, p: Projection, version: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const base of p.tables) {
    const r = await db.query(`SELECT * FROM ${physicalTable(base, version)}`)
    out[base] = r.rows.map((row) => JSON.stringify(row)).sort()
  }
  return out
}

export async function liveVersionOf(db: Database, name: string): Promise<number> {
  const r = await db.query<{ v: number }>(`SELECT live_version AS v FROM projection_versions WHERE name = $1`, [name])
  return Number(r.rows[0]!.v)
}
