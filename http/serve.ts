// `baobei serve`: open the runtime (database, event store, every migration), start the projections in-process
// (unless --no-projections), mount /status and /metrics, listen on HOST:PORT, stop cleanly on SIGINT/SIGTERM.
import type { Config } from '../commands/platform/config.js'
import { createLogger, type Logger } from '../commands/platform/logger.js'
import { openRuntime } from '../commands/platform/runtime.js'
import { APP_MIGRATIONS } from '../bin/app-migrations.js'
import { projectionMetrics, projectionStatus } from '../projections/status.js'
import { buildApp, type App } from './app.js'
import { MemorySessionStore } from './session-store.js'
import { createFrontParts } from './wiring.js'

export interface ServeOptions {
  logger?: Logger
  projections?: boolean
  demo?: boolean
  /** Install SIGINT/SIGTERM handlers (default true). */
  signals?: boolean
}

export interface RunningServer {
  app: App
  url: string
  close(): Promise<void>
}

export async function startServer(config: Config, opts: ServeOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL)
  const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
  const clock = () => new Date()
  const parts = await createFrontParts({ db: runtime.db, store: runtime.store, clock, dataDir: config.DATA_DIR, logger, runProjections: opts.projections !== false })
  if (opts.demo) {
    const { seedDemo } = await import('../commands/seed/seed-demo.js').catch(() => ({ seedDemo: undefined }))
    if (seedDemo) logger.info({ summary: await seedDemo({ db: runtime.db, reports: parts.reports, waitFor: parts.waitFor }, { logger }) }, 'demo data seeded')
  }
  const app = await buildApp({
    config, logger, clock, db: runtime.db, store: runtime.store, sessions: new MemorySessionStore(),
    readModels: parts.readModels, reports: parts.reports, blobs: parts.blobs, waitFor: parts.waitFor,
  })
  app.get('/status', async () => projectionStatus(runtime.db, runtime.store))
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await projectionMetrics(runtime.db, runtime.store)))
  const url = await app.listen({ host: config.HOST, port: config.PORT })
  logger.info({ url, projections: opts.projections !== false }, 'baobei listening')
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      await app.close()
      await parts.close()
      await runtime.close()
    })())
  if (opts.signals !== false) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void close().then(() => process.exit(0), () => process.exit(1)))
  }
  return { app, url, close }
}
