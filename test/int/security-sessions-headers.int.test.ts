// Issue #13: sessions (absolute lifetime, polling does not extend the idle timer, rights re-read from the registry,
// logout not undone by a request in flight), cookies (Secure + __Host- over HTTPS, also behind a trusted proxy), HSTS
// on HTTPS only, and a strict Content-Security-Policy with no inline script on every page.
import t from 'tap'
import { loadConfig } from '../../commands/platform/config.js'
import { IDLE_TIMEOUT_MS, MemorySessionStore, TOUCH_EVERY_MS, type SessionData } from '../../http/session-store.js'
import { buildTestApp, institution, login, professional, reviewer } from '../support/http.js'

const SECRET = 'test-secret-test-secret-test-secret-0123'
const h = await buildTestApp(t, { config: loadConfig({}, { SESSION_SECRET: SECRET, LOG_LEVEL: 'silent', TRUST_PROXY: '127.0.0.1' }) })
const { app, clock, tdb } = h
app.get('/__test/me', async (request) => request.session?.user ?? { none: true })
const get = (cookie: string, url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { cookie, ...headers } })
const MIN = 60_000

t.test('an absolute lifetime of 8 hours, however active', async (t) => {
  const s = await login(app, professional())
  for (let i = 0; i < 47; i++) {
    clock.advance(10 * MIN)
    t.equal((await get(s.cookie, '/home')).statusCode, 200, `active at ${(i + 1) * 10} min`)
  }
  clock.advance(11 * MIN)
  const r = await get(s.cookie, '/home')
  t.not(r.statusCode, 200, 'past 8 hours the session is over')
})

t.test('background polling does not extend the idle timer', async (t) => {
  const s = await login(app, institution())
  clock.advance(15 * MIN)
  t.equal((await get(s.cookie, '/institution/counts', { 'hx-request': 'true' })).statusCode, 200, 'the dashboard tiles poll')
  clock.advance(6 * MIN)
  t.same((await get(s.cookie, '/__test/me')).json(), { none: true }, '21 minutes after the last real request: over')
})

t.test('a session records its use at most once a second, and ends 20 minutes after the recorded use', async (t) => {
  let writes = 0
  class CountingStore extends MemorySessionStore {
    override async get(id: string) {
      const s = await super.get(id)
      return s ? { ...s } : undefined // as a database store: the request's copy, written back only by update()
    }
    override async update(session: SessionData) {
      writes++
      return super.update(session)
    }
  }
  const store = new CountingStore(() => g.clock.now.getTime())
  const g = await buildTestApp(t, { sessions: store })
  const s = await login(g.app, professional())
  const home = async () => (await g.app.inject({ url: '/home', headers: { cookie: s.cookie } })).statusCode
  writes = 0
  t.equal(await home(), 200)
  g.clock.advance(TOUCH_EVERY_MS / 2)
  t.equal(await home(), 200)
  t.equal(writes, 0, 'two pages in the second of the login: the session is not written')
  g.clock.advance(TOUCH_EVERY_MS / 2)
  t.equal(await home(), 200)
  t.equal(writes, 1, 'a second later: the use is recorded')
  g.clock.advance(TOUCH_EVERY_MS / 2)
  t.equal(await home(), 200, 'the last request (within the second: not recorded)')
  t.equal(writes, 1)
  // asked of the store (its idle sweep), so that asking does not itself count as use
  const alive = () => {
    store.sweep()
    return store.size === 1
  }
  g.clock.advance(IDLE_TIMEOUT_MS - TOUCH_EVERY_MS / 2)
  t.equal(alive(), true, '20 minutes after the recorded use: still on')
  g.clock.advance(1)
  t.equal(alive(), false, 'a millisecond past: over')
  t.equal(await home(), 401, 'and the page says so')
})

t.test('a professional is re-read from the registry every few minutes (staff: from their account at every request, admin-accounts)', async (t) => {
  const s = await login(app, professional())
  const id = (await get(s.cookie, '/__test/me')).json().actor.id as string
  const row = await tdb.db.query(`SELECT * FROM registry_professionals WHERE national_id = $1`, [id])
  t.equal(row.rows.length, 1, 'the demo professional is registered')
  await tdb.db.query(`DELETE FROM registry_professionals WHERE national_id = $1`, [id])
  t.teardown(async () => {
    const r = row.rows[0] as Record<string, unknown>
    await tdb.db.query(`INSERT INTO registry_professionals (${Object.keys(r).join(', ')}) VALUES (${Object.keys(r).map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING`, Object.values(r))
  })
  t.equal((await get(s.cookie, '/__test/me')).json().actor.id, id, 'not at once')
  clock.advance(4 * MIN)
  t.same((await get(s.cookie, '/__test/me')).json(), { none: true }, 'no longer registered: no session any more')
  t.equal((await get(s.cookie, '/home')).statusCode === 200, false)
})

