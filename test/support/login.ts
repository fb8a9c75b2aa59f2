// Harness for login tests: the real app over a fresh PostgreSQL database (test/support/http.ts) with a demo PKI of
// its own as the trust store + CRL, the login tables, demo NHI passwords, and helpers that walk the login endpoints
// the way the page does (pre-login cookie + login token).
import { createSign } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { loadConfig } from '../../commands/platform/config.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { ensureDemoPki, issueDemoCard, type DemoCard, type DemoCardRequest, type DemoPki } from '../../commands/pki/demo-pki.js'
import { loginPayload } from '../../domain/card/login-payload.js'
import { seedDemoNhiPasswords } from '../../http/auth/login-demo.js'
import { loginMigrations } from '../../http/auth/login-migrations.js'
import type { App } from '../../http/app.js'
import { buildTestApp, type TestApp } from './http.js'
import { freePort } from './net.js'

/** The site origin of the login tests (SITE_ORIGIN): what the cards' login payloads name. */
export const TEST_SITE = 'https://baobei.test'

export interface LoginTestApp extends TestApp {
  pki: DemoPki
  pkiDir: string
  /** Issues a card in this app's PKI; a staff card is also recorded for its staff member (issuer DN + serial). */
  issueCard(req: DemoCardRequest): Promise<DemoCard>
}

export async function buildLoginApp(t: Test, opts: { now?: string; agentUrl?: string; siteOrigin?: string; hipkiUrl?: string } = {}): Promise<LoginTestApp> {
  const tmp = mkdtempSync(join(tmpdir(), 'bb-login-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  const pkiDir = join(tmp, 'pki')
  const pki = ensureDemoPki(pkiDir)
  const config = loadConfig({}, {
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'silent', DEMO: true,
    TRUST_DIR: pki.trustDir, DATA_DIR: tmp, SITE_ORIGIN: opts.siteOrigin ?? TEST_SITE, ...(opts.agentUrl ? { READER_AGENT_URL: opts.agentUrl } : {}),
    ...(opts.hipkiUrl ? { HIPKI_URL: opts.hipkiUrl } : {}),
  })
  const h = await buildTestApp(t, { config }, { now: opts.now ?? new Date().toISOString() })
  await runMigrations(h.tdb.db, loginMigrations)
  await seedDemoNhiPasswords(h.tdb.db)
  const issueCard = async (req: DemoCardRequest) => {
    const card = issueDemoCard(req, { dir: pkiDir })
    return card
  }
  return { ...h, pki, pkiDir, issueCard }
}

/** A browser's pre-login state: the bb_pre cookie and the page's login token. */
export interface PreLogin {
  cookie: string
  token: string
}

const cookiePair = (set: string | string[] | undefined, name: string): string | undefined => {
  for (const c of Array.isArray(set) ? set : set ? [set] : []) if (c.startsWith(`${name}=`)) return c.split(';')[0]
  return undefined
}

export async function openLoginPage(app: App, cookie?: string): Promise<PreLogin & { html: string }> {
  const r = await app.inject({ method: 'GET', url: '/login', ...(cookie ? { headers: { cookie } } : {}) })
  if (r.statusCode !== 200) throw new Error(`GET /login: ${r.statusCode}`)
  // over HTTPS (TEST_SITE) the pre-login cookie carries the __Host- prefix
  const pre = cookiePair(r.headers['set-cookie'], '__Host-bb_pre') ?? cookiePair(r.headers['set-cookie'], 'bb_pre') ??
    cookie?.split('; ').find((c) => c.startsWith('bb_pre=') || c.startsWith('__Host-bb_pre='))
  const token = /data-token="([^"]+)"/.exec(r.body)?.[1]
  if (!pre || !token) throw new Error('login page without pre-login cookie or token')
  return { cookie: pre, token, html: r.body }
}

export async function loginPost(app: App, pre: PreLogin, url: string, body: unknown, opts: { ip?: string; cookie?: string } = {}) {
  const r = await app.inject({
    method: 'POST', url, payload: body as Record<string, unknown>,
    headers: { cookie: [pre.cookie, opts.cookie].filter(Boolean).join('; '), 'x-login-token': pre.token },
    ...(opts.ip ? { remoteAddress: opts.ip } : {}),
  })
  return {
    status: r.statusCode,
    json: r.json() as { redirect?: string; challenge?: string; phone?: string; error?: { code: string; message: string; details?: Record<string, unknown> } },
    session: cookiePair(r.headers['set-cookie'], '__Host-bb_sid') ?? cookiePair(r.headers['set-cookie'], 'bb_sid'),
  }
}

export async function getChallenge(app: App, pre: PreLogin, ip?: string): Promise<string> {
  const r = await loginPost(app, pre, '/login/challenge', {}, ip ? { ip } : {})
  if (r.status !== 200 || !r.json.challenge) throw new Error(`challenge: ${r.status} ${JSON.stringify(r.json)}`)
  return r.json.challenge
}

/** What the card computes: RSA PKCS#1 v1.5 over SHA-256(login payload for `origin`), with the demo card's key. */
export function signAsCard(card: DemoCard, challengeB64: string, origin: string = TEST_SITE): string {
  const payload = loginPayload({ origin, challenge: Buffer.from(challengeB64, 'base64'), purpose: 'login' })
  return createSign('sha256').update(payload).sign(card.privateKeyPem).toString('base64')
}

export const certificateB64 = (card: DemoCard): string =>
  Buffer.from(card.certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64').toString('base64')

export const codeFrom = (smsBody: string): string => /(\d{6})/.exec(smsBody)?.[1] ?? ''

/**
 * The login site of the reader-agent e2e files: the app on a port of its own, the agent's port given to its pages,
 * and no HiCOS component (its port answers nothing): the page falls back to the reader agent.
 */
export async function agentLoginSite(t: Test): Promise<{ h: LoginTestApp; base: string; agentPort: number }> {
  const agentPort = await freePort()
  const appPort = await freePort()
  const h = await buildLoginApp(t, { agentUrl: `http://127.0.0.1:${agentPort}`, siteOrigin: `http://127.0.0.1:${appPort}`, hipkiUrl: `http://127.0.0.1:${await freePort()}` })
  const base = await h.app.listen({ host: '127.0.0.1', port: appPort })
  return { h, base, agentPort }
}
