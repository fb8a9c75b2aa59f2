// `baobei serve`: open the runtime (database, event store, every migration), start the projections in-process
// (unless --no-projections), start the daily NHI roster delivery when SFTP is configured (exporter/serve-export.ts)
// and the e-mail/SMS notices of decisions when a channel is configured or in demo mode (notify/serve-notifier.ts),
// mount /status (JSON, or a page for browsers) and /metrics, listen on HOST:PORT, stop cleanly on SIGINT/SIGTERM.
// Demo mode (--demo) also: seeds demo data and demo cards, starts the reader agent in this process with virtual
// cards (unless --no-reader, or an agent already holds the agent port), and mounts 「示範讀卡機」 /dev/cards and the
// e-mail outbox /dev/mail.
import { trustProxyOf, type Config } from '../commands/platform/config.js'
import { createLogger, type Logger } from '../commands/platform/logger.js'
import { openRuntime } from '../commands/platform/runtime.js'
import { APP_MIGRATIONS } from '../bin/app-migrations.js'
import { projectionMetrics, projectionStatus } from '../projections/status.js'
import { operatorOnly } from './operator-access.js'
import { assertDemoFenced } from './demo-fence.js'
import { sweepOrphanBlobs } from '../commands/attachments/orphan-sweep.js'
import { startServeExport, type ServeExport } from '../exporter/serve-export.js'
import { buildApp, type App } from './app.js'
import { PostgresSessionStore } from './postgres-session-store.js'
import { sessionSecretFor } from './session-secret.js'
import { createFrontParts } from './wiring.js'
import { join } from 'node:path'
import { DEMO_PIN } from '../commands/seed/demo-cards.js'
import { demoBanner } from '../commands/seed/demo-banner.js'
import { siteOrigins, startEmbeddedAgent, type EmbeddedAgent } from '../reader/embedded-agent.js'
import { agentRackControl, directRackControl } from '../reader/virtual/rack-control.js'
import type { VirtualMode } from '../reader/virtual/setup.js'
import { VirtualCardRack, virtualCardsFor } from '../reader/virtual/rack.js'
import { listDemoCards } from '../commands/pki/demo-pki.js'
import { registerDevCardsRoutes } from './routes/dev-cards.js'
import { registerDevMailRoutes } from './routes/dev-mail.js'
import { assertNotifyConfig, notifierNotStarted, startServeNotifier, type ServeNotifier } from './notify/serve-notifier.js'

export interface ServeOptions {
  logger?: Logger
  projections?: boolean
  demo?: boolean
  /** Install SIGINT/SIGTERM handlers (default true). */
  signals?: boolean
  /** Demo mode: start the reader agent with virtual cards in this process (default true). */
  reader?: boolean
  /** Port of that agent (default READER_PORT; 0 = any free port). */
  readerPort?: number
  /** How that agent holds its virtual cards (default 'inprocess': pcscd's vpcd slots stay free). */
  readerMode?: VirtualMode
  /** Demo mode: print the welcome block (URL, demo cards, PIN) on stdout (default false). */
  banner?: boolean
}

export interface RunningServer {
  app: App
  url: string
  /** The reader agent started in this process (demo mode). */
  readerAgentUrl?: string
  /** The daily roster delivery (off unless SFTP is configured). */
  exporter: ServeExport
  /** E-mail/SMS notices of decisions (off unless a channel is configured; demo: the embedded outboxes). */
  notifier: ServeNotifier
  close(): Promise<void>
}

