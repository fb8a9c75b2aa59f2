// Issue #13, bounded inputs: the schedule check is linear and one cap on sessions holds on every path (form, API,
// decider); a 2 MB form of sessions on one date no longer stalls the event loop.
import t from 'tap'
import { validateSchedule, MAX_SESSIONS } from '../../domain/schedule.js'
import { buildTestApp, followForm, form, login, professional } from '../support/http.js'

const h = await buildTestApp(t)
const { app } = h

t.test('the decider refuses more than MAX_SESSIONS sessions; many on one date are checked in linear time', async (t) => {
  const many = (n: number) => ({ kind: 'sessions' as const, sessions: Array.from({ length: n }, (_, i) => ({ date: '2024-11-04', start: `${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, end: '23:59' })) })
  t.throws(() => validateSchedule(many(MAX_SESSIONS + 1)), { code: 'VALIDATION_FAILED' })
  const started = performance.now()
  t.throws(() => validateSchedule(many(MAX_SESSIONS)), { code: 'SCHEDULE_WINDOWS_OVERLAP' })
  t.ok(performance.now() - started < 200, 'fast')
})

t.test('a 2 MB form of sessions on one date is answered at once, with the cap', async (t) => {
  const s = await login(app, professional())
  const n = 40_000
  const fields = {
    _csrf: s.csrf, supportedCode: '3563020002', department: '02', purpose: '01', scheduleKind: 'sessions', intent: 'submit',
    sesDate: Array.from({ length: n }, () => '1131104'), sesStart: Array.from({ length: n }, () => '0800'), sesEnd: Array.from({ length: n }, () => '0900'),
  }
  const payload = form(fields)
  t.ok(payload.length > 1_000_000, `form of ${payload.length} bytes`)
  for (const url of ['/reports/check', '/reports']) {
    const started = performance.now()
    const sent = await app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload })
    // the page form answers 303 back to the form (POST-redirect-GET), which shows the cap
    const r = url === '/reports' ? await followForm(app, sent, s.cookie) : sent
    const ms = performance.now() - started
    t.ok(ms < 3000, `${url} answered in ${Math.round(ms)} ms`)
    t.match(r.body, `支援時段最多 ${MAX_SESSIONS} 個`, `${url}: the cap is shown`)
  }
})

t.test('the API refuses more than MAX_SESSIONS sessions with the same limit', async (t) => {
  const s = await login(app, professional())
  const sessions = Array.from({ length: MAX_SESSIONS + 1 }, (_, i) => ({ date: `2024-${String(11 + Math.floor(i / 200)).padStart(2, '0')}-01`, start: '08:00', end: '09:00' }))
  const r = await app.inject({ method: 'POST', url: '/api/preview', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: { terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'sessions', sessions } } } })
  t.equal(r.statusCode, 400)
})
