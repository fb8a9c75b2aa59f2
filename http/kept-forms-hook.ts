import type { App } from './schemas.js'
// The web side of kept forms (http/kept-forms.ts): at login, whose session it is; a form of a keeping route
// (config.keepForm) sent with an ended session's cookie is kept for that session's person and answered 303 to the
// login page saying so; after the next login the same person is sent back to the form with what was typed (another
// person gets nothing, and the kept form is gone either way).
import type { FastifyRequest, FastifyReply } from 'fastify'
import { isHttps } from './session.js'
import { markLoggedOut } from './errors.js'
import { str } from './forms/form-values.js'
import type { KeptFormStore} from './kept-forms.js';
import { formFields, KEPT_FORM_TTL_MS, ownerOf } from './kept-forms.js'
import { pathOf, putFlash, withFlash } from './form-flash.js'
import type { RawForm } from './forms/form-values.js'
import type { SessionData } from './session-store.js'

export const KEPT_COOKIE = 'bb_kept'
/** Sent by the page itself (views/assets/idle.js) when its idle countdown runs out on a form typed in: keep it and log out. */
export const KEEP_FIELD = '_keep'
/** The login page after a form was kept: it says so. */
export const KEPT_LOGIN_URL = '/login?expired=1&kept=1'

declare module 'fastify' {
  interface FastifyInstance {
    keptForms: KeptForms
  }
}

export interface KeptForms {
  readonly store: KeptFormStore
  /** After a login: the address of the person's kept form (values in the new session's flash), or undefined. */
  claim(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined>
  /** True when this browser holds a kept form's cookie (the login page then says the form is kept). */
  holds(request: FastifyRequest): boolean
}

/** The session hooks that record whose a session is (for installSessions). */
export function keptFormSessionHooks(store: KeptFormStore, log: () => App['log']) {
  return {
    onStart: async (session: SessionData, absoluteMs: number) => {
      try {
        await store.bindSession(session.id, ownerOf(session.user.actor), session.createdAt + absoluteMs + store.ttlMs)
      } catch (e) {
        // a login never fails for it: only a form sent after this session ends would not be kept
        log().warn({ err: (e as Error).message }, 'kept forms: session owner not recorded')
      }
    },
    onEnd: async (sessionId: string) => {
      await store.forgetSession(sessionId).catch(() => {})
    },
    mayKeep: async (sessionId: string) => (await store.ownerOfSession(sessionId).catch(() => undefined)) !== undefined,
  }
}

export function installKeptForms(app: App, store: KeptFormStore, siteHttps: boolean) {
  const cookieFor = (request: FastifyRequest) => {
    const secure = isHttps(request, siteHttps)
    return { name: secure ? `__Host-${KEPT_COOKIE}` : KEPT_COOKIE, options: { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, signed: true } }
  }
  const idOf = (request: FastifyRequest): string | undefined => {
    const raw = request.cookies[cookieFor(request).name]
    if (!raw) return undefined
    const u = request.unsignCookie(raw)
    return u.valid && u.value ? u.value : undefined
  }

  const pageOf = (request: FastifyRequest) => {
    const target = request.routeOptions.config?.keepForm
    return typeof target === 'string' ? target : typeof target === 'function' ? target(pathOf(request)) : pathOf(request)
  }
  const keep = async (request: FastifyRequest, reply: FastifyReply, owner: string | undefined) => {
    const body = request.body as RawForm
    const fields = owner ? formFields(body) : undefined
    if (fields) delete fields[KEEP_FIELD]
    const id = owner && fields ? await store.keep({ owner, path: pageOf(request), fields }) : undefined
    if (id) {
      const c = cookieFor(request)
      reply.setCookie(c.name, id, { ...c.options, maxAge: Math.floor(KEPT_FORM_TTL_MS / 1000) })
    }
    return id
  }

  // after the body is read (multipart fields included) and the CSRF token checked (installSessions' hook comes
  // first), before validation and any handler: keep and go to the login page. Never acted on.
  app.addHook('preValidation', async (request, reply) => {
    if (request.keepForm) {
      // sent after the session ended: kept for the ended session's person
      const id = await keep(request, reply, request.expiredSessionId ? await store.ownerOfSession(request.expiredSessionId) : undefined)
      request.log.info({ kept: Boolean(id) }, 'form sent after the session ended')
      return reply.redirect(id ? KEPT_LOGIN_URL : '/login?expired=1', 303)
    }
    const s = request.session
    if (s && request.method === 'POST' && request.routeOptions.config?.keepForm && str(request.body as RawForm, KEEP_FIELD) === 'idle') {
      // the page's idle countdown ran out on a form typed in: kept for this session's person, then the idle logout
      const id = await keep(request, reply, ownerOf(s.user.actor))
      await app.sessions.end(request, reply)
      markLoggedOut(reply, true)
      request.log.info({ kept: Boolean(id) }, 'form kept at the idle logout')
      return reply.redirect(id ? KEPT_LOGIN_URL : '/login?expired=1', 303)
    }
  })

  app.decorate('keptForms', {
    store,
    holds: (request: FastifyRequest) => idOf(request) !== undefined,
    async claim(request: FastifyRequest, reply: FastifyReply) {
      const id = idOf(request)
      if (!id) return undefined
      const c = cookieFor(request)
      reply.clearCookie(c.name, { path: '/', secure: c.options.secure })
      const s = request.session
      if (!s) return undefined
      const kept = await store.claim(id, ownerOf(s.user.actor))
      if (!kept) return undefined
      const token = await putFlash(request, kept.path, { fields: kept.fields, kept: true })
      return token ? withFlash(kept.path, token) : undefined
    },
  } satisfies KeptForms)
}
