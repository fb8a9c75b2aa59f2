// The administration JSON API (/api/admin/...): accounts created, changed, disabled through it (the disabled
// account's session ends at its next request), a bureau administrator limited to its county (another county's
// account is 404, a profile in another county is refused with a code), rule and reference-list versions published
// with codes on refusal, a news item published; every command idempotent by commandId, bound to its actor.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, login, type Login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import { findAccount } from '../../commands/accounts/find-account.js'
import { PURPOSES } from '../../domain/reference/purposes.js'

const { app, tdb, clock } = await buildTestApp(t) // 2024-02-20 10:00 Taipei
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const bureauAdmin: SessionUser = { actor: { role: 'bureau_admin', id: 'TPE-A001', name: '陳建宏', via: 'staff-card', county: '63' }, name: '陳建宏' }
const eventCount = async () => Number((await tdb.db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n)
const api = (s: Login, url: string, body?: unknown) => body === undefined
  ? app.inject({ method: 'GET', url, headers: { cookie: s.cookie } })
  : app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
const profile = (county: string | null, serial: string, role = 'reviewer') => ({
  name: '吳審查', agency: '臺北市政府衛生局', county, role, certificates: [{ issuerDn: 'C=TW,O=行政院,OU=政府憑證管理中心', serialHex: serial }],
})

t.test('accounts: create, idempotent by commandId and bound to the actor; change; disable ends the session', async (t) => {
  const a = await login(app, admin)
  const commandId = randomUUID()
  const body = { commandId, accountId: 'TPE-R901', profile: profile('63', '9A01'), reason: '新進人員' }
  const created = await api(a, '/api/admin/accounts', body)
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { accountId: 'TPE-R901', disabled: false, events: ['AccountCreated'], duplicate: false })
  const n = await eventCount()
  const again = await api(a, '/api/admin/accounts', body)
  t.equal(again.statusCode, 200)
  t.match(again.json(), { duplicate: true })
  t.equal(await eventCount(), n, 'the same command twice records once')
  const ba = await login(app, bureauAdmin)
  const theirs = await api(ba, '/api/admin/accounts', body)
  t.equal(theirs.statusCode, 409)
  t.equal(theirs.json().code, 'COMMAND_ID_REUSED', 'another actor cannot replay the command id')

  const list = await api(a, '/api/admin/accounts?q=TPE-R901')
  t.equal(list.statusCode, 200)
  t.match(list.json(), { total: 1, accounts: [{ accountId: 'TPE-R901', county: '63', role: 'reviewer' }] })

  const changed = await api(a, '/api/admin/accounts/TPE-R901', { commandId: randomUUID(), profile: { ...profile('63', '9A01'), name: '吳審查員' }, reason: '更正姓名' })
  t.equal(changed.statusCode, 200, changed.body)
  t.match(changed.json(), { events: ['AccountChanged'] })
  t.match(await findAccount(tdb.db, 'TPE-R901'), { name: '吳審查員' })

  // the reviewer works, is disabled through the API, and the next request is refused
  const rev = await login(app, { actor: { role: 'reviewer', id: 'TPE-R901', name: '吳審查員', via: 'staff-card', county: '63' }, name: '吳審查員' })
  t.equal((await api(rev, '/review/cases')).statusCode, 200)
  const off = await api(a, '/api/admin/accounts/TPE-R901/disable', { commandId: randomUUID(), reason: '離職' })
  t.equal(off.statusCode, 200, off.body)
  t.match(off.json(), { disabled: true, events: ['AccountDisabled'] })
  t.equal((await api(rev, '/review/cases')).statusCode, 401, 'the disabled account\'s session ended')
  const on = await api(a, '/api/admin/accounts/TPE-R901/enable', { commandId: randomUUID(), reason: '復職' })
  t.match(on.json(), { disabled: false })

  const bad = await api(a, '/api/admin/accounts', { commandId: randomUUID(), accountId: 'x y', profile: profile('63', '9A02'), reason: 'x' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
})

t.test('a bureau administrator: its county only', async (t) => {
  const ba = await login(app, bureauAdmin)
  const a = await login(app, admin)
  t.equal((await api(a, '/api/admin/accounts', { commandId: randomUUID(), accountId: 'NTP-R901', profile: { ...profile('65', '9B01'), agency: '新北市政府衛生局' }, reason: '新進' })).statusCode, 201)
  const before = await eventCount()
  const other = await api(ba, '/api/admin/accounts', { commandId: randomUUID(), accountId: 'NTP-R902', profile: profile('65', '9B02'), reason: '越權' })
  t.equal(other.statusCode, 403)
  t.equal(other.json().code, 'ACCOUNT_OUT_OF_SCOPE')
  const national = await api(ba, '/api/admin/accounts', { commandId: randomUUID(), accountId: 'MOHW-S901', profile: profile(null, '9B03', 'statistician'), reason: '越權' })
  t.equal(national.statusCode, 403)
  const hidden = await api(ba, '/api/admin/accounts/NTP-R901/disable', { commandId: randomUUID(), reason: '越權' })
  t.equal(hidden.statusCode, 404, 'another county\'s account is not found')
  t.equal(hidden.json().code, 'ACCOUNT_NOT_FOUND')
  t.equal(await eventCount(), before, 'refusals append nothing')
  const list = (await api(ba, '/api/admin/accounts?limit=500')).json() as { accounts: { county: string | null }[] }
  t.ok(list.accounts.length > 0 && list.accounts.every((x) => x.county === '63'), 'lists only its county')
  t.equal((await api(ba, '/api/admin/rules/purposes', { commandId: randomUUID(), effectiveFrom: clock.now.toISOString(), reason: 'x', content: PURPOSES })).statusCode, 403, 'rules: MOHW only')
  t.equal((await api(ba, '/api/admin/rules/purposes')).statusCode, 200, 'but readable')
})

t.test('rule and reference-list versions; site pages', async (t) => {
  const a = await login(app, admin)
  const before = await eventCount()
  const past = await api(a, '/api/admin/rules/purposes', { commandId: randomUUID(), effectiveFrom: '2024-01-01T00:00:00.000Z', reason: '溯及', content: PURPOSES })
  t.equal(past.statusCode, 422)
  t.equal(past.json().code, 'RULE_EFFECTIVE_IN_PAST')
  const invalid = await api(a, '/api/admin/rules/purposes', { commandId: randomUUID(), effectiveFrom: '2024-03-01T00:00:00+08:00', reason: '格式', content: [{ code: '' }] })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().code, 'RULE_VERSION_INVALID')
  t.equal((await api(a, '/api/admin/rules/nonsense', { commandId: randomUUID(), effectiveFrom: '2024-03-01T00:00:00+08:00', reason: 'x', content: [] })).statusCode, 400)
  t.equal(await eventCount(), before, 'refusals append nothing')

  const commandId = randomUUID()
  const body = { commandId, effectiveFrom: '2024-03-01T00:00:00+08:00', reason: '三月起新增支援目的', content: [...PURPOSES, { code: '10', name: '長照服務' }] }
  const ok = await api(a, '/api/admin/rules/purposes', body)
  t.equal(ok.statusCode, 201, ok.body)
  t.match(ok.json(), { name: 'purposes', versionId: 'purposes-2', effectiveFrom: '2024-02-29T16:00:00.000Z', duplicate: false })
  t.match((await api(a, '/api/admin/rules/purposes', body)).json(), { duplicate: true, versionId: 'purposes-2' })
  const read = (await api(a, '/api/admin/rules/purposes')).json() as { inForce: string; versions: { versionId: string }[] }
  t.equal(read.inForce, 'purposes-1', 'the new version waits for its date')
  t.same(read.versions.map((v) => v.versionId), ['purposes-1', 'purposes-2'])

  const page = { commandId: randomUUID(), kind: 'news', title: '系統維護公告（API）', body: '三月一日 **系統維護**', publishedOn: '2024-02-20' }
  const published = await api(a, '/api/admin/site-pages', page)
  t.equal(published.statusCode, 201, published.body)
  t.match(published.json(), { pageId: page.commandId, withdrawn: false })
  const news = await app.inject({ url: '/news' })
  t.match(news.body, '系統維護公告（API）')
  const withdrawn = await api(a, `/api/admin/site-pages/${page.commandId}/withdraw`, { commandId: randomUUID(), reason: '已完成' })
  t.equal(withdrawn.statusCode, 200, withdrawn.body)
  t.match(withdrawn.json(), { withdrawn: true })
  t.notMatch((await app.inject({ url: '/news' })).body, '系統維護公告（API）')
  const missing = await api(a, `/api/admin/site-pages/${randomUUID()}/withdraw`, { commandId: randomUUID(), reason: 'x' })
  t.equal(missing.statusCode, 404)
})
