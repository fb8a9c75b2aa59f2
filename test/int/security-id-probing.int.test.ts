// Issue #13: the applicant check, the preview and filing tell an institution no more than "not your staff" about an
// ID outside its staff (registered elsewhere or not at all look the same), and they are rate-limited per institution.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createLoginThrottle, DEFAULT_THROTTLE } from '../../http/auth/login-throttle.js'
import { makePersonId } from '../../domain/national-id.js'
import { buildTestApp, form, institution, login } from '../support/http.js'

const h = await buildTestApp(t)
const { app } = h
const OTHERS_STAFF = 'A223456012' // home 5963030005
const NOBODY = makePersonId('Y', '1', 999)
const terms = { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: '2024-11-04', to: '2024-11-25', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] } }

t.test('an ID outside the staff: the same answer whether registered elsewhere or not at all', async (t) => {
  const s = await login(app, institution())
  const check = async (id: string) => (await app.inject({
    method: 'POST', url: '/reports/check/applicant', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ applicantId: id }),
  })).body
  t.equal(await check(NOBODY), await check(OTHERS_STAFF), 'applicant check')
  t.match(await check(NOBODY), '不是本機構人員')
  t.notMatch(await check(NOBODY), '查無')

  const api = async (url: string, json: Record<string, unknown>) => {
    const r = await app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: json })
    return { status: r.statusCode, code: (r.json() as { code?: string }).code }
  }
  for (const [url, body] of [
    ['/api/preview', (id: string) => ({ applicantId: id, terms })],
    ['/api/reports', (id: string) => ({ commandId: randomUUID(), applicantId: id, submit: false, ...terms })],
    ['/api/cases', (id: string) => ({ commandId: randomUUID(), applicantId: id, submit: false, terms })],
  ] as const) {
    const a = await api(url, body(NOBODY))
    const b = await api(url, body(OTHERS_STAFF))
    t.same(a, b, `${url}: same answer`)
    t.same(a, { status: 403, code: 'NOT_OWN_STAFF' }, `${url}: not your staff`)
  }
})

t.test('ID look-ups are rate-limited per institution', async (t) => {
  const login_ = app.services.login!
  const saved = login_.throttle
  login_.throttle = createLoginThrottle(h.tdb.db, { ...DEFAULT_THROTTLE, lookupsPerHour: 10 })
  t.teardown(() => { login_.throttle = saved })
  const s = await login(app, institution('3563020002', '示範診所'))
  const statuses = await Promise.all(Array.from({ length: 30 }, () => app.inject({
    method: 'POST', url: '/reports/check/applicant', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ applicantId: NOBODY }),
  }).then((r) => r.statusCode)))
  t.equal(statuses.filter((x) => x === 200).length, 10, 'ten answered')
  t.equal(statuses.filter((x) => x === 429).length, 20, 'the rest refused')
  const other = await login(app, institution('5963030005', '示範藥局'))
  const r = await app.inject({ method: 'POST', url: '/api/preview', headers: { cookie: other.cookie, 'x-csrf-token': other.csrf }, payload: { applicantId: OTHERS_STAFF, terms } })
  t.equal(r.statusCode, 200, 'another institution is not affected')
})
