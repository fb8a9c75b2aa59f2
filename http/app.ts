// The fastify application: plugins, sessions, CSRF, error handling, correlation ids, and the route modules.
import { randomBytes, randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifyFormbody from '@fastify/formbody'
import fastifyMultipart from '@fastify/multipart'
import fastifyStatic from '@fastify/static'
import fastifyView from '@fastify/view'
import { Eta } from 'eta'
import { withCorrelation } from '../commands/platform/logger.js'
import { trustProxyOf } from '../commands/platform/config.js'
import { installErrorHandling } from './errors.js'
import { viewHelpers } from './present.js'
import type { App, TypeBoxTypeProvider } from './schemas.js'
import { checkServices, type Services } from './services.js'
import { installSessions } from './session.js'
import { registerRoutes } from './routes/index.js'
import { backOfficePlugin } from './back-office/plugin.js'

const here = dirname(fileURLToPath(import.meta.url))
export const VIEWS_DIR = join(here, '..', 'views')
const require = createRequire(import.meta.url)
const HTMX_DIST = dirname(require.resolve('htmx.org/dist/htmx.min.js'))

/** Upper bound of any uploaded file (attachments are limited further per route; batch files up to this). */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/

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

/** One registered route: method(s), full url, and whether the CSRF check applies (config.csrf !== false). */
export interface RouteEntry {
  method: string
  url: string
  csrf: boolean
}

export async function buildApp(services: Services): Promise<App> {
  checkServices(services) // a missing part fails the start, not a request
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    genReqId: (req) => {
      const h = req.headers['x-correlation-id']
      return typeof h === 'string' && CORRELATION_ID.test(h) ? h : randomUUID()
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
    for (const method of [r.method].flat()) routeTable.push({ method, url: r.url, csrf: r.config?.csrf !== false })
  })

  // correlation id: echoed back, and carried by AsyncLocalStorage into command/projection logs of this request
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-correlation-id', String(request.id))
    withCorrelation(String(request.id), () => done())
  })
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'same-origin')
    reply.header('x-frame-options', 'DENY')
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  })

  const secret = services.config.SESSION_SECRET ?? randomBytes(32).toString('hex')
  await app.register(fastifyCookie, { secret })
  await app.register(fastifyFormbody)
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 10, fields: 200, parts: 220 },
  })
  const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: process.env.NODE_ENV === 'production' })
  await app.register(fastifyView, { engine: { eta }, root: VIEWS_DIR, defaultContext: { h: viewHelpers } })
  await app.register(fastifyStatic, { root: join(VIEWS_DIR, 'assets'), prefix: '/assets/', decorateReply: false, cacheControl: false })
  await app.register(fastifyStatic, {
    root: HTMX_DIST, prefix: '/assets/htmx/', decorateReply: false, cacheControl: false, allowedPath: (p) => p === '/htmx.min.js',
  })

  app.decorateReply('page', function (this: import('fastify').FastifyReply, template: string, data: Record<string, unknown> = {}) {
    const req = this.request
    return this.type('text/html; charset=utf-8').viewAsync(template, {
      user: req.session?.user, csrf: req.session?.csrf, path: req.url, commandId: () => randomUUID(), ...data,
    })
  })

  installSessions(app, { store: services.sessions, now: () => services.clock().getTime(), secure: services.config.SITE_ORIGIN?.startsWith('https:') ?? false })
  installErrorHandling(app)
  await registerRoutes(app)
  await app.register(backOfficePlugin)
  return app
}
