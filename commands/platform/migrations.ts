import type { Database } from './database.js'

export interface Migration {
  id: string // unique, ordered within its module, e.g. 'event-store/001-events'
  sql: string
}

/** Applies migrations not yet applied, once, under an advisory lock (safe with concurrent starters). */
export async function runMigrations(db: Database, migrations: readonly Migration[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7420011)`)
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = new Set((await tx.query<{ id: string }>(`SELECT id FROM schema_migrations`)).rows.map((r) => r.id))
    for (const m of migrations) {
      if (done.has(m.id)) continue
      await tx.exec(m.sql)
      await tx.query(`INSERT INTO schema_migrations (id) VALUES ($1)`, [m.id])
    }
  })
}
