// The NHI web-service password (健保卡網路服務註冊密碼) check, a port with two adapters:
//   embedded: scrypt hashes in login_nhi_passwords (set by setNhiPassword; the demo seeds its professionals)
//   http:     POST <NHI_PASSWORD_URL> {nationalId, password} → 200 {valid: boolean}; anything else → NHI_SERVICE_UNAVAILABLE
import type { Sql } from '../../commands/platform/database.js'
import { DomainError } from '../../domain/errors.js'
import { hashSecret, verifySecret } from './secret-hash.js'

export interface NhiPasswordService {
  /** true when the password is the holder's NHI web password; false otherwise (unknown holder included). */
  verify(nationalId: string, password: string): Promise<boolean>
}

export function embeddedNhiPasswords(db: Sql): NhiPasswordService {
  return {
    async verify(nationalId, password) {
      const r = await db.query<{ hash: string }>(`SELECT hash FROM login_nhi_passwords WHERE national_id = $1`, [nationalId])
      return verifySecret(password, r.rows[0]?.hash)
    },
  }
}

export async function setNhiPassword(db: Sql, nationalId: string, password: string): Promise<void> {
  if (password.length < 6 || password.length > 64) throw new DomainError('VALIDATION_FAILED', { field: 'password' }, ['密碼長度須為 6 至 64 字元'])
  await db.query(
    `INSERT INTO login_nhi_passwords (national_id, hash, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (national_id) DO UPDATE SET hash = EXCLUDED.hash, updated_at = now()`,
    [nationalId, await hashSecret(password)],
  )
}

export function httpNhiPasswords(url: string, opts: { token?: string; timeoutMs?: number; fetch?: typeof fetch } = {}): NhiPasswordService {
  const doFetch = opts.fetch ?? fetch
  return {
    async verify(nationalId, password) {
      let res: Response
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          body: JSON.stringify({ nationalId, password }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        })
      } catch (e) {
        throw new DomainError('NHI_SERVICE_UNAVAILABLE', { reason: (e as Error).name })
      }
      const body = (await res.json().catch(() => null)) as { valid?: unknown } | null
      if (res.status !== 200 || typeof body?.valid !== 'boolean') throw new DomainError('NHI_SERVICE_UNAVAILABLE', { status: res.status })
      return body.valid
    },
  }
}
