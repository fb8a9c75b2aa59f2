// Nothing typed is lost (issue #16), server side: a full-page form sent after its session ended is kept (bounded:
// 64 KB, one per person, 24 hours) and given back only to the same person after logging in again, who sends it
// themself; another person logging in gets nothing and the kept form is gone. A refused form answers 303 to its
// page, which shows the values and errors (POST-redirect-GET), in its own session only.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, followForm, institution, login, multipart, professional } from '../support/http.js'
import { formFields, KEPT_FORM_MAX_BYTES, KEPT_FORM_TTL_MS, KeptFormStore } from '../../http/kept-forms.js'
import { reportStream } from '../../domain/events.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import { IDLE_TIMEOUT_MS } from '../../http/session-store.js'

const { app, tdb, clock, services } = await buildTestApp(t)
const kept = new KeptFormStore(tdb.db, () => clock.now.getTime())
const count = async (table: string) => Number((await tdb.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n)

const terms = (extra: Record<string, string | string[]> = {}) => ({
  commandId: randomUUID(), supportedCode: '3563020002', supportedName: '', department: '02', purpose: '01', scheduleKind: 'weekly',
  from: '1130304', to: '1130329', weekdays: ['1', '3'], winStart: ['0800'], winEnd: ['1200'], note: '早上門診', intent: 'submit', ...extra,
})
const cookieOf = (set: unknown, name: string): string | undefined => {
  for (const c of [set].flat()) if (typeof c === 'string' && c.startsWith(`${name}=`)) return c.split(';')[0]
  return undefined
}

t.test('the store: bounded, one per person, 24 hours, never another person\'s', async (t) => {
  t.same(formFields({ _csrf: 'x', a: 'b', list: ['1', '2'], file: { type: 'file', filename: 'x.pdf', value: undefined } }), { a: 'b', list: ['1', '2'] }, 'text fields only: no CSRF token, no file')
  t.equal(formFields({ note: 'x'.repeat(KEPT_FORM_MAX_BYTES) }), undefined, 'a form over 64 KB is not kept (nothing cut short)')
  t.ok(formFields({ note: '中'.repeat(10_000) }), 'a long note within the bound is kept')

  const a = 'professional:A123456789'
  const first = await kept.keep({ owner: a, path: '/reports/new', fields: { note: 'one' } })
  const second = await kept.keep({ owner: a, path: '/reports/new', fields: { note: 'two' } })
  t.ok(first && second)
  t.equal(await count('kept_forms'), 1, 'one kept form per person: the latest replaces the earlier')
  t.equal(await kept.claim(first!, a), undefined, 'the replaced one is gone')
  t.same(await kept.claim(second!, a), { owner: a, path: '/reports/new', fields: { note: 'two' } })
  t.equal(await kept.claim(second!, a), undefined, 'taken once')

  const forB = await kept.keep({ owner: a, path: '/reports/new', fields: { note: 'secret' } })
  t.equal(await kept.claim(forB!, 'professional:F122334458'), undefined, 'another person gets nothing')
  t.equal(await count('kept_forms'), 0, 'and the kept form is deleted')

  const old = await kept.keep({ owner: a, path: '/reports/new', fields: { note: 'old' } })
  clock.advance(KEPT_FORM_TTL_MS + 1000)
  t.equal(await kept.claim(old!, a), undefined, 'past 24 hours: nothing')
  await kept.keep({ owner: a, path: '/reports/new', fields: {} })
  clock.advance(KEPT_FORM_TTL_MS + 1000)
  t.ok((await kept.sweep()) >= 1, 'the sweep drops expired rows')
  t.equal(await count('kept_forms'), 0)

  t.equal(await kept.keep({ owner: a, path: '//elsewhere.example/x', fields: {} }), undefined, 'only a path of this site')
  t.equal(await kept.keep({ owner: a, path: '/reports/new', fields: { note: 'x'.repeat(KEPT_FORM_MAX_BYTES) } }), undefined, 'the bound holds in the store too')
})

t.test('a form sent after the session ended is kept, and the same person gets it back after logging in', async (t) => {
  const pro = await login(app, professional())
  clock.advance(IDLE_TIMEOUT_MS + 60_000)
  const fields = terms()
  const m = multipart({ _csrf: pro.csrf, ...fields })
  const r = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  t.equal(r.statusCode, 303, 'answered with a redirect')
  t.equal(r.headers.location, '/login?expired=1&kept=1')
  const keptCookie = cookieOf(r.headers['set-cookie'], 'bb_kept')
  t.ok(keptCookie, 'the kept form\'s id in a cookie')
  t.match(String([r.headers['set-cookie']].flat().find((c) => String(c).startsWith('bb_kept='))), /HttpOnly/i)
  t.same((await services.store.readStream(reportStream(caseIdFor(fields.commandId)))).length, 0, 'nothing was filed')

  const page = await app.inject({ url: '/login?expired=1&kept=1', headers: { cookie: keptCookie! } })
  t.match(page.body, '登入逾時，您填寫的內容已保留，重新登入後會回到原頁面')
  t.notMatch(page.body, '閒置過久，已自動登出', 'one notice, not two')
  const bare = await app.inject({ url: '/login?expired=1&kept=1' })
  t.notMatch(bare.body, '已保留', 'the notice only where a form is really kept')

  // the same person logs in again (from the same browser)
  const again = await app.inject({ method: 'POST', url: '/__test/session', payload: { user: professional() }, headers: { cookie: keptCookie! } })
  const { csrf, redirect } = again.json() as { csrf: string; redirect?: string }
  t.match(redirect, /^\/reports\/new\?form=[\w-]+$/, 'sent back to the form')
  const sid = cookieOf(again.headers['set-cookie'], 'bb_sid')!
  t.match(String([again.headers['set-cookie']].flat().find((c) => String(c).startsWith('bb_kept='))), /bb_kept=;/, 'the kept cookie is cleared')
  const form = await app.inject({ url: redirect!, headers: { cookie: sid } })
  t.equal(form.statusCode, 200)
  t.match(form.body, '已還原您登入逾時前填寫的內容')
  t.match(form.body, 'value="3563020002"')
  t.match(form.body, 'value="1130304"')
  t.match(form.body, '早上門診')
  t.match(form.body, new RegExp(`name="commandId" value="${fields.commandId}"`), 'the same command id: sending it twice files once')
  t.equal(await count('kept_forms'), 0, 'the kept form is deleted once given back')
  t.same((await services.store.readStream(reportStream(caseIdFor(fields.commandId)))).length, 0, 'still nothing filed: the person sends it')

  const m2 = multipart({ _csrf: csrf, ...fields })
  const sent = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: sid, ...m2.headers }, payload: m2.payload })
  t.equal(sent.statusCode, 303)
  t.match(sent.headers.location, new RegExp(`^/reports/${caseIdFor(fields.commandId)}\\?done=submit$`), 'the case is filed')
})

