// Limits on login guessing, charged BEFORE a secret is judged, each in one atomic statement (the row lock of an
// upsert or a conditional UPDATE): sixty parallel tries for one person are not all judged, at most the limit is.
//
// Subject keys (a fixed window from the first charge; over the limit = LOGIN_LOCKED until the window ends):
//   card:<certificate serial>   card + PIN logins whose proof failed
//   pw:<national id>            NHI card + web password (knowledge only: also pw-day, a daily cap)
//   pw-day:<national id>
//   otp:<national id>           one-time code + NHI card number tries
//   otp-send:<national id>      one-time codes sent to one person (so a phone is not flooded)
//   otp-send-net:<network>      one-time code requests from one address
//   sms:all                     the global SMS budget
//   lookup:<institution code>   national IDs named by an institution (http/id-lookup-limit.ts)
// A person's lock is per method: wrong web passwords never lock that person's card login.
//
// Address keys (net:<network>, IPv4 address or IPv6 /64): no lock-out (a hospital NAT must not lock everyone behind
// it); every try is charged and, past `perNetFree` tries in the window, each needs a delay that doubles up to
// `perNetMaxDelayMs`. A success refunds the try (the delay already set stays).
import ipaddr from 'ipaddr.js'
import type { Sql } from '../../commands/platform/database.js'
import { DomainError, errorMessage } from '../../domain/errors.js'

export interface ThrottlePolicy {
  /** tries per card, person and method (and codes sent per person) within the window */
  perSubject: number
  windowMs: number
  /** NHI card + web password proves knowledge only: a daily cap on top of perSubject */
  passwordPerDay: number
  /** one-time code requests per address per hour */
  otpSendPerNet: number
  /** SMS sent per hour, all people together */
  smsPerHour: number
  /** national-ID look-ups (applicant check, preview, filing) per institution per hour */
  lookupsPerHour: number
  /** tries per address within the window before delays start */
  perNetFree: number
  /** the first delay; it doubles with each further try, up to perNetMaxDelayMs */
  perNetBaseDelayMs: number
  perNetMaxDelayMs: number
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  perSubject: 5,
  windowMs: 15 * 60_000,
  passwordPerDay: 10,
  otpSendPerNet: 20,
  smsPerHour: 500,
  lookupsPerHour: 600,
  perNetFree: 20,
  perNetBaseDelayMs: 1000,
  perNetMaxDelayMs: 60_000,
}

export type SubjectKey =
  | `card:${string}` | `pw:${string}` | `pw-day:${string}` | `otp:${string}`
  | `otp-send:${string}` | `otp-send-net:${string}` | 'sms:all' | `lookup:${string}`
export type NetKey = `net:${string}`
export type ThrottleKey = SubjectKey | NetKey

const HOUR = 3_600_000

/** The limit and window of a subject key. */
function ruleOf(policy: ThrottlePolicy, key: SubjectKey): { limit: number; windowMs: number } {
  if (key.startsWith('pw-day:')) return { limit: policy.passwordPerDay, windowMs: 24 * HOUR }
  if (key.startsWith('otp-send-net:')) return { limit: policy.otpSendPerNet, windowMs: HOUR }
  if (key === 'sms:all') return { limit: policy.smsPerHour, windowMs: HOUR }
  if (key.startsWith('lookup:')) return { limit: policy.lookupsPerHour, windowMs: HOUR }
  return { limit: policy.perSubject, windowMs: policy.windowMs }
}

/** The network a client address counts against: the IPv4 address, or the IPv6 /64 (one customer's prefix). */
export function networkOf(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip
  let a = ipaddr.parse(ip)
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address()
  if (a.kind() === 'ipv4') return a.toString()
  const parts = (a as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16))
  return `${parts.join(':')}::/64`
}

export const netKey = (ip: string): NetKey => `net:${networkOf(ip)}`

/** The zh-TW lock-out message with the minutes to wait. */
export const lockedMessage = (minutes: number) => errorMessage('LOGIN_LOCKED', [minutes])

/** The zh-TW message for an address that must wait. */
export const slowDownMessage = (seconds: number) => `登入嘗試過於頻繁，請於 ${seconds} 秒後再試`

const locked = (waitMs: number, key: string) => {
  const retryAfterMinutes = Math.max(1, Math.ceil(waitMs / 60_000))
  const kind = key.includes(':') ? key.slice(0, key.indexOf(':')) : key
  return new DomainError('LOGIN_LOCKED', { retryAfterMinutes, key: kind }, [retryAfterMinutes])
}
const tooFast = (waitMs: number) => {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000))
  return new DomainError('TOO_MANY_TRIES', { retryAfterSeconds }, slowDownMessage(retryAfterSeconds))
}

