// 登錄 form: rendering, per-field zh-TW errors, attachments checked by content, institution search, live checks.
import t from 'tap'
import { buildTestApp, followForm, form, institution, login, multipart, professional } from '../support/http.js'
import { randomUUID } from 'node:crypto'
import { caseIdFor } from '../../domain/name-uuid.js'

const { app, parts } = await buildTestApp(t)
const pro = await login(app, professional())
const inst = await login(app, institution())

const valid = (csrf: string, extra: Record<string, string | string[]> = {}) => ({
  _csrf: csrf, commandId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5', supportedCode: '3563020002', department: '02', purpose: '01',
  scheduleKind: 'weekly', from: '1130301', to: '1130331', weekdays: ['1', '3'], winStart: ['0800'], winEnd: ['1200'], intent: 'submit', ...extra,
})

t.test('the form renders with a fresh command id, CSRF field and reference lists', async (t) => {
  const r = await app.inject({ url: '/reports/new', headers: { cookie: pro.cookie } })
  t.equal(r.statusCode, 200)
  t.match(r.body, `name="_csrf" value="${pro.csrf}"`)
  t.match(r.body, /name="commandId" value="[0-9a-f-]{36}"/)
  t.match(r.body, '<option value="02">02 內科</option>')
  t.notMatch(r.body, 'name="applicantId"', 'a professional files for themself')
  const i = await app.inject({ url: '/reports/new', headers: { cookie: inst.cookie } })
  t.match(i.body, 'name="applicantId"', 'an institution names its staff member')
})

t.test('errors are shown next to each field in zh-TW and the typed values are kept', async (t) => {
  const m = multipart(valid(pro.csrf, { supportedCode: '12', from: '1130231', to: '1130230', weekdays: [], winStart: ['0800'], winEnd: ['0700'], department: '', purpose: '01' }))
  const sent = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  const r = await followForm(app, sent, pro.cookie)
  t.equal(r.status, 303)
  t.match(r.body, '醫事機構代碼應為 10 碼英數字')
  t.match(r.body, '日期格式不正確')
  t.match(r.body, '請至少勾選一個星期')
  t.match(r.body, '結束時間須晚於開始時間')
  t.match(r.body, '請選擇支援科別')
  t.match(r.body, /id="supportedCode" name="supportedCode" value="12"[^>]*aria-invalid="true"/)
  t.match(r.body, 'value="1130231"', 'typed value kept')
})

t.test('an unknown supported institution is refused on its field', async (t) => {
  const m = multipart(valid(pro.csrf, { supportedCode: '9999999999' }))
  const sent = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  const r = await followForm(app, sent, pro.cookie)
  t.equal(r.status, 303)
  t.match(r.body, '查無此醫事機構代碼')
})

t.test('attachments: the type is decided by content, not by name or declared type', async (t) => {
  const fake = { name: 'attachments', filename: 'license.pdf', type: 'application/pdf', content: Buffer.from('MZ this is an exe') }
  const m = multipart(valid(pro.csrf), [fake])
  const sent = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  const r = await followForm(app, sent, pro.cookie)
  t.equal(r.status, 303)
  t.match(r.body, '「license.pdf」不是 PDF、JPG 或 PNG 檔案（依檔案內容判斷）')
})

t.test('institution: the applicant ID is checked (format, checksum, own staff)', async (t) => {
  const bad = multipart(valid(inst.csrf, { applicantId: 'A123456788' }))
  const r = await followForm(app, await app.inject({ method: 'POST', url: '/reports', headers: { cookie: inst.cookie, ...bad.headers }, payload: bad.payload }), inst.cookie)
  t.equal(r.status, 303)
  t.match(r.body, '身分證號檢查碼錯誤')
  const check = async (id: string) =>
    (await app.inject({ method: 'POST', url: '/reports/check/applicant', headers: { cookie: inst.cookie, 'x-csrf-token': inst.csrf, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ applicantId: id }) })).body
  t.match(await check('A123456789'), '王大明（本機構人員）')
  t.match(await check('F122334458'), '不是本機構人員')
  t.match(await check('B120887765'), '停業')
  t.match(await check('A12345'), '格式不正確')
  const asPro = await app.inject({ method: 'POST', url: '/reports/check/applicant', headers: { cookie: pro.cookie, 'x-csrf-token': pro.csrf }, payload: {} })
  t.equal(asPro.statusCode, 403, 'only institutions look up staff')
})

t.test('institution search by code prefix or name fragment', async (t) => {
  const byName = await app.inject({ url: `/lookup/institutions?q=${encodeURIComponent('仁愛')}`, headers: { cookie: pro.cookie } })
  t.match(byName.body, 'data-code="3563020002"')
  const byCode = await app.inject({ url: '/lookup/institutions?q=0165', headers: { cookie: pro.cookie } })
  t.match(byCode.body, '新北示範醫院')
  const none = await app.inject({ url: '/lookup/institutions?q=zzzz', headers: { cookie: pro.cookie } })
  t.match(none.body, '查無符合')
  t.equal((await app.inject({ url: '/lookup/institutions?q=abc' })).statusCode, 401)
})