t.test('another person logging in on that browser gets nothing, and the kept form is gone', async (t) => {
  const pro = await login(app, professional())
  clock.advance(IDLE_TIMEOUT_MS + 60_000)
  const m = multipart({ _csrf: pro.csrf, ...terms({ note: '王大明的備註' }) })
  const r = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  const keptCookie = cookieOf(r.headers['set-cookie'], 'bb_kept')!
  t.equal(await count('kept_forms'), 1)
  const other = await app.inject({ method: 'POST', url: '/__test/session', payload: { user: professional('F122334458', '林小華') }, headers: { cookie: keptCookie } })
  t.equal((other.json() as { redirect?: string }).redirect, undefined, 'no redirect to the form')
  const sid = cookieOf(other.headers['set-cookie'], 'bb_sid')!
  const fresh = await app.inject({ url: '/reports/new', headers: { cookie: sid } })
  t.notMatch(fresh.body, '王大明的備註')
  t.equal(await count('kept_forms'), 0, 'deleted')
  // the owner, coming afterwards with the same cookie, finds nothing either
  const owner = await app.inject({ method: 'POST', url: '/__test/session', payload: { user: professional() }, headers: { cookie: keptCookie } })
  t.equal((owner.json() as { redirect?: string }).redirect, undefined)
})

