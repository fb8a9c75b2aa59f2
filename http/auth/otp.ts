// One-time SMS codes for the card-less NHI login: 6 digits, valid 5 minutes, single use, scrypt-hashed at rest,
// bound to the pre-login session that asked for it; a new request voids the previous code; 5 tries burn it (each
// charged before it is judged).
import { createHash, randomInt } from 'node:crypto'
import type { Sql } from '../../commands/platform/database.js'
import { DomainError } from '../../domain/errors.js'
import { hashSecret, OTP_COST, verifySecret } from './secret-hash.js'
import type { SmsGateway } from './sms.js'

export const OTP_TTL_MS = 5 * 60_000
export const OTP_MAX_ATTEMPTS = 5

const preKey = (preId: string) => createHash('sha256').update(`pre:${preId}`).digest('base64url')

export const otpText = (code: string) => `【醫事人員報備支援系統】登入驗證碼 ${code}，5 分鐘內有效。請勿將驗證碼告訴他人。`

export interface OtpService {
  /** Sends a fresh code to `phone`; returns when it expires. */
  send(nationalId: string, phone: string, preId: string, now: Date): Promise<Date>
  /** Consumes the code (single use). OTP_NOT_REQUESTED / OTP_EXPIRED / OTP_WRONG {remaining}. */
  verify(nationalId: string, preId: string, code: string, now: Date): Promise<void>
}

export function createOtpService(db: Sql, sms: SmsGateway, opts: { ttlMs?: number } = {}): OtpService {
  const ttl = opts.ttlMs ?? OTP_TTL_MS
  return {
    async send(nationalId, phone, preId, now) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
      const expiresAt = new Date(now.getTime() + ttl)
      const pre = preKey(preId)
      await db.query(`UPDATE login_otps SET used_at = $3 WHERE national_id = $1 AND pre_session = $2 AND used_at IS NULL`, [nationalId, pre, now])
      await db.query(
        `INSERT INTO login_otps (national_id, pre_session, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [nationalId, pre, await hashSecret(code, OTP_COST), now, expiresAt],
      )
      await sms.send(phone, otpText(code), now)
      return expiresAt
    },
    async verify(nationalId, preId, code, now) {
      // the try is charged before the code is judged, in one conditional UPDATE: parallel tries past the fifth
      // find no row to charge and are refused without being judged
      const charged = await db.query<{ id: string; code_hash: string; attempts: number }>(
        `UPDATE login_otps SET attempts = attempts + 1
          WHERE id = (SELECT id FROM login_otps WHERE national_id = $1 AND pre_session = $2 ORDER BY id DESC LIMIT 1)
            AND used_at IS NULL AND expires_at > $3 AND attempts < $4
          RETURNING id, code_hash, attempts`,
        [nationalId, preKey(preId), now, OTP_MAX_ATTEMPTS],
      )
      const row = charged.rows[0]
      if (!row) {
        const r = await db.query<{ expires_at: Date | string; used_at: unknown }>(
          `SELECT expires_at, used_at FROM login_otps WHERE national_id = $1 AND pre_session = $2 ORDER BY id DESC LIMIT 1`,
          [nationalId, preKey(preId)],
        )
        const last = r.rows[0]
        if (!last) throw new DomainError('OTP_NOT_REQUESTED')
        if (last.used_at) throw new DomainError('OTP_WRONG', { remaining: 0, reason: 'used' })
        if (now.getTime() >= new Date(last.expires_at).getTime()) throw new DomainError('OTP_EXPIRED')
        throw new DomainError('OTP_WRONG', { remaining: 0 })
      }
      if (!/^\d{6}$/.test(code) || !(await verifySecret(code, row.code_hash))) {
        throw new DomainError('OTP_WRONG', { remaining: Math.max(0, OTP_MAX_ATTEMPTS - row.attempts) })
      }
      const used = await db.query(`UPDATE login_otps SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id`, [row.id, now])
      if (!used.rows.length) throw new DomainError('OTP_WRONG', { remaining: 0, reason: 'used' })
    },
  }
}
