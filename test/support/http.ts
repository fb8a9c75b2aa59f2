// Test harness for the HTTP layer: a real app over a fresh PostgreSQL database with the demo registry, and a
// TEST-ONLY plugin that opens a session (production code has no such route; real logins go through the card).
import type { Test } from 'tap'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { registryMigrations } from '../../commands/registry/registry-migrations.js'
import { upsertInstitutions, upsertProfessionals } from '../../commands/registry/registry.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS } from '../../commands/registry/demo-registry.js'
import { buildApp, type App } from '../../http/app.js'
import type { Services } from '../../http/services.js'
import { MemorySessionStore, type SessionUser } from '../../http/session-store.js'
import { freshDatabase, type TestDatabase } from './db.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { PROJECTION_MIGRATIONS } from '../../projections/catalog.js'
import { loginMigrations } from '../../http/auth/login-migrations.js'
import { progressMigrations } from '../../http/public/progress-limit.js'
import { batchMigrations } from '../../http/batch/jobs.js'
import { createFrontParts, type FrontParts } from '../../http/wiring.js'
import { seedDemoAccounts } from '../../commands/seed/demo-accounts.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestClock {
  now: Date
  advance(ms: number): void
}

export interface TestApp {
  app: App
  tdb: TestDatabase
  clock: TestClock
  services: Services
  parts: FrontParts
}