t.test('a session ended by 登出 keeps nothing (its cookie replayed)', async (t) => {
  const inst = await login(app, institution())
  await app.inject({ method: 'POST', url: '/logout', headers: { cookie: inst.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${inst.csrf}` })
  // the logged-out session's cookie, replayed: its owner was forgotten at logout, so nothing is kept
  const m = multipart({ _csrf: inst.csrf, ...terms({ applicantId: 'A123456789' }) })
  const r = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: inst.cookie, ...m.headers }, payload: m.payload })
  t.equal(r.statusCode, 401, 'answered by the guard as any request without a session (its body is not read)')
  t.notOk(cookieOf(r.headers['set-cookie'], 'bb_kept'), 'nothing kept after a logout')
  t.equal(await count('kept_forms'), 0)
})

t.test('a refused form answers 303 to its page, which shows values and errors; only in its own session', async (t) => {
  const pro = await login(app, professional())
  const m = multipart({ _csrf: pro.csrf, ...terms({ supportedCode: '12', note: '打錯了' }) })
  const r = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  const p = await followForm(app, r, pro.cookie)
  t.equal(p.status, 303, 'POST-redirect-GET, no 422')
  t.match(p.location, /^\/reports\/new\?form=[\w-]+$/)
  t.equal(p.statusCode, 200)
  t.match(p.body, '醫事機構代碼應為 10 碼英數字')
  t.match(p.body, '打錯了', 'the values typed')
  const reload = await app.inject({ url: p.location, headers: { cookie: pro.cookie } })
  t.match(reload.body, '打錯了', 'a reload shows them again')
  const plain = await app.inject({ url: '/reports/new', headers: { cookie: pro.cookie } })
  t.notMatch(plain.body, '打錯了', 'the page without the token is a fresh form')
  const other = await login(app, professional())
  const stolen = await app.inject({ url: p.location, headers: { cookie: other.cookie } })
  t.notMatch(stolen.body, '打錯了', 'another session cannot read it')
})

t.test('_keep=idle (the page at its idle logout): kept and logged out, never filed; only with the session\'s CSRF token', async (t) => {
  const pro = await login(app, professional())
  const fields = terms({ note: '閒置時保留' })
  const forged = multipart({ _csrf: 'x'.repeat(43), _keep: 'idle', ...fields })
  const refused = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...forged.headers }, payload: forged.payload })
  t.equal(refused.statusCode, 403, 'CSRF is checked first')
  t.equal(await count('kept_forms'), 0)
  t.equal((await app.inject({ url: '/api/me', headers: { cookie: pro.cookie } })).statusCode, 200, 'and the session goes on')

  const m = multipart({ _csrf: pro.csrf, _keep: 'idle', ...fields })
  const r = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  t.equal(r.statusCode, 303)
  t.equal(r.headers.location, '/login?expired=1&kept=1')
  t.equal((await services.store.readStream(reportStream(caseIdFor(fields.commandId)))).length, 0, 'nothing filed')
  t.equal((await app.inject({ url: '/api/me', headers: { cookie: pro.cookie } })).statusCode, 401, 'logged out')
  const keptCookie = cookieOf(r.headers['set-cookie'], 'bb_kept')!
  const again = await app.inject({ method: 'POST', url: '/__test/session', payload: { user: professional() }, headers: { cookie: keptCookie } })
  const sid = cookieOf(again.headers['set-cookie'], 'bb_sid')!
  const page = await app.inject({ url: (again.json() as { redirect: string }).redirect, headers: { cookie: sid } })
  t.match(page.body, '閒置時保留')
  t.notMatch(page.body, 'name="_keep"', 'the marker is not part of the form given back')
})
