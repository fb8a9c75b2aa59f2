// The web offers what the domain allows: after a rejected change the approval stands, so the case page, the list
// and the API offer 變更 and 註銷 again and the change form is served (it was refused while the API accepted).
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp, login } from '../support/http.js'
import type { Actor } from '../../domain/types.js'

const { app, parts } = await buildTestApp(t)
const wang: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
const TPE: Actor = { role: 'reviewer', id: 'TPE-R001', county: '63', via: 'staff-card' }
const schedule = { kind: 'weekly' as const, from: '2024-03-04', to: '2024-03-29', weekdays: [1, 3] as (1 | 3)[], windows: [{ start: '08:00', end: '12:00' }] }
const meta = (actor: Actor) => ({ commandId: randomUUID(), actor })

t.test('after a rejected change: 變更 and 註銷 offered on the page, the list and the API; the form opens', async (t) => {
  const { caseId } = await parts.reports.file({ applicantId: wang.id, terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule } }, meta(wang))
  await parts.reports.approve(caseId, {}, meta(TPE))
  await parts.reports.requestChange(caseId, { terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { ...schedule, weekdays: [1] } }, reason: '減少時段' }, meta(wang))
  const rejected = await parts.reports.reject(caseId, { reason: '不同意' }, meta(TPE))
  await parts.waitFor(rejected.position)
  t.equal(rejected.state.exists && rejected.state.status, 'rejected')

  const s = await login(app, { actor: wang, name: '王大明' })
  const get = (url: string) => app.inject({ url, headers: { cookie: s.cookie } })
  const page = await get(`/reports/${caseId}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, `href="/reports/${caseId}/change"`)
  t.match(page.body, `href="/reports/${caseId}/cancel"`)
  const list = await get('/reports?action=change')
  t.match(list.body, `/reports/${caseId}/change`, 'listed among the cases that can be changed')
  t.equal((await get(`/reports/${caseId}/change`)).statusCode, 200, 'the change form is served')
  t.equal((await get(`/reports/${caseId}/cancel`)).statusCode, 200, 'the cancellation form is served')
  const api = await get(`/api/cases/${caseId}`)
  t.equal(api.statusCode, 200)
  t.same(api.json().case.actions, ['change', 'cancel', 'print', 'copy'])
})