t.test('live checks report format problems while typing', async (t) => {
  const r = await app.inject({ method: 'POST', url: '/reports/check', headers: { cookie: pro.cookie, 'x-csrf-token': pro.csrf, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(valid(pro.csrf, { winEnd: ['0700'] })) })
  t.equal(r.statusCode, 200)
  t.match(r.body, '結束時間須晚於開始時間')
})

t.test('live checks: refusals of the rules are shown next to their field in zh-TW, never swallowed', async (t) => {
  const check = (s: { cookie: string; csrf: string }, fields: Record<string, string | string[]>) =>
    app.inject({ method: 'POST', url: '/reports/check', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' }, payload: form(fields) })
  const slot = (body: string, field: string) => new RegExp(`<div id="live-${field}" class="live-check" aria-live="polite" hx-swap-oob="true">(.*?)</div>`, 's').exec(body)?.[1] ?? ''

  // an institution code that is well formed but not in the registry
  const unknown = await check(pro, valid(pro.csrf, { supportedCode: '9999999999' }))
  t.equal(unknown.statusCode, 200)
  t.match(slot(unknown.body, 'supportedCode'), '查無此醫事機構')
  t.match(unknown.body, '無法送出：')

  // support that started before today (2024-02-20): no after-the-fact filing
  const past = await check(pro, valid(pro.csrf, { from: '1130201', to: '1130229' }))
  t.match(slot(past.body, 'from'), '不可事後補報')

  // a clash with a filing of the same professional: named case, on the time-window field
  const commandId = '0f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d6'
  const m = multipart(valid(pro.csrf, { commandId }))
  const filed = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })
  t.equal(filed.statusCode, 303, filed.body.slice(0, 300))
  const clash = await check(pro, valid(pro.csrf, { commandId: '1f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d7', weekdays: ['3'] }))
  t.match(slot(clash.body, 'windows'), /支援時段與其他報備支援案件重疊：與案件 1130220\d{7} 重疊/)
  t.match(clash.body, /時段衝突：.*1130306 0800 星期三/s, 'the summary names the day, ROC date with weekday')

  // quota with numbers (a warning rule: shown, not blocking)
  const heavy = await check(pro, valid(pro.csrf, { supportedCode: '0165020004', from: '1130401', to: '1130430', weekdays: ['1', '2', '3', '4', '5', '6', '7'], winStart: ['0800', '1300'], winEnd: ['1100', '1600'] }))
  t.match(slot(heavy.body, 'windows'), /注意：超過報備支援額度限制：.*（113年第\d{1,2}週：已用 0，本案 14，上限 8）/)
  t.notMatch(heavy.body, /\d{4}-W\d\d|\(\d{4}-\d\d\)|（\d{4}-\d\d）/, 'no ISO week or western month anywhere in the checks')

  // fixed: the slots are cleared
  const fine = await check(pro, valid(pro.csrf, { supportedCode: '0165020004', from: '1130401', to: '1130430', weekdays: ['2'] }))
  t.equal(slot(fine.body, 'windows'), '')
  t.equal(slot(fine.body, 'supportedCode'), '')
  t.match(fine.body, '無時段衝突')

  // the form has a slot next to each field for these messages
  const page = await app.inject({ url: '/reports/new', headers: { cookie: pro.cookie } })
  for (const f of ['supportedCode', 'from', 'to', 'weekdays', 'windows', 'sessions']) t.match(page.body, `id="live-${f}"`)
})

t.test('live checks of a change: the case is never reported as conflicting with itself', async (t) => {
  const check = (s: { cookie: string; csrf: string }, fields: Record<string, string | string[]>) =>
    app.inject({ method: 'POST', url: '/reports/check', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' }, payload: form(fields) })
  const slot = (body: string, field: string) => new RegExp(`<div id="live-${field}" class="live-check" aria-live="polite" hx-swap-oob="true">(.*?)</div>`, 's').exec(body)?.[1] ?? ''
  // an approved case on Thursdays of 113/05 (nothing else of this professional then)
  const commandId = randomUUID()
  const m = multipart(valid(pro.csrf, { commandId, from: '1130501', to: '1130531', weekdays: ['4'] }))
  t.equal((await app.inject({ method: 'POST', url: '/reports', headers: { cookie: pro.cookie, ...m.headers }, payload: m.payload })).statusCode, 303)
  const caseId = caseIdFor(commandId)
  await parts.waitFor((await parts.reports.approve(caseId, {}, { commandId: randomUUID(), actor: { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' } })).position)

  const changeForm = await app.inject({ url: `/reports/${caseId}/change`, headers: { cookie: pro.cookie } })
  t.match(changeForm.body, `name="caseId" value="${caseId}"`, 'the change form names its case for the live check')
  t.match(changeForm.body, '目前核准之支援內容', 'and shows the approved terms next to the fields')
  // the change: the same Thursdays plus Fridays
  const change = valid(pro.csrf, { commandId: randomUUID(), from: '1130501', to: '1130531', weekdays: ['4', '5'], caseId })
  const own = await check(pro, change)
  t.equal(slot(own.body, 'windows'), '', 'no conflict with the case being changed')
  t.match(own.body, '無時段衝突')
  // the same terms checked as a new filing DO clash with that case: the check above could have failed
  const asNew = await check(pro, { ...change, caseId: '' })
  t.match(slot(asNew.body, 'windows'), '支援時段與其他報備支援案件重疊')
  // an institution changing for its staff member: the applicant comes from the case (no ID field on that form)
  const byInst = await check(inst, { ...change, _csrf: inst.csrf })
  t.equal(slot(byInst.body, 'windows'), '', 'the institution sees no self-conflict either')
  t.match(byInst.body, '無時段衝突')
  // a case id the caller may not open is not honoured: checked as a new filing of the caller
  const other = await login(app, professional('B123456780', '李小華'))
  const foreign = await check(other, { ...change, _csrf: other.csrf })
  t.notMatch(foreign.body, '1130501', 'nothing of the other person\'s case leaks')
})