export async function buildTestApp(t: Test, extra: Partial<Services> = {}, opts: { now?: string } = {}): Promise<TestApp> {
  const tdb = await freshDatabase('http')
  t.teardown(() => tdb.drop())
  await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...registryMigrations, ...PROJECTION_MIGRATIONS, ...loginMigrations, ...progressMigrations, ...batchMigrations])
  await upsertInstitutions(tdb.db, DEMO_INSTITUTIONS)
  await upsertProfessionals(tdb.db, DEMO_PROFESSIONALS)
  const clock: TestClock = { now: new Date(opts.now ?? '2024-02-20T02:00:00.000Z'), advance(ms) { this.now = new Date(this.now.getTime() + ms) } }
  const config = loadConfig({}, { SESSION_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'silent' })
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')
  const store = createPostgresEventStore(tdb.db, { logger })
  const dataDir = await mkdtemp(join(tmpdir(), 'bb-http-'))
  const parts = await createFrontParts({ db: tdb.db, store, clock: () => clock.now, dataDir, logger, runProjections: true })
  // the demo staff as accounts (帳號管理): card logins and session rights read them
  await seedDemoAccounts(parts.accounts, { waitFor: parts.waitFor })
  t.teardown(async () => {
    await parts.close()
    await store.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  const services: Services = {
    config,
    logger,
    clock: () => clock.now,
    db: tdb.db,
    store,
    sessions: new MemorySessionStore(() => clock.now.getTime()),
    readModels: parts.readModels,
    reports: parts.reports,
    blobs: parts.blobs,
    waitFor: parts.waitFor,
    accounts: parts.accounts,
    rules: parts.rules,
    ...extra,
  }
  const app = await buildApp(services)
  await app.register(testSessionPlugin)
  t.teardown(() => app.close())
  // the app keeps its own bounded wait (services.waitFor, 5 s: a person's read-your-writes); a test waits as long as
  // a loaded machine needs and fails loudly if the read models never get there, instead of reading them early
  parts.waitFor = strictWaitFor(parts.waitFor.bind(parts))
  return { app, tdb, clock, services, parts }
}

/** How long a test waits for the read models to reach a position before it fails (the suite runs several files at once). */
export const TEST_CATCH_UP_MS = 60_000

/** `waitFor` that resolves true once the read models reach `position`, or throws after TEST_CATCH_UP_MS. */
export function strictWaitFor(waitFor: FrontParts['waitFor']): FrontParts['waitFor'] {
  return async (position) => {
    const until = Date.now() + TEST_CATCH_UP_MS
    while (!(await waitFor(position))) {
      if (Date.now() > until) throw new Error(`the read models did not reach position ${String(position)} within ${TEST_CATCH_UP_MS / 1000} s`)
    }
    return true
  }
}

/**
 * A second instance of the application on the same database (another process in production: its own pool, its own
 * caches, no projection runner). `rulesCacheMs` long: only a notification can make it see a new rule version.
 */
export async function buildSecondInstance(t: Test, first: TestApp, opts: { rulesCacheMs?: number } = {}): Promise<{ app: App; parts: FrontParts; db: import('../../commands/platform/database.js').Database }> {
  const { createPostgresDatabase } = await import('../../commands/platform/postgres-database.js')
  const db = createPostgresDatabase(first.tdb.url, { max: 4, applicationName: 'test-second-instance' })
  const store = createPostgresEventStore(db, { logger: first.services.logger })
  const dataDir = await mkdtemp(join(tmpdir(), 'bb-http2-'))
  const parts = await createFrontParts({ db, store, clock: first.services.clock, dataDir, logger: first.services.logger, runProjections: false, ...(opts.rulesCacheMs !== undefined ? { rulesCacheMs: opts.rulesCacheMs } : {}) })
  const services: Services = {
    ...first.services, db, store, sessions: new MemorySessionStore(() => first.clock.now.getTime()),
    readModels: parts.readModels, reports: parts.reports, blobs: parts.blobs, waitFor: parts.waitFor, accounts: parts.accounts, rules: parts.rules,
  }
  const app = await buildApp(services)
  await app.register(testSessionPlugin)
  t.teardown(async () => {
    await app.close()
    await parts.close()
    await store.close()
    await db.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return { app, parts, db }
}

/** Registered only by tests: POST /__test/session {user} opens a session like a successful login would (a form kept
 * when the browser's previous session ended comes back the same way: `redirect`). */
async function testSessionPlugin(app: App) {
  app.post('/__test/session', { config: { csrf: false } }, async (request, reply) => {
    const session = await app.sessions.start(request, reply, (request.body as { user: SessionUser }).user)
    const redirect = await app.keptForms.claim(request, reply)
    return { csrf: session.csrf, redirect }
  })
}

/**
 * A full-page form answered by POST-redirect-GET: checks the 303 and reads the page it leads to (with the same
 * session), so a test sees the values and errors the person sees.
 */
export async function followForm(app: App, r: { statusCode: number; headers: Record<string, unknown>; body: string }, cookie: string): Promise<{ status: number; location: string; statusCode: number; body: string }> {
  const location = String(r.headers.location ?? '')
  if (r.statusCode !== 303 || !location) return { status: r.statusCode, location, statusCode: r.statusCode, body: r.body }
  const page = await app.inject({ url: location, headers: { cookie } })
  return { status: r.statusCode, location, statusCode: page.statusCode, body: page.body }
}

export interface Login {
  cookie: string
  csrf: string
  user: SessionUser
}

export async function login(app: App, user: SessionUser): Promise<Login> {
  const r = await app.inject({ method: 'POST', url: '/__test/session', payload: { user } })
  if (r.statusCode !== 200) throw new Error(`test login failed: ${r.statusCode} ${r.body}`)
  const set = r.headers['set-cookie']
  const first = Array.isArray(set) ? set[0] : set
  const cookie = String(first).split(';')[0]!
  return { cookie, csrf: (r.json() as { csrf: string }).csrf, user }
}

export const professional = (nationalId = 'A123456789', name = '王大明', home = { code: '0163010001', name: '示範大學附設醫院' }): SessionUser => ({
  actor: { role: 'professional', id: nationalId, name, via: 'hca-professional-card', institutionCode: home.code },
  name,
  institution: home,
  lastLoginAt: '2024-02-19T01:30:00.000Z',
})

export const institution = (code = '0163010001', name = '示範大學附設醫院'): SessionUser => ({
  actor: { role: 'institution', id: code, name, via: 'hca-institution-card', institutionCode: code },
  name,
  institution: { code, name },
})

export const reviewer = (): SessionUser => ({
  actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' },
  name: '周文華',
})

/** url-encoded body from a record (lists repeat the key). */
export function form(fields: Record<string, string | string[]>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x)
  return p.toString()
}

/** A multipart body (fields + files). */
export function multipart(fields: Record<string, string | string[]>, fileParts: { name: string; filename: string; type: string; content: Buffer }[] = []) {
  const boundary = `----bbtest${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const [k, v] of Object.entries(fields)) {
    for (const x of Array.isArray(v) ? v : [v]) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${x}\r\n`))
  }
  for (const f of fileParts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`))
    chunks.push(f.content, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}