t.test('over HTTPS (X-Forwarded-Proto from the trusted proxy): __Host- Secure cookie and HSTS; not from others', async (t) => {
  const viaProxy = await app.inject({ method: 'POST', url: '/__test/session', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' }, payload: { user: professional() } })
  const set = String(viaProxy.headers['set-cookie'])
  t.match(set, /^__Host-bb_sid=/)
  t.match(set, /Secure/)
  t.match(set, /Path=\//)
  t.notMatch(set, /Domain=/i)
  t.match(viaProxy.headers['strict-transport-security'], /max-age=\d+/)
  const cookie = set.split(';')[0]!
  t.equal((await app.inject({ url: '/home', remoteAddress: '127.0.0.1', headers: { cookie, 'x-forwarded-proto': 'https' } })).statusCode, 200, 'the __Host- cookie opens the session over HTTPS')
  const spoofed = await app.inject({ method: 'POST', url: '/__test/session', remoteAddress: '203.0.113.5', headers: { 'x-forwarded-proto': 'https' }, payload: { user: professional() } })
  t.match(String(spoofed.headers['set-cookie']), /^bb_sid=/, 'plain HTTP from a client that only claims HTTPS')
  t.notOk(spoofed.headers['strict-transport-security'])
  const login2 = await app.inject({ url: '/login', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' } })
  t.match(String(login2.headers['set-cookie']), /^__Host-bb_pre=.*Secure/, 'the pre-login cookie too')
})

t.test('a strict Content-Security-Policy, and no inline script on the pages', async (t) => {
  const pro = await login(app, professional())
  const inst = await login(app, institution())
  const rev = await login(app, reviewer())
  const pages: [string, string][] = [['', '/login'], [pro.cookie, '/home'], [pro.cookie, '/reports'], [pro.cookie, '/reports/new'], [inst.cookie, '/institution'], [inst.cookie, '/institution/batch'], [rev.cookie, '/review/cases'], [rev.cookie, '/review/statistics']]
  for (const [cookie, url] of pages) {
    const r = await get(cookie, url)
    t.equal(r.statusCode, 200, url)
    const csp = String(r.headers['content-security-policy'])
    t.match(csp, /script-src 'self'(;|$)/, `${url}: script-src 'self' only`)
    t.match(csp, /frame-ancestors 'none'/)
    t.notMatch(csp, /script-src[^;]*unsafe/, `${url}: no unsafe script source`)
    t.notMatch(r.body, /<script(?![^>]*\bsrc=)[^>]*>/, `${url}: no inline <script>`)
    t.notMatch(r.body, /\son[a-z]+\s*=\s*["']/i, `${url}: no inline event handler`)
    if (r.body.includes('htmx.min.js')) t.match(r.body, '"allowEval":false', `${url}: htmx without eval`)
  }
})

t.test('logout is not undone by a request in flight', async (t) => {
  let gate: Promise<void> | undefined
  let armed = false
  class GatedStore extends MemorySessionStore {
    override async get(id: string): Promise<SessionData | undefined> {
      const s = await super.get(id)
      if (armed) {
        armed = false
        await gate
      }
      return s ? { ...s } : undefined
    }
  }
  const store = new GatedStore(() => clock.now.getTime())
  const g = await buildTestApp(t, { sessions: store })
  const s = await login(g.app, professional())
  let release!: () => void
  gate = new Promise((r) => (release = r))
  armed = true
  const inFlight = g.app.inject({ url: '/home', headers: { cookie: s.cookie } })
  await new Promise((r) => setTimeout(r, 50))
  const out = await g.app.inject({ method: 'POST', url: '/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })
  t.equal(out.statusCode, 303)
  release()
  await inFlight
  t.equal(store.size, 0, 'the in-flight request did not write the session back')
  t.equal((await g.app.inject({ url: '/home', headers: { cookie: s.cookie } })).statusCode, 401, 'still logged out')
})
