// A professional's cases through the pages: file, double submit, list with per-status actions, calendar, change,
// cancel, withdraw, copy; and scope: another professional never sees the case (404, never data).
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, followForm, form, login, multipart, professional } from '../support/http.js'

const { app, parts } = await buildTestApp(t)
const wang = await login(app, professional())
const chen = await login(app, professional('F122334458', '陳志豪', { code: '0165020004', name: '新北示範醫院' }))
const reviewer = { role: 'reviewer' as const, id: 'TPE-R001', via: 'staff-card' as const, county: '63' }

const fileForm = (csrf: string, commandId: string, extra: Record<string, string | string[]> = {}) => multipart({
  _csrf: csrf, commandId, supportedCode: '3563020002', department: '02', purpose: '01', scheduleKind: 'weekly',
  from: '1130301', to: '1130331', weekdays: ['1', '3'], winStart: ['0800'], winEnd: ['1200'], intent: 'submit', ...extra,
})
const post = (s: { cookie: string }, url: string, m: { payload: Buffer; headers: Record<string, string> }) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, ...m.headers }, payload: m.payload })
const get = (s: { cookie: string }, url: string) => app.inject({ url, headers: { cookie: s.cookie } })
const click = (s: { cookie: string; csrf: string }, url: string) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: s.csrf, commandId: randomUUID() }) })

let caseId = ''

t.test('file (登錄): submitted, visible in the list with only the allowed actions; a double submit files once', async (t) => {
  const commandId = randomUUID()
  const pdf = { name: 'attachments', filename: '證明.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.4\n%test\n') }
  const r = await post(wang, '/reports', fileForm(wang.csrf, commandId, {}))
  t.equal(r.statusCode, 303, r.body.slice(0, 300))
  caseId = String(r.headers.location).split('/')[2]!.split('?')[0]!
  const again = await post(wang, '/reports', fileForm(wang.csrf, commandId))
  t.equal(again.headers.location, r.headers.location, 'same form twice → same case')
  const page = await get(wang, `/reports/${caseId}?done=submit`)
  t.equal(page.statusCode, 200)
  t.match(page.body, '已送出申請')
  t.match(page.body, '審核中')
  t.match(page.body, /報備支援案件 1130220\d{7}/, 'case number: ROC submission date + serial')
  t.match(page.body, '1130301 星期五 至 1130331 星期日')
  const list = await get(wang, '/reports')
  t.equal((list.body.match(/<tr>/g) ?? []).length, 2, 'header + one case')
  t.match(list.body, '仁愛家醫診所')
  t.match(list.body, '>撤回<')
  t.notMatch(list.body, `/reports/${caseId}/change`, 'no change before approval')
  const withFile = await post(wang, '/reports', multipart({ _csrf: wang.csrf, commandId: randomUUID(), supportedCode: '3563020002', department: '02', purpose: '01', scheduleKind: 'sessions', sesDate: ['1130402'], sesStart: ['1300'], sesEnd: ['1700'], intent: 'draft' }, [pdf]))
  t.equal(withFile.statusCode, 303, withFile.body.slice(0, 300))
  const draft = await get(wang, String(withFile.headers.location))
  t.match(draft.body, '草稿已儲存')
  t.match(draft.body, '證明.pdf（application/pdf')
  t.match(draft.body, '1130402 1300 星期二–1700')
})

t.test('scope: another professional gets 404 for the case and never its data', async (t) => {
  const r = await get(chen, `/reports/${caseId}`)
  t.equal(r.statusCode, 404)
  t.notMatch(r.body, '仁愛家醫診所')
  const list = await get(chen, '/reports')
  t.notMatch(list.body, caseId)
  const w = await click(chen, `/reports/${caseId}/withdraw`)
  t.equal(w.statusCode, 404)
  const pdf = await get(chen, `/reports/${caseId}/print.pdf`)
  t.equal(pdf.statusCode, 404)
})

