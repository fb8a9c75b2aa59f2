// Server-side session store: interface + in-memory implementation with an idle timeout.
import type { Actor } from '../domain/types.js'

/** Who is logged in, as the login routes establish it. */
export interface SessionUser {
  actor: Actor
  name: string
  /** Home institution (professional) or the institution itself (institution card). */
  institution?: { code: string; name: string }
  /** Previous login, shown in the header. */
  lastLoginAt?: string
}

export interface SessionData {
  id: string
  user: SessionUser
  csrf: string
  createdAt: number
  lastSeenAt: number
  /** When the user's rights were last re-read from the registry (http/session-principal.ts). */
  refreshedAt?: number
  /** Values and errors of a form sent, waiting for the form's page to show them (http/form-flash.ts). */
  flash?: FormFlash
}

/** A form's values (and errors) carried from its POST to its page (GET) across a 303: POST-redirect-GET. */
export interface FormFlash {
  /** In the page's address (?form=), so a reload shows the same values and an old address shows none. */
  token: string
  /** The form's page. */
  path: string
  /** Text fields as typed (files never: the person chooses them again). */
  fields: Record<string, string | string[]>
  errors?: Record<string, string>
  formError?: string
  /** A refused one-click action's message, shown as a notice on the page it was on. */
  notice?: string
  /** Kept when the session ended before the form was sent, given back after logging in again. */
  kept?: boolean
  /** What an accepted POST did, for the page it redirects to (批次審核結果: each case's outcome). */
  result?: unknown
  expiresAt: number
}

export interface SessionStore {
  get(id: string): Promise<SessionData | undefined>
  set(session: SessionData): Promise<void>
  /** Writes an EXISTING session only (false when it is gone): a request in flight cannot undo a logout. */
  update(session: SessionData): Promise<boolean>
  delete(id: string): Promise<void>
}

export const IDLE_TIMEOUT_MS = 20 * 60 * 1000
/** Absolute lifetime of a session, however active (SESSION_LIFETIME_HOURS). */
/**
 * A request records a session's use (one store write) only when the recorded use is older than this: a page and
 * the requests it brings in the same second write the session once (http/session.ts). The idle timeout counts from
 * the recorded use, so a session may end up to this much before 20 minutes after its very last request.
 */
export const TOUCH_EVERY_MS = 1000
export const ABSOLUTE_LIFETIME_MS = 8 * 3600 * 1000
/** How often a session's rights are re-read from the registry. */
export const REFRESH_EVERY_MS = 3 * 60 * 1000

/** Sessions in process memory. Expired entries are dropped when read and by a periodic sweep. */
export class MemorySessionStore implements SessionStore {
  private readonly map = new Map<string, SessionData>()
  constructor(
    private readonly now: () => number = Date.now,
    readonly idleMs: number = IDLE_TIMEOUT_MS,
  ) {}
  async get(id: string) {
    const s = this.map.get(id)
    if (!s) return undefined
    if (this.now() - s.lastSeenAt > this.idleMs) {
      this.map.delete(id)
      return undefined
    }
    return s
  }
  async set(session: SessionData) {
    this.map.set(session.id, session)
  }
  async update(session: SessionData) {
    if (!this.map.has(session.id)) return false
    this.map.set(session.id, session)
    return true
  }
  async delete(id: string) {
    this.map.delete(id)
  }
  sweep() {
    const now = this.now()
    for (const [id, s] of this.map) if (now - s.lastSeenAt > this.idleMs) this.map.delete(id)
  }
  get size() {
    return this.map.size
  }
}
