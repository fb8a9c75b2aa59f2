// Login audit: every login try with its outcome (success or the refusal code). The last successful login of a
// subject is what the header shows as 上次登入.
import type { Sql } from '../../commands/platform/database.js'

export interface LoginAuditRecord {
  at: Date
  role: string
  subjectId: string
  method: string
  ip?: string
  outcome: 'success' | string
  detail?: Record<string, unknown>
}

export async function recordLogin(db: Sql, r: LoginAuditRecord): Promise<void> {
  await db.query(
    `INSERT INTO login_audit (at, role, subject_id, method, ip, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [r.at, r.role, r.subjectId, r.method, r.ip ?? null, r.outcome, r.detail ? JSON.stringify(r.detail) : null],
  )
}

/** The subject's latest successful login (ISO), before the one being made. */
export async function lastLogin(db: Sql, role: string, subjectId: string): Promise<string | undefined> {
  const r = await db.query<{ at: Date | string }>(
    `SELECT at FROM login_audit WHERE role = $1 AND subject_id = $2 AND outcome = 'success' ORDER BY at DESC LIMIT 1`,
    [role, subjectId],
  )
  return r.rows[0] ? new Date(r.rows[0].at).toISOString() : undefined
}