export interface LoginThrottle {
  readonly policy: ThrottlePolicy
  /**
   * Charges one try on every key, atomically per key, before anything is judged. Refuses LOGIN_LOCKED
   * {retryAfterMinutes, key} when a key is over its limit (the other keys' charges are refunded). Returns the tries
   * left after this one (min over the per-person keys).
   */
  charge(keys: readonly SubjectKey[], now: Date): Promise<number>
  /** Gives back one try on each key (the try was not judged: a service failure, a refused input). */
  refund(keys: readonly SubjectKey[]): Promise<void>
  /** A success forgets the keys' tries. */
  clear(keys: readonly SubjectKey[]): Promise<void>
  /** Charges one try to the address; refuses TOO_MANY_TRIES {retryAfterSeconds} while its delay runs. */
  pace(key: NetKey, now: Date): Promise<void>
  /** A successful login gives the address its try back (the delay already set stays). */
  repay(key: NetKey): Promise<void>
  /** Read-only: refuses LOGIN_LOCKED when a key is at its limit, TOO_MANY_TRIES while an address waits (gates
   *  steps that judge nothing, like sending a code or issuing a challenge). */
  ensureOpen(keys: readonly ThrottleKey[], now: Date): Promise<void>
}

export function createLoginThrottle(db: Sql, policy: ThrottlePolicy = DEFAULT_THROTTLE): LoginThrottle {
  const chargeOne = async (key: SubjectKey, now: Date) => {
    const { limit, windowMs } = ruleOf(policy, key)
    // one statement: the upsert's row lock orders parallel tries; a window past its end starts over
    const r = await db.query<{ count: number; window_start: Date | string }>(
      `INSERT INTO login_limits (key, window_start, count, next_at) VALUES ($1, $2, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN login_limits.window_start <= $3 THEN 1 ELSE LEAST(login_limits.count + 1, 1000000) END,
         window_start = CASE WHEN login_limits.window_start <= $3 THEN $2 ELSE login_limits.window_start END
       RETURNING count, window_start`,
      [key, now, new Date(now.getTime() - windowMs)],
    )
    const row = r.rows[0]!
    return { key, limit, count: Number(row.count), until: new Date(row.window_start).getTime() + windowMs }
  }
  const refund: LoginThrottle['refund'] = async (keys) => {
    if (keys.length) await db.query(`UPDATE login_limits SET count = GREATEST(count - 1, 0) WHERE key = ANY($1::text[])`, [keys])
  }
  return {
    policy,
    async charge(keys, now) {
      const charged: SubjectKey[] = []
      let remaining = Infinity
      for (const key of keys) {
        const c = await chargeOne(key, now)
        charged.push(key)
        if (c.count > c.limit) {
          await refund(charged.filter((k) => k !== key))
          throw locked(c.until - now.getTime(), key)
        }
        if (key !== 'sms:all' && !key.startsWith('otp-send') && !key.startsWith('lookup:')) remaining = Math.min(remaining, c.limit - c.count)
      }
      return Number.isFinite(remaining) ? remaining : 0
    },
    refund,
    async clear(keys) {
      if (keys.length) await db.query(`DELETE FROM login_limits WHERE key = ANY($1::text[])`, [keys])
    },
    async pace(key, now) {
      const windowStart = new Date(now.getTime() - policy.windowMs)
      await db.query(`INSERT INTO login_limits (key, window_start, count, next_at) VALUES ($1, $2, 0, $2) ON CONFLICT (key) DO NOTHING`, [key, now])
      // the try passes only when the address's delay is over; it sets the next delay from the new count, under the
      // row lock, so parallel tries past the free ones wait one after another
      const c = `(CASE WHEN window_start <= $3 THEN 1 ELSE LEAST(count + 1, 1000000) END)`
      const r = await db.query<{ count: number }>(
        `UPDATE login_limits SET
           count = ${c},
           window_start = CASE WHEN window_start <= $3 THEN $2 ELSE window_start END,
           next_at = $2::timestamptz + make_interval(secs => CASE WHEN ${c} <= $4 THEN 0
             ELSE LEAST($6::float8, $5::float8 * power(2, LEAST(${c} - $4 - 1, 30))) / 1000 END)
         WHERE key = $1 AND next_at <= $2
         RETURNING count`,
        [key, now, windowStart, policy.perNetFree, policy.perNetBaseDelayMs, policy.perNetMaxDelayMs],
      )
      if (r.rows.length) return
      const w = await db.query<{ next_at: Date | string }>(`SELECT next_at FROM login_limits WHERE key = $1`, [key])
      throw tooFast(w.rows[0] ? new Date(w.rows[0].next_at).getTime() - now.getTime() : 1000)
    },
    async ensureOpen(keys, now) {
      for (const key of keys) {
        const r = await db.query<{ count: number; window_start: Date | string; next_at: Date | string }>(
          `SELECT count, window_start, next_at FROM login_limits WHERE key = $1`, [key])
        const row = r.rows[0]
        if (!row) continue
        if (key.startsWith('net:')) {
          const wait = new Date(row.next_at).getTime() - now.getTime()
          if (wait > 0) throw tooFast(wait)
          continue
        }
        const { limit, windowMs } = ruleOf(policy, key as SubjectKey)
        const until = new Date(row.window_start).getTime() + windowMs
        if (until > now.getTime() && Number(row.count) >= limit) throw locked(until - now.getTime(), key)
      }
    },
    async repay(key) {
      await db.query(`UPDATE login_limits SET count = GREATEST(count - 1, 0) WHERE key = $1`, [key])
    },
  }
}
