// A quota of attachment bytes per owner (the institution, or the professional) per day (Asia/Taipei), charged
// atomically before the content is stored: one conditional upsert, so parallel uploads cannot pass it together.
import type { Sql } from '../commands/platform/database.js'
import { DomainError } from '../domain/errors.js'
import { taipeiDate } from '../domain/roc-date.js'
import type { Actor } from '../domain/types.js'

export const ATTACHMENT_QUOTA_BYTES_PER_DAY = 200 * 1024 * 1024

export const uploadOwnerOf = (actor: Actor): string => `${actor.role}:${actor.institutionCode && actor.role === 'institution' ? actor.institutionCode : actor.id}`

/** Charges `bytes` to the owner's quota of the day; ATTACHMENT_QUOTA_EXCEEDED when it would go over. */
export async function chargeUpload(db: Sql, owner: string, bytes: number, now: Date, quota = ATTACHMENT_QUOTA_BYTES_PER_DAY): Promise<void> {
  const r = await db.query(
    `INSERT INTO upload_quota (owner, day, bytes) VALUES ($1, $2, $3)
     ON CONFLICT (owner, day) DO UPDATE SET bytes = upload_quota.bytes + EXCLUDED.bytes
       WHERE upload_quota.bytes + EXCLUDED.bytes <= $4
     RETURNING bytes`,
    [owner, taipeiDate(now.toISOString()), bytes, quota],
  )
  if (!r.rows.length || bytes > quota) throw new DomainError('ATTACHMENT_QUOTA_EXCEEDED', { quotaBytes: quota })
}

/** Gives bytes back (the upload was refused after the charge). */
export async function refundUpload(db: Sql, owner: string, bytes: number, now: Date): Promise<void> {
  await db.query(`UPDATE upload_quota SET bytes = GREATEST(bytes - $3, 0) WHERE owner = $1 AND day = $2`, [owner, taipeiDate(now.toISOString()), bytes])
}
