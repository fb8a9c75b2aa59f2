// Sessions in PostgreSQL: a restart logs nobody out and several server instances share them. The table keys
// sessions by a hash of their id, so reading the table (a backup, a dump) opens no session.
import { createHash } from 'node:crypto'
import type { Sql } from '../commands/platform/database.js'
import { IDLE_TIMEOUT_MS, type SessionData, type SessionStore } from './session-store.js'

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url')

export class PostgresSessionStore implements SessionStore {
  constructor(
    private readonly db: Sql,
    private readonly now: () => number = Date.now,
    readonly idleMs: number = IDLE_TIMEOUT_MS,
  ) {}

  async get(id: string): Promise<SessionData | undefined> {
    const r = await this.db.query<{ data: Omit<SessionData, 'id'> }>(`SELECT data FROM http_sessions WHERE id_hash = $1`, [hashOf(id)])
    const row = r.rows[0]
    if (!row) return undefined
    const s: SessionData = { ...row.data, id }
    if (this.now() - s.lastSeenAt > this.idleMs) {
      await this.delete(id)
      return undefined
    }
    return s
  }

  async set(session: SessionData): Promise<void> {
    const { id, ...data } = session
    await this.db.query(
      `INSERT INTO http_sessions (id_hash, data, last_seen_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (id_hash) DO UPDATE SET data = EXCLUDED.data, last_seen_at = EXCLUDED.last_seen_at`,
      [hashOf(id), JSON.stringify(data), new Date(session.lastSeenAt)],
    )
  }

  async update(session: SessionData): Promise<boolean> {
    const { id, ...data } = session
    const r = await this.db.query(`UPDATE http_sessions SET data = $2::jsonb, last_seen_at = $3 WHERE id_hash = $1`, [hashOf(id), JSON.stringify(data), new Date(session.lastSeenAt)])
    return r.rowCount > 0
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM http_sessions WHERE id_hash = $1`, [hashOf(id)])
  }

  /** Drops sessions idle longer than the timeout. */
  async sweep(): Promise<number> {
    const r = await this.db.query(`DELETE FROM http_sessions WHERE last_seen_at < $1`, [new Date(this.now() - this.idleMs)])
    return r.rowCount
  }
}
