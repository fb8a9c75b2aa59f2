// Issue #13: a repeated commandId answers only its own actor; another user's command id reveals nothing.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp, login, professional } from '../support/http.js'

const { app } = await buildTestApp(t)
const terms = { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: '2024-11-04', to: '2024-11-25', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] } }

t.test('someone else\'s commandId: refused, nothing of the first command shown', async (t) => {
  const a = await login(app, professional())
  const b = await login(app, professional('F122334458', '陳志豪', { code: '0165020004', name: '示範醫院' }))
  const commandId = randomUUID()
  const post = (s: typeof a) => app.inject({ method: 'POST', url: '/api/cases', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: { commandId, submit: false, terms } })
  const first = await post(a)
  t.equal(first.statusCode, 201, first.body)
  const again = await post(a)
  t.equal(again.statusCode, 201, 'the same actor gets the first result')
  t.equal(again.json().caseId, first.json().caseId)
  const theirs = await post(b)
  t.equal(theirs.statusCode, 409)
  t.equal(theirs.json().code, 'COMMAND_ID_REUSED')
  t.notMatch(theirs.body, first.json().caseId, 'not the case id')
  t.notMatch(theirs.body, 'A123456789', 'nor anything of the case')
})
