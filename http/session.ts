import type { App } from './schemas.js'
// Sessions: a signed, HTTP-only, SameSite=Lax cookie holding only a random session id; data lives server-side
// (SessionStore). The id is rotated at login; idle timeout 20 minutes (use recorded at most once a second) and an
// absolute lifetime (8 hours); background
// polling routes (config.passive) do not extend the idle timer; the user's rights are re-read from the registry every
// few minutes (refresh); a request in flight cannot re-create a session logged out meanwhile (store.update). Over
// HTTPS (SITE_ORIGIN https, a TLS socket, or X-Forwarded-Proto from a trusted proxy) the cookie is Secure and named
// with the __Host- prefix. CSRF token per session checked on every state-changing request (hidden field `_csrf` or
// header `x-csrf-token`); requireRole() guards every route.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { DomainError } from '../domain/errors.js'
import type { Role } from '../domain/types.js'
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS, MemorySessionStore, REFRESH_EVERY_MS, TOUCH_EVERY_MS, type SessionData, type SessionStore, type SessionUser } from './session-store.js'

export const SESSION_COOKIE = 'bb_sid'
/** The session cookie's name over HTTPS: __Host- (Secure, path /, no Domain: no subdomain can set or shadow it). */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`

/** True when the request reached us over HTTPS (directly, or per X-Forwarded-Proto from a trusted proxy). */
export const isHttps = (request: FastifyRequest, siteHttps = false): boolean => siteHttps || request.protocol === 'https'
export const CSRF_FIELD = '_csrf'
export const CSRF_HEADER = 'x-csrf-token'

declare module 'fastify' {
  interface FastifyRequest {
    session?: SessionData
    /** A session cookie came in but its session is gone (idle timeout or logout elsewhere). */
    sessionExpired?: boolean
    /**
     * The id of the ended session the cookie named (idle timeout or lifetime over), on a POST, when a form sent with
     * it may be kept (its person is known: kept_form_owners); otherwise undefined.
     */
    expiredSessionId?: string
    /** A form sent after its session ended, on a route that keeps forms (config.keepForm): http/kept-forms-hook.ts keeps it. */
    keepForm?: boolean
  }
  interface FastifyInstance {
    sessions: SessionManager
  }
  interface FastifyContextConfig {
    /** Set false only on routes that cannot have a session yet (login endpoints proven by other means). */
    csrf?: boolean
    /** Background polling: the request does not extend the idle timer (true, or 'htmx' for htmx requests only). */
    passive?: boolean | 'htmx'
    /**
     * A full-page form: sent after its session ended, what was typed is kept and given back after logging in again
     * (http/kept-forms.ts). true: the form's page is the POST's own path; a string: the form's page (e.g. /reports/new);
     * a function: the form's page from the POST's path (e.g. a decision's case page).
     */
    keepForm?: true | string | ((postPath: string) => string)
    /**
     * A page action (送出, 撤回, 複製, a decision): refused (a 4xx other than 401, 403, 404), it answers 303 to this page
     * (a path, or the page from the POST's path) with the message as a notice, instead of an error page
     * (http/errors.ts). htmx requests keep their swaps and the JSON API its codes.
     */
    refusedTo?: string | ((postPath: string) => string)
  }
}

export interface SessionManager {
  readonly store: SessionStore
  /** Starts a session for a freshly authenticated user: any previous session of this browser is dropped, a new id is issued. */
  start(request: FastifyRequest, reply: FastifyReply, user: SessionUser): Promise<SessionData>
  /** Ends the current session and clears the cookie. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>
}

const newId = () => randomBytes(32).toString('base64url')

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The CSRF token a request carries: header (htmx) or hidden form field (url-encoded or multipart). */
function csrfOf(request: FastifyRequest): string | undefined {
  const h = request.headers[CSRF_HEADER]
  if (typeof h === 'string' && h) return h
  const body = request.body as Record<string, unknown> | undefined
  const f = body?.[CSRF_FIELD]
  if (typeof f === 'string') return f
  if (f && typeof f === 'object' && 'value' in f && typeof (f as { value: unknown }).value === 'string') return (f as { value: string }).value
  return undefined
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface SessionOptions {
  store?: SessionStore
  now?: () => number
  /** The site is served over HTTPS (SITE_ORIGIN https): Secure cookies whatever the request says. */
  secure?: boolean
  idleMs?: number
  /**
   * A request records its use (lastSeenAt, one store write) only when the recorded use is older than this (default
   * TOUCH_EVERY_MS, 1 s): requests in the same second write the session once. The idle timeout counts from the
   * recorded use (at most touchEveryMs before the last request).
   */
  touchEveryMs?: number
  absoluteMs?: number
  /** Re-reads the user's rights (http/session-principal.ts); undefined ends the session. */
  refresh?: (user: SessionUser) => Promise<SessionUser | undefined>
  refreshEveryMs?: number
  /** A session was started (login): http/kept-forms.ts records whose it is. */
  onStart?: (session: SessionData, absoluteMs: number) => Promise<void>
  /** A session was ended on purpose (logout). */
  onEnd?: (sessionId: string) => Promise<void>
  /** Whether a form sent with this ended session's cookie may be kept (its person is known). */
  mayKeep?: (sessionId: string) => Promise<boolean>
}

/** Installs session loading, CSRF checking and app.sessions on the root instance (call before routes). */
export function installSessions(app: App, opts: SessionOptions = {}): SessionManager {
  const now = opts.now ?? Date.now
  const idleMs = opts.idleMs ?? IDLE_TIMEOUT_MS
  const touchEveryMs = opts.touchEveryMs ?? TOUCH_EVERY_MS
  const store = opts.store ?? new MemorySessionStore(now, idleMs)
  const absoluteMs = opts.absoluteMs ?? ABSOLUTE_LIFETIME_MS
  const refreshEveryMs = opts.refreshEveryMs ?? REFRESH_EVERY_MS
  const siteHttps = opts.secure ?? false
  const cookieFor = (request: FastifyRequest) => {
    const secure = isHttps(request, siteHttps)
    return { name: secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, options: { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, signed: true } }
  }

  app.decorateRequest('session', undefined)
  app.decorateRequest('sessionExpired', false)
  app.decorateRequest('expiredSessionId', undefined)
  app.decorateRequest('keepForm', false)

  app.addHook('onRequest', async (request) => {
    const raw = request.cookies[cookieFor(request).name]
    if (!raw) return
    const unsigned = request.unsignCookie(raw)
    if (!unsigned.valid || !unsigned.value) return
    const s = await store.get(unsigned.value)
    const t = now()
    if (!s || t - s.lastSeenAt > idleMs || t - s.createdAt > absoluteMs) {
      if (s) await store.delete(s.id)
      request.sessionExpired = true
      // only then is the body of a keeping route read without a session (http/kept-forms-hook.ts); otherwise the
      // guard answers before the body is parsed, as for anyone without a session
      if (request.method === 'POST' && request.routeOptions.config?.keepForm && opts.mayKeep && (await opts.mayKeep(unsigned.value))) request.expiredSessionId = unsigned.value
      return
    }
    const passive = request.routeOptions.config?.passive
    const active = !(passive === true || (passive === 'htmx' && request.headers['hx-request'] === 'true'))
    const touched = active && t - s.lastSeenAt >= touchEveryMs
    if (touched) s.lastSeenAt = t
    let changed = touched
    if (opts.refresh && t - (s.refreshedAt ?? s.createdAt) >= refreshEveryMs) {
      const user = await opts.refresh(s.user)
      if (!user) {
        await store.delete(s.id)
        request.sessionExpired = true
        return
      }
      s.user = user
      s.refreshedAt = t
      changed = true
    }
    // update, never upsert: a logout that happened while this request was on its way stays a logout
    if (changed && !(await store.update(s))) {
      request.sessionExpired = true
      return
    }
    request.session = s
  })

  // CSRF: after body parsing (multipart fields included), before validation and any handler.
  app.addHook('preValidation', async (request) => {
    if (!UNSAFE.has(request.method)) return
    if (request.routeOptions.config?.csrf === false) return
    const s = request.session
    if (!s) return // no session: the route's guard answers 401
    const token = csrfOf(request)
    if (!token || !sameToken(token, s.csrf)) throw new DomainError('CSRF_FAILED')
  })

  const manager: SessionManager = {
    store,
    async start(request, reply, user) {
      if (request.session) await store.delete(request.session.id)
      const t = now()
      const session: SessionData = { id: newId(), user, csrf: newId(), createdAt: t, lastSeenAt: t, refreshedAt: t }
      await store.set(session)
      await opts.onStart?.(session, absoluteMs)
      request.session = session
      const c = cookieFor(request)
      reply.setCookie(c.name, session.id, c.options)
      return session
    },
    async end(request, reply) {
      if (request.session) {
        await store.delete(request.session.id)
        await opts.onEnd?.(request.session.id)
      }
      request.session = undefined
      const c = cookieFor(request)
      reply.clearCookie(c.name, { path: '/', secure: c.options.secure })
    },
  }
  app.decorate('sessions', manager)
  const sweeper = store as SessionStore & { sweep?: () => unknown }
  if (typeof sweeper.sweep === 'function') {
    const timer = setInterval(() => void Promise.resolve(sweeper.sweep!()).catch(() => {}), 60_000)
    timer.unref()
    app.addHook('onClose', async () => clearInterval(timer))
  }
  return manager
}

/**
 * Route guard: the request must carry a live session whose role is one of `roles`. Routes use it as their onRequest
 * hook (after the global hook that loads the session): an anonymous or wrong-role request is answered 401/403 before
 * its body is parsed or validated, so it learns nothing about the route's schema and costs no upload.
 */
export function requireRole(...roles: Role[]): onRequestHookHandler {
  return async function guard(request) {
    const s = request.session
    if (!s && request.expiredSessionId && request.method === 'POST' && request.routeOptions.config?.keepForm) {
      // a form sent after its session ended: its body is read and kept (http/kept-forms-hook.ts), never acted on
      request.keepForm = true
      return
    }
    if (!s) throw new DomainError(request.sessionExpired ? 'SESSION_EXPIRED' : 'UNAUTHENTICATED')
    if (!roles.includes(s.user.actor.role)) throw new DomainError('FORBIDDEN')
  }
}

/** The logged-in user of a guarded route. */
export function userOf(request: FastifyRequest): SessionUser {
  const s = request.session
  if (!s) throw new DomainError('UNAUTHENTICATED')
  return s.user
}
