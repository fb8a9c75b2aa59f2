// Lock-out of login guessing: failed tries are recorded per key in login_failures; a key with `limit` failures inside
// the window is locked until the oldest of those falls out of it. Keys:
//   card:<certificate serial>  PIN-backed card logins whose proof failed (signature, validity, revocation, type, holder)
//   id:<national id>           NHI web password / one-time code / card number tries for one person
//   otp-send:<national id>     one-time codes sent (so a phone is not flooded)
//   ip:<address>               every failure from one address, whatever the subject (a higher limit)
import type { Sql } from '../../commands/platform/database.js'
import { DomainError, errorMessage } from '../../domain/errors.js'

export interface ThrottlePolicy {
  /** failures allowed per card, person or code sending within the window */
  perSubject: number
  /** failures allowed per IP address within the window */
  perIp: number
  windowMs: number
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { perSubject: 5, perIp: 20, windowMs: 15 * 60_000 }

export type ThrottleKey = `card:${string}` | `id:${string}` | `otp-send:${string}` | `ip:${string}`

export interface LoginThrottle {
  readonly policy: ThrottlePolicy
  /** Refuses LOGIN_LOCKED {retryAfterMinutes, key} when any key is locked at `now`. */
  check(keys: readonly ThrottleKey[], now: Date): Promise<void>
  /** Records one failure on every key; returns the tries left before the subject keys lock (min over them). */
  fail(keys: readonly ThrottleKey[], now: Date): Promise<number>
  /** A success forgets the subject's failures (never the IP's). */
  clear(keys: readonly ThrottleKey[]): Promise<void>
}

const limitOf = (policy: ThrottlePolicy, key: ThrottleKey) => (key.startsWith('ip:') ? policy.perIp : policy.perSubject)

/** The zh-TW lock-out message with the minutes to wait. */
export const lockedMessage = (minutes: number) => errorMessage('LOGIN_LOCKED', [minutes])

export function createLoginThrottle(db: Sql, policy: ThrottlePolicy = DEFAULT_THROTTLE): LoginThrottle {
  const recent = async (key: ThrottleKey, now: Date) => {
    const r = await db.query<{ at: Date | string }>(
      `SELECT at FROM login_failures WHERE key = $1 AND at > $2 AND at <= $3 ORDER BY at DESC LIMIT $4`,
      [key, new Date(now.getTime() - policy.windowMs), now, limitOf(policy, key)],
    )
    return r.rows.map((x) => new Date(x.at).getTime())
  }
  return {
    policy,
    async check(keys, now) {
      for (const key of keys) {
        const limit = limitOf(policy, key)
        const at = await recent(key, now)
        if (at.length >= limit) {
          const until = at[limit - 1]! + policy.windowMs
          const retryAfterMinutes = Math.max(1, Math.ceil((until - now.getTime()) / 60_000))
          throw new DomainError('LOGIN_LOCKED', { retryAfterMinutes, key: key.slice(0, key.indexOf(':')) }, [retryAfterMinutes])
        }
      }
    },
    async fail(keys, now) {
      let remaining = Infinity
      for (const key of keys) {
        await db.query(`INSERT INTO login_failures (key, at) VALUES ($1, $2)`, [key, now])
        await db.query(`DELETE FROM login_failures WHERE key = $1 AND at < $2`, [key, new Date(now.getTime() - 2 * policy.windowMs)])
        if (!key.startsWith('ip:')) remaining = Math.min(remaining, limitOf(policy, key) - (await recent(key, now)).length)
      }
      return Number.isFinite(remaining) ? Math.max(0, remaining) : 0
    },
    async clear(keys) {
      const subject = keys.filter((k) => !k.startsWith('ip:'))
      if (subject.length) await db.query(`DELETE FROM login_failures WHERE key = ANY($1::text[])`, [subject])
    },
  }
}
