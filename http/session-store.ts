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
}

export interface SessionStore {
  get(id: string): Promise<SessionData | undefined>
  set(session: SessionData): Promise<void>
  delete(id: string): Promise<void>
}

export const IDLE_TIMEOUT_MS = 20 * 60 * 1000

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
