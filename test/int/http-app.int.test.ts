// The application skeleton: correlation ids, sessions (cookie flags, rotation, idle timeout, logout), CSRF,
// role guards, the one error handler (API JSON vs zh-TW pages), escaping, static assets.
import t from 'tap'
import { buildTestApp, form, institution, login, professional } from '../support/http.js'

const { app, clock } = await buildTestApp(t)

t.test('correlation id: echoed when given, generated otherwise', async (t) => {
  const a = await app.inject({ url: '/healthz', headers: { 'x-correlation-id': 'abc-123' } })
  t.equal(a.headers['x-correlation-id'], 'abc-123')
  const b = await app.inject({ url: '/healthz' })
  t.match(String(b.headers['x-correlation-id']), /^[0-9a-f-]{36}$/)
  const c = await app.inject({ url: '/healthz', headers: { 'x-correlation-id': 'bad id with spaces <x>' } })
  t.not(c.headers['x-correlation-id'], 'bad id with spaces <x>')
})

t.test('anonymous visitors are sent to login; pages refuse with a zh-TW page, the API with a coded JSON error', async (t) => {
  const root = await app.inject({ url: '/' })
  t.equal(root.statusCode, 303)
  t.equal(root.headers.location, '/login')
  const page = await app.inject({ url: '/home' })
  t.equal(page.statusCode, 401)
  t.match(page.body, '請先登入')
  t.match(page.headers['content-type'], /text\/html/)
  const api = await app.inject({ url: '/api/me' })
  t.equal(api.statusCode, 401)
  t.same(Object.keys(api.json()).sort(), ['code', 'correlationId', 'message'])
  t.equal(api.json().code, 'UNAUTHENTICATED')
})

t.test('session cookie: signed, HttpOnly, SameSite=Lax; id rotated at each login', async (t) => {
  const r = await app.inject({ method: 'POST', url: '/__test/session', payload: { user: professional() } })
  const cookie = String(r.headers['set-cookie'])
  t.match(cookie, /bb_sid=[^;]+\.[^;]+;/) // value.signature
  t.match(cookie, /HttpOnly/)
  t.match(cookie, /SameSite=Lax/)
  const first = cookie.split(';')[0]!
  const again = await app.inject({ method: 'POST', url: '/__test/session', payload: { user: professional() }, headers: { cookie: first } })
  const second = String(again.headers['set-cookie']).split(';')[0]!
  t.not(second, first, 'new id')
  const old = await app.inject({ url: '/home', headers: { cookie: first } })
  t.equal(old.statusCode, 401, 'the old session id no longer works')
  const tampered = await app.inject({ url: '/home', headers: { cookie: second.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) } })
  t.equal(tampered.statusCode, 401, 'a tampered signature is ignored')
})

t.test('header shows name, institution and last login (ROC date with weekday)', async (t) => {
  const s = await login(app, professional())
  const r = await app.inject({ url: '/home', headers: { cookie: s.cookie } })
  t.equal(r.statusCode, 200)
  t.match(r.body, '王大明')
  t.match(r.body, '示範大學附設醫院（0163010001）')
  t.match(r.body, '上次登入：1130219 0930 星期一')
  t.match(r.body, '<html lang="zh-Hant-TW">')
  t.match(r.body, 'A1234XXXX9', 'national id masked')
  t.notMatch(r.body, 'A123456789')
})

t.test('idle timeout: 20 minutes without a request ends the session', async (t) => {
  const s = await login(app, professional())
  clock.advance(19 * 60_000)
  t.equal((await app.inject({ url: '/home', headers: { cookie: s.cookie } })).statusCode, 200, 'activity keeps it alive')
  clock.advance(19 * 60_000)
  t.equal((await app.inject({ url: '/home', headers: { cookie: s.cookie } })).statusCode, 200)
  clock.advance(21 * 60_000)
  const r = await app.inject({ url: '/home', headers: { cookie: s.cookie } })
  t.equal(r.statusCode, 401)
  t.match(r.body, '閒置過久')
})

t.test('CSRF: state-changing requests need the session token (field or header)', async (t) => {
  const s = await login(app, professional())
  const none = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: s.cookie } })
  t.equal(none.statusCode, 403)
  t.match(none.body, '表單已過期')
  const wrong = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: 'x'.repeat(43) }) })
  t.equal(wrong.statusCode, 403)
  const api = await app.inject({ method: 'POST', url: '/api/reports', headers: { cookie: s.cookie }, payload: {} })
  t.equal(api.statusCode, 403)
  t.equal(api.json().code, 'CSRF_FAILED')
  const ok = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })
  t.equal(ok.statusCode, 303)
  t.match(String(ok.headers['set-cookie']), /bb_sid=;/)
  t.equal((await app.inject({ url: '/home', headers: { cookie: s.cookie } })).statusCode, 401, 'logged out')
})

t.test('role guard: an institution cannot open a professional page', async (t) => {
  const s = await login(app, institution())
  const r = await app.inject({ url: '/home', headers: { cookie: s.cookie } })
  t.equal(r.statusCode, 403)
  t.match(r.body, '您沒有權限執行此操作')
})

t.test('htmx requests get the error as a fragment retargeted into the alert area', async (t) => {
  const s = await login(app, professional())
  const r = await app.inject({ method: 'POST', url: '/reports/check', headers: { cookie: s.cookie, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: 'nope' }) })
  t.equal(r.statusCode, 200)
  t.equal(r.headers['hx-retarget'], '#alerts')
  t.match(r.body, 'class="alert error"')
  t.notMatch(r.body, '<html')
})

t.test('unknown pages: zh-TW 404 page; unknown API paths: JSON', async (t) => {
  const p = await app.inject({ url: '/nope' })
  t.equal(p.statusCode, 404)
  t.match(p.body, '查無此頁面')
  const a = await app.inject({ url: '/api/nope' })
  t.equal(a.statusCode, 404)
  t.equal(a.json().code, 'NOT_FOUND')
})

t.test('templates escape what users typed', async (t) => {
  const s = await login(app, { ...professional(), name: '<script>alert(1)</script>' })
  const r = await app.inject({ url: '/home', headers: { cookie: s.cookie } })
  t.notMatch(r.body, '<script>alert(1)</script>')
  t.match(r.body, '&lt;script&gt;alert(1)&lt;/script&gt;')
})

t.test('static assets: our CSS and the htmx dist file, nothing else from node_modules', async (t) => {
  const css = await app.inject({ url: '/assets/app.css' })
  t.equal(css.statusCode, 200)
  t.match(css.body, '@media print')
  const htmx = await app.inject({ url: '/assets/htmx/htmx.min.js' })
  t.equal(htmx.statusCode, 200)
  t.match(htmx.body, 'htmx')
  t.equal((await app.inject({ url: '/assets/htmx/htmx.js' })).statusCode, 404)
  t.equal((await app.inject({ url: '/assets/htmx/../package.json' })).statusCode, 404)
})
