// Edit → attach → submit is ONE command (CaseService.perform): when the submission is refused at submit time,
// nothing of the form is recorded — not the edited terms, not the attachments, not a draft, not a case number.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, followForm, login, multipart, professional } from '../support/http.js'
import { reportStream } from '../../domain/events.js'

const { app, parts, services } = await buildTestApp(t)
const wang = await login(app, professional())
const store = services.store!
const post = (url: string, fields: Record<string, string | string[]>, files: { name: string; filename: string; type: string; content: Buffer }[] = []) => {
  const m = multipart({ _csrf: wang.csrf, commandId: randomUUID(), supportedCode: '3563020002', department: '02', purpose: '01', scheduleKind: 'weekly', from: '1130301', to: '1130331', winStart: ['0800'], winEnd: ['1200'], intent: 'submit', ...fields }, files)
  return app.inject({ method: 'POST', url, headers: { cookie: wang.cookie, ...m.headers }, payload: m.payload })
}
const pdf = { name: 'attachments', filename: '支援同意書.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.4\n%atomic\n') }
const caseOf = (location: string | string[] | undefined) => String(location).split('/')[2]!.split('?')[0]!

let pendingId = ''
let draftId = ''

t.test('setup: a pending filing on Mondays and a draft on Tuesdays', async (t) => {
  const a = await post('/reports', { weekdays: ['1'] })
  t.equal(a.statusCode, 303, a.body.slice(0, 300))
  pendingId = caseOf(a.headers.location)
  const d = await post('/reports', { weekdays: ['2'], intent: 'draft' })
  t.equal(d.statusCode, 303, d.body.slice(0, 300))
  draftId = caseOf(d.headers.location)
})

t.test('edit + attach + submit refused for a conflict: the draft is left exactly as it was', async (t) => {
  const before = await store.readStream(reportStream(draftId))
  // moved onto Mondays: clashes with the pending filing — found only at submission
  const sent = await post(`/reports/${draftId}/edit`, { weekdays: ['1'] }, [pdf])
  const r = await followForm(app, sent, wang.cookie)
  t.equal(r.status, 303, 'the form comes back')
  t.match(r.body, /支援時段與其他報備支援案件重疊：與案件 1130220\d{7} 重疊/)
  t.match(r.body, /<input[^>]*name="weekdays" value="1"[^>]*checked/, 'typed values kept')
  const after = await store.readStream(reportStream(draftId))
  t.equal(after.length, before.length, 'no event appended: no edit, no attachment, no submission')
  const state = await parts.reports.load(draftId)
  t.equal(state.exists && state.status, 'draft')
  t.same(state.exists && state.terms.schedule.kind === 'weekly' && state.terms.schedule.weekdays, [2], 'terms unchanged')
  t.same(state.exists && state.attachments, [], 'no attachment recorded')
  t.notOk(state.exists && state.caseNumber, 'no case number given')
  const page = await app.inject({ url: `/reports/${draftId}`, headers: { cookie: wang.cookie } })
  t.notMatch(page.body, '支援同意書.pdf')
})

t.test('the same form without the clash: edit, attachment and submission land together', async (t) => {
  const r = await post(`/reports/${draftId}/edit`, { weekdays: ['2', '4'] }, [pdf])
  t.equal(r.statusCode, 303, r.body.slice(0, 400))
  const events = await store.readStream(reportStream(draftId))
  const mine = events.slice(-3)
  t.same(mine.map((e) => e.type), ['DraftEdited', 'AttachmentAdded', 'ReportSubmitted'])
  t.equal(new Set(mine.map((e) => e.meta?.commandId)).size, 1, 'one command id for the whole form')
  t.equal(new Set(mine.map((e) => String(e.position.commit))).size, 1, 'one transaction')
})

t.test('a new filing refused at submission leaves no draft behind', async (t) => {
  const list0 = await app.inject({ url: '/reports', headers: { cookie: wang.cookie } })
  const rows0 = (list0.body.match(/<tr>/g) ?? []).length
  const sent = await post('/reports', { weekdays: ['1'] }, [pdf])
  const r = await followForm(app, sent, wang.cookie)
  t.equal(r.status, 303)
  t.match(r.body, '支援時段與其他報備支援案件重疊')
  const list1 = await app.inject({ url: '/reports', headers: { cookie: wang.cookie } })
  t.equal((list1.body.match(/<tr>/g) ?? []).length, rows0, 'no draft appeared in 報備支援名單')
})

t.test('a change request does not take attachments (refused on the field, nothing recorded)', async (t) => {
  const o = await parts.reports.approve(pendingId, {}, { commandId: randomUUID(), actor: { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' } })
  await parts.waitFor(o.position)
  const before = (await store.readStream(reportStream(pendingId))).length
  const sent = await post(`/reports/${pendingId}/change`, { weekdays: ['1'], winEnd: ['1100'], reason: '時間調整' }, [pdf])
  const r = await followForm(app, sent, wang.cookie)
  t.equal(r.status, 303)
  t.match(r.body, '變更申請不可附加檔案')
  t.equal((await store.readStream(reportStream(pendingId))).length, before)
})