t.test('calendar: pending occurrences shown on their days, styled as pending; approved after approval', async (t) => {
  const r = await get(wang, '/home?month=2024-03')
  t.equal(r.statusCode, 200)
  t.match(r.body, '民國113年3月')
  t.match(r.body, /class="occ pending"[^>]*>\s*<span class="time">08:00~12:00<\/span> 仁愛家醫診所/)
  const o = await parts.reports.approve(caseId, {}, { commandId: randomUUID(), actor: reviewer })
  await parts.waitFor(o.position)
  const after = await get(wang, '/home?month=2024-03')
  t.match(after.body, /class="occ approved"[^>]*>\s*<span class="time">08:00~12:00<\/span> 仁愛家醫診所/)
  t.equal((after.body.match(/class="occ approved"/g) ?? []).length, 9, 'Mondays and Wednesdays of March 2024')
  const frag = await app.inject({ url: '/home/calendar?month=2024-04', headers: { cookie: wang.cookie, 'hx-request': 'true' } })
  t.match(frag.body, '民國113年4月')
  t.notMatch(frag.body, '<html')
})

t.test('change (變更) an approved case: reason required, then 審核中 as 變更', async (t) => {
  const form0 = await get(wang, `/reports/${caseId}/change`)
  t.equal(form0.statusCode, 200)
  t.match(form0.body, 'value="1130301"', 'prefilled with the approved terms')
  const noReason = await followForm(app, await post(wang, `/reports/${caseId}/change`, fileForm(wang.csrf, randomUUID(), { winEnd: ['1100'] })), wang.cookie)
  t.equal(noReason.status, 303, 'back to the form (POST-redirect-GET)')
  t.match(noReason.location, `/reports/${caseId}/change?form=`)
  t.match(noReason.body, '請填寫變更理由')
  const ok = await post(wang, `/reports/${caseId}/change`, fileForm(wang.csrf, randomUUID(), { winEnd: ['1100'], reason: '門診時間調整' }))
  t.equal(ok.statusCode, 303, ok.body.slice(0, 400))
  const page = await get(wang, `/reports/${caseId}`)
  t.match(page.body, '申請變更之內容')
  t.match(page.body, '0800–1100')
  t.match(page.body, '變更')
})

t.test('withdraw the change, then cancel (註銷) with an effective date', async (t) => {
  t.equal((await click(wang, `/reports/${caseId}/withdraw`)).statusCode, 303)
  const bad = await followForm(app, await app.inject({ method: 'POST', url: `/reports/${caseId}/cancel`, headers: { cookie: wang.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: wang.csrf, commandId: randomUUID(), effectiveDate: '11303', reason: '' }) }), wang.cookie)
  t.equal(bad.status, 303, 'back to the form (POST-redirect-GET)')
  t.match(bad.body, 'value="11303"', 'the date as typed')
  t.match(bad.body, '請輸入註銷生效日')
  t.match(bad.body, '請填寫註銷理由')
  const ok = await app.inject({ method: 'POST', url: `/reports/${caseId}/cancel`, headers: { cookie: wang.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: wang.csrf, commandId: randomUUID(), effectiveDate: '1130315', reason: '支援結束' }) })
  t.equal(ok.statusCode, 303, ok.body.slice(0, 400))
  const page = await get(wang, `/reports/${caseId}`)
  t.match(page.body, '註銷申請')
  t.match(page.body, '1130315 星期五')
})

t.test('copy (複製) a past case into a new draft, opened for editing', async (t) => {
  const r = await click(wang, `/reports/${caseId}/copy`)
  t.equal(r.statusCode, 303)
  t.match(String(r.headers.location), /^\/reports\/[0-9a-f-]{36}\/edit$/)
  const edit = await get(wang, String(r.headers.location))
  t.equal(edit.statusCode, 200)
  t.match(edit.body, 'value="3563020002"')
  const newId = String(r.headers.location).split('/')[2]!
  // refused: 303 back to the draft's page (POST-redirect-GET), which says why as a notice
  const submit = await followForm(app, await click(wang, `/reports/${newId}/submit`), wang.cookie)
  t.equal(submit.status, 303, 'the original is still in force (its cancellation is only requested): refused')
  t.match(submit.location, new RegExp(`^/reports/${newId}\\?form=`), 'back to the draft')
  t.match(submit.body, /id="flash-notice">支援時段與其他報備支援案件重疊：與案件 1130220\d{7} 重疊/, 'naming the clashing case')
})
