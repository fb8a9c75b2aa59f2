import { PGlite } from '@electric-sql/pglite'
import type { Database, QueryResult, Sql } from './database.js'

/** Embedded PostgreSQL in a folder (or in memory with dataDir undefined). Single process, serialised access. */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  const db = dataDir ? new PGlite(dataDir) : new PGlite()
  await db.waitReady
  const wrap = (c: { query: PGlite['query']; exec: PGlite['exec'] }): Sql => ({
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const r = await c.query<R>(text, params as unknown[] | undefined)
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length }
    },
    async exec(script: string) {
      await c.exec(script)
    },
  })
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onNotify) {
      const unsub = await db.listen(channel, (payload) => onNotify(payload ?? ''))
      return async () => unsub()
    },
    close: () => db.close(),
  }
}
