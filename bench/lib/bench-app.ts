// The app as the http benchmark and bench/profile-pages.ts serve it: the schema `serve` opens (sessions in
// PostgreSQL, as in production), read models without their projections running, a fixed clock, and a bench-only route
// that opens a session as a successful card login would (production has no such route). The users are the busiest
// institution of the generated data and a reviewer of its county.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { APP_MIGRATIONS } from '../../bin/app-migrations.js'
import type { EventStore } from '../../commands/event-store/port.js'
import type { Database } from '../../commands/platform/database.js'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import type { InstitutionRef } from '../../domain/types.js'
import { buildApp, type App } from '../../http/app.js'
import { PostgresSessionStore } from '../../http/postgres-session-store.js'
import type { SessionUser } from '../../http/session-store.js'
import { createFrontParts } from '../../http/wiring.js'
import { makeInstitutions } from '../../test/support/data-generator.js'

export interface BenchApp {
  app: App
  /** The session cookie (name=value) of `user`, opened through the bench-only route. */
  cookieFor(user: SessionUser): Promise<string>
  close(): Promise<void>
}

export async function benchApp(o: { db: Database; store: EventStore; today: string }): Promise<BenchApp> {
  await runMigrations(o.db, APP_MIGRATIONS)
  const config = loadConfig({}, { SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01', LOG_LEVEL: 'silent' })
  const logger = createLogger('silent')
  const dataDir = await mkdtemp(join(tmpdir(), 'bb-bench-'))
  const clock = () => new Date(`${o.today}T02:00:00.000Z`)
  const parts = await createFrontParts({ db: o.db, store: o.store, clock, dataDir, logger, runProjections: false })
  const close = async () => {
    await parts.close().catch(() => {})
    await rm(dataDir, { recursive: true, force: true })
  }
  let app: App
  try {
    app = await buildApp({ config, logger, clock, db: o.db, store: o.store, sessions: new PostgresSessionStore(o.db, () => clock().getTime()), readModels: parts.readModels, reports: parts.reports, blobs: parts.blobs, waitFor: parts.waitFor, accounts: parts.accounts, rules: parts.rules })
  } catch (e) {
    await close()
    throw e
  }
  app.post('/__bench/session', { config: { csrf: false } }, async (request, reply) => {
    await app.sessions.start(request, reply, (request.body as { user: SessionUser }).user)
    return { ok: true }
  })
  return {
    app,
    async cookieFor(user) {
      const r = await app.inject({ method: 'POST', url: '/__bench/session', payload: { user } })
      return String([r.headers['set-cookie']].flat()[0]).split(';')[0]!
    },
    async close() {
      await app.close().catch(() => {})
      await close()
    },
  }
}

/** The busiest institution of the generated data (a regional hospital in Taipei, county 63). */
export function benchFocus(seed: number): InstitutionRef {
  return makeInstitutions(seed).find((i) => i.kind === 'regional_hospital' && i.county === '63')!
}

/** Who asks: the focus institution on its card, and a reviewer of its county. */
export function benchUsers(focus: InstitutionRef): { institution: SessionUser; reviewer: SessionUser } {
  return {
    institution: { actor: { role: 'institution', id: focus.code, name: focus.name, via: 'hca-institution-card', institutionCode: focus.code }, name: focus.name, institution: { code: focus.code, name: focus.name } },
    reviewer: { actor: { role: 'reviewer', id: `R${focus.county}001`, name: '審查員', via: 'staff-card', county: focus.county }, name: '審查員' },
  }
}
