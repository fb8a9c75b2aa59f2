// Login challenges for card sign-in: 32 random bytes, bound to the session that asked, single use, valid 2 minutes.
// The store is a port (async, so a shared PostgreSQL-backed store can replace the in-memory one behind several
// server instances); the clock is injected.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Sql } from '../../commands/platform/database.js'
import { DomainError } from '../../domain/errors.js'

export const CHALLENGE_BYTES = 32
export const CHALLENGE_TTL_MS = 2 * 60_000

export interface IssuedChallenge {
  /** base64 of the 32 challenge bytes: what the page hands to the reader agent. */
  challenge: string
  expiresAt: Date
}

export interface ChallengeStore {
  /** A fresh challenge for this session. */
  issue(sessionId: string): Promise<IssuedChallenge>
  /**
   * Takes the challenge back (single use) and returns its bytes. Refuses CHALLENGE_INVALID when unknown, already
   * used or issued to another session, CHALLENGE_EXPIRED when older than the TTL.
   */
  consume(sessionId: string, challenge: string): Promise<Buffer>
}

interface Entry {
  sessionId: string
  bytes: Buffer
  expiresAt: number
}

export function createMemoryChallengeStore(opts: { now?: () => Date; ttlMs?: number; maxPerSession?: number } = {}): ChallengeStore {
  const now = opts.now ?? (() => new Date())
  const ttl = opts.ttlMs ?? CHALLENGE_TTL_MS
  const maxPerSession = opts.maxPerSession ?? 5
  const entries = new Map<string, Entry>()

  const sweep = (t: number) => {
    for (const [k, e] of entries) if (e.expiresAt <= t) entries.delete(k)
  }

  return {
    async issue(sessionId) {
      if (!sessionId) throw new DomainError('VALIDATION_FAILED', { field: 'sessionId' })
      const t = now().getTime()
      sweep(t)
      // bound memory per session: drop its oldest outstanding challenges
      const mine = [...entries].filter(([, e]) => e.sessionId === sessionId)
      for (const [k] of mine.slice(0, Math.max(0, mine.length - maxPerSession + 1))) entries.delete(k)
      const bytes = randomBytes(CHALLENGE_BYTES)
      const challenge = bytes.toString('base64')
      const expiresAt = t + ttl
      entries.set(challenge, { sessionId, bytes, expiresAt })
      return { challenge, expiresAt: new Date(expiresAt) }
    },
    async consume(sessionId, challenge) {
      const e = entries.get(challenge)
      if (!e) throw new DomainError('CHALLENGE_INVALID')
      const a = Buffer.from(e.sessionId)
      const b = Buffer.from(sessionId)
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw new DomainError('CHALLENGE_INVALID')
      entries.delete(challenge)
      if (now().getTime() >= e.expiresAt) throw new DomainError('CHALLENGE_EXPIRED')
      return e.bytes
    },
  }
}

/**
 * Challenges in PostgreSQL (table login_challenges): shared by every server instance and kept across a restart.
 * Taking one back is a single DELETE ... RETURNING, so two requests racing with the same challenge cannot both
 * use it.
 */
export function createPostgresChallengeStore(db: Sql, opts: { now?: () => Date; ttlMs?: number; maxPerSession?: number } = {}): ChallengeStore {
  const now = opts.now ?? (() => new Date())
  const ttl = opts.ttlMs ?? CHALLENGE_TTL_MS
  const maxPerSession = opts.maxPerSession ?? 5
  const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url')
  return {
    async issue(sessionId) {
      if (!sessionId) throw new DomainError('VALIDATION_FAILED', { field: 'sessionId' })
      const t = now()
      const session = hashOf(sessionId)
      await db.query(`DELETE FROM login_challenges WHERE expires_at <= $1`, [t])
      // bound what one browser can hold: keep its newest maxPerSession - 1, then add this one
      await db.query(
        `DELETE FROM login_challenges WHERE session_hash = $1 AND challenge NOT IN (
           SELECT challenge FROM login_challenges WHERE session_hash = $1 ORDER BY expires_at DESC LIMIT $2)`,
        [session, Math.max(0, maxPerSession - 1)],
      )
      const bytes = randomBytes(CHALLENGE_BYTES)
      const challenge = bytes.toString('base64')
      const expiresAt = new Date(t.getTime() + ttl)
      await db.query(`INSERT INTO login_challenges (challenge, session_hash, expires_at) VALUES ($1, $2, $3)`, [challenge, session, expiresAt])
      return { challenge, expiresAt }
    },
    async consume(sessionId, challenge) {
      const r = await db.query<{ expires_at: Date | string }>(
        `DELETE FROM login_challenges WHERE challenge = $1 AND session_hash = $2 RETURNING expires_at`,
        [challenge, hashOf(sessionId)],
      )
      const row = r.rows[0]
      if (!row) throw new DomainError('CHALLENGE_INVALID')
      if (now().getTime() >= new Date(row.expires_at).getTime()) throw new DomainError('CHALLENGE_EXPIRED')
      return Buffer.from(challenge, 'base64')
    },
  }
}
