// The fastify application: plugins, sessions, CSRF, error handling, correlation ids, and the route modules.
import { randomBytes, randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifyFormbody from '@fastify/formbody'
import fastifyHelmet from '@fastify/helmet'
import fastifyMultipart from '@fastify/multipart'
import fastifyStatic from '@fastify/static'
import fastifyView from '@fastify/view'
import { Eta } from 'eta'
import { withCorrelation } from '../commands/platform/logger.js'
import { trustProxyOf } from '../commands/platform/config.js'
import { installErrorHandling } from './errors.js'
import { ATTACHMENT_MAX_BYTES } from '../commands/attachments/content-type.js'
import { assertLoopbackSocket } from './operator-access.js'
import { isDemoCorrelation } from '../commands/seed/demo-marker.js'
import { viewHelpers } from './present.js'
import type { App, TypeBoxTypeProvider } from './schemas.js'
import { checkServices, type Services } from './services.js'
import { installSessions, isHttps } from './session.js'
import { KeptFormStore } from './kept-forms.js'
import { noticeFor } from './form-flash.js'
import { installKeptForms, keptFormSessionHooks } from './kept-forms-hook.js'
import { refreshPrincipal } from './session-principal.js'
import type { SessionUser } from './session-store.js'
import { registerRoutes } from './routes/index.js'
import { backOfficePlugin } from './back-office/plugin.js'
import { installAccountRefresh } from './admin/account-session.js'
import { adminPlugin } from './admin/plugin.js'
import { publicPagesPlugin } from './public/plugin.js'

const here = dirname(fileURLToPath(import.meta.url))
export const VIEWS_DIR = join(here, '..', 'views')
const require = createRequire(import.meta.url)
const HTMX_DIST = dirname(require.resolve('htmx.org/dist/htmx.min.js'))

/** Upper bound of any uploaded file: an attachment (10 MB) or a batch file (20 000 rows are about 2 MB). */
export const MAX_UPLOAD_BYTES = ATTACHMENT_MAX_BYTES
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/
/** The HiPKI LocalSignServer (中華電信 HiCOS 跨平台網頁元件) the login page may call on the user's machine. */
const LOCAL_SIGN_SERVER = ['http://localhost:61161', 'http://127.0.0.1:61161']
const originOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return ''
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
    /** Every route as registered (the authorization matrix test proves each one has been reviewed). */
    routeTable: readonly RouteEntry[]
  }
  interface FastifyReply {
    /** Renders a page template with the layout's context (user, csrf token, helpers). */
    page(template: string, data?: Record<string, unknown>): Promise<string>
  }
}

export type { App }

/** One registered route: method(s), full url, whether the CSRF check applies (config.csrf !== false), and whether
 * a form sent to it after the session ended is kept (config.keepForm). */
export interface RouteEntry {
  method: string
  url: string
  csrf: boolean
  keepForm: boolean
}

export async function buildApp(services: Services): Promise<App> {
  checkServices(services) // a missing part fails the start, not a request
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    genReqId: (req) => {
      const h = req.headers['x-correlation-id']
      // a client never names its request as a demo seed (the roster leaves demo-marked approvals out)
      return typeof h === 'string' && CORRELATION_ID.test(h) && !isDemoCorrelation(h) ? h : randomUUID()
    },
    bodyLimit: 2 * 1024 * 1024,
    // the client address behind a reverse proxy only from the proxies the operator names (TRUST_PROXY)
    trustProxy: trustProxyOf(services.config),
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('services', services)

  // the route table, collected before any plugin registers a route (onRoute is inherited by every child context)
  const routeTable: RouteEntry[] = []
  app.decorate('routeTable', routeTable)
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routeTable.push({ method, url: r.url, csrf: r.config?.csrf !== false, keepForm: r.config?.keepForm !== undefined })
  })

  // correlation id: echoed back, and carried by AsyncLocalStorage into command/projection logs of this request
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-correlation-id', String(request.id))
    withCorrelation(String(request.id), () => done())
  })
  // the demo's /dev/* pages (virtual card rack, SMS outbox) answer this machine only, decided by the socket
  const behindProxy = trustProxyOf(services.config) !== false
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/dev/')) assertLoopbackSocket(request, { behindProxy })
  })
  // security headers by @fastify/helmet, with a strict Content-Security-Policy on every page: scripts from our origin
  // only (no inline script; htmx configured without eval and without its injected <style>), the page may call the
  // reader agent and the HiPKI LocalSignServer on this machine, nothing frames us. HSTS only on HTTPS requests.
  const agentOrigin = originOf(services.config.READER_AGENT_URL ?? `http://127.0.0.1:${services.config.READER_PORT}`)
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        // style="" attributes (bar widths of charts); <style> elements stay refused
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'", ...new Set([agentOrigin, ...LOCAL_SIGN_SERVER].filter(Boolean))],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    // the HiPKI LocalSignServer popup answers its opener by postMessage
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
  })
  const siteHttps = services.config.SITE_ORIGIN?.startsWith('https:') ?? false
  app.addHook('onSend', async (request, reply) => {
    if (isHttps(request, siteHttps)) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  })

  const secret = services.config.SESSION_SECRET ?? randomBytes(32).toString('hex')
  await app.register(fastifyCookie, { secret })
  await app.register(fastifyFormbody)
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    // sized to the real need: a batch file or up to 10 attachments of 10 MB; the report form's fields (3 per session)
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 10, fields: 1300, parts: 1310 },
  })
  // templates are compiled once per process (compiling the dashboard's on every request cost more CPU than its
  // queries); NODE_ENV=development reads and compiles them on each render, so an edited template shows at once
  const compileOnce = process.env.NODE_ENV !== 'development'
  const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: compileOnce })
  await app.register(fastifyView, { engine: { eta }, root: VIEWS_DIR, defaultContext: { h: viewHelpers }, production: compileOnce })
  await app.register(fastifyStatic, { root: join(VIEWS_DIR, 'assets'), prefix: '/assets/', decorateReply: false, cacheControl: false })
  await app.register(fastifyStatic, {
    root: HTMX_DIST, prefix: '/assets/htmx/', decorateReply: false, cacheControl: false, allowedPath: (p) => p === '/htmx.min.js',
  })

  app.decorateReply('page', function (this: import('fastify').FastifyReply, template: string, data: Record<string, unknown> = {}) {
    const req = this.request
    return this.type('text/html; charset=utf-8').viewAsync(template, {
      user: req.session?.user, csrf: req.session?.csrf, path: req.url, commandId: () => randomUUID(), flashNotice: noticeFor(req), ...data,
    })
  })

  // forms sent after their session ended are kept for the same person (issue #16)
  const keptForms = new KeptFormStore(services.db, () => services.clock().getTime())
  installSessions(app, {
    ...keptFormSessionHooks(keptForms, () => app.log),
    store: services.sessions, now: () => services.clock().getTime(), secure: services.config.SITE_ORIGIN?.startsWith('https:') ?? false,
    absoluteMs: (Number(services.config.SESSION_LIFETIME_HOURS) || 8) * 3600_000,
    ...(services.db ? { refresh: (user: SessionUser) => refreshPrincipal(services.db!, user) } : {}),
  })
  installKeptForms(app, keptForms, siteHttps)
  installAccountRefresh(app)
  installErrorHandling(app)
  await registerRoutes(app)
  await app.register(backOfficePlugin)
  await app.register(adminPlugin)
  await app.register(publicPagesPlugin)
  return app
}