export async function startServer(config: Config, opts: ServeOptions = {}): Promise<RunningServer> {
  if (opts.demo || config.DEMO) assertDemoFenced({ ...config, DEMO: true })
  assertNotifyConfig(config)
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL)
  const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
  const exporter = await startServeExport({ store: runtime.store, db: runtime.db, config, logger }).catch(async (e: unknown) => {
    await runtime.close()
    throw e
  })
  const clock = () => new Date()
  const parts = await createFrontParts({ db: runtime.db, store: runtime.store, clock, dataDir: config.DATA_DIR, logger, runProjections: opts.projections !== false })
  const pkiDir = join(config.DATA_DIR, 'pki')
  let embedded: EmbeddedAgent | undefined
  let origins: string[] = []
  let appConfig: Config = { ...config, SESSION_SECRET: sessionSecretFor(config) }
  if (opts.demo) {
    const { seedDemo } = await import('../commands/seed/seed-demo.js').catch(() => ({ seedDemo: undefined }))
    if (seedDemo) logger.info({ summary: await seedDemo({ db: runtime.db, reports: parts.reports, accounts: parts.accounts, waitFor: parts.waitFor }, { logger, pkiDir }) }, 'demo data seeded')
    if (opts.reader !== false) {
      embedded = await startEmbeddedAgent({ pkiDir, port: opts.readerPort ?? config.READER_PORT, origins: () => origins, logger, mode: opts.readerMode ?? 'inprocess' })
    }
  }
  // the agent the login page calls: ours, else the one configured, else the one on the agent port
  const agentUrl = (embedded?.agent.url ?? config.READER_AGENT_URL ?? `http://127.0.0.1:${opts.readerPort || config.READER_PORT}`).replace(/\/+$/, '')
  if (agentUrl !== config.READER_AGENT_URL) appConfig = { ...appConfig, READER_AGENT_URL: agentUrl }
  const app = await buildApp({
    config: appConfig, logger, clock, db: runtime.db, store: runtime.store, sessions: new PostgresSessionStore(runtime.db),
    readModels: parts.readModels, reports: parts.reports, blobs: parts.blobs, waitFor: parts.waitFor,
    accounts: parts.accounts, rules: parts.rules,
  })
  // card logins check the signed payload against the origins this server is really reached by (its listening port)
  if (app.services.login) app.services.login.origins = () => origins
  const behindProxy = trustProxyOf(config) !== false
  if (behindProxy && !config.STATUS_TOKEN) logger.warn({}, 'TRUST_PROXY is set without STATUS_TOKEN: /status and /metrics are closed')
  const operator = operatorOnly(config.STATUS_TOKEN, { behindProxy })
  // started once the server listens (its links name the site's origin); until then /status shows it off
  let notifier: ServeNotifier = notifierNotStarted
  app.get('/status', { onRequest: operator }, async (request, reply) => {
    const [projections, exported, notified] = await Promise.all([projectionStatus(runtime.db, runtime.store), exporter.status(), notifier.status()])
    const status = { ...projections, ok: projections.ok && exported.ok && notified.ok, exporter: exported, notifier: notified }
    return /text\/html/.test(request.headers.accept ?? '') ? reply.page('pages/status', { title: '系統狀態', status }) : status
  })
  app.get('/metrics', { onRequest: operator }, async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await projectionMetrics(runtime.db, runtime.store)))
  if (opts.demo) {
    const control = embedded ? directRackControl(embedded.rack) : agentRackControl(agentUrl, () => origins[0] ?? '')
    await registerDevCardsRoutes(app, { control, pin: DEMO_PIN })
    await registerDevMailRoutes(app)
  }
  const url = await app.listen({ host: config.HOST, port: config.PORT }).catch(async (e: unknown) => {
    await embedded?.close()
    await exporter.stop()
    throw e
  })
  origins = siteOrigins(url, config.SITE_ORIGIN)
  notifier = startServeNotifier({ store: runtime.store, db: runtime.db, config, logger, demo: !!(opts.demo || config.DEMO), siteOrigin: () => config.SITE_ORIGIN ?? url })
  // attachment blobs no case references are removed after a grace period (every 6 hours)
  const sweep = setInterval(() => {
    sweepOrphanBlobs({ dir: join(config.DATA_DIR, 'attachments'), store: runtime.store, now: clock() })
      .then((n) => { if (n) logger.info({ removed: n }, 'orphan attachment blobs removed') }, (e: unknown) => logger.warn({ err: (e as Error).message }, 'orphan attachment sweep failed'))
  }, 6 * 3600_000)
  sweep.unref()
  logger.info({ url, projections: opts.projections !== false }, 'baobei listening')
  if (opts.demo && opts.banner) {
    const entries = (embedded?.rack ?? new VirtualCardRack(virtualCardsFor(listDemoCards(pkiDir)))).catalogue()
    console.log(
      demoBanner({
        url: config.SITE_ORIGIN ?? url,
        pin: DEMO_PIN,
        cards: entries,
        ...(embedded
          ? { agent: { url: embedded.agent.url, how: embedded.mode === 'inprocess' ? 'virtual cards, in this process' : 'virtual cards in pcscd/vpcd' }, slots: embedded.rack.slots() }
          : opts.reader !== false
            ? { agent: { url: agentUrl, how: 'already running, not started here' } }
            : {}),
      }),
    )
  }
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      clearInterval(sweep)
      await notifier.stop()
      await exporter.stop()
      await app.close()
      await embedded?.close()
      await parts.close()
      await runtime.close()
    })())
  if (opts.signals !== false) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void close().then(() => process.exit(0), () => process.exit(1)))
  }
  return { app, url, exporter, notifier, close, ...(embedded ? { readerAgentUrl: embedded.agent.url } : {}) }
}
