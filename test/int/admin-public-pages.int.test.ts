// 網站資料管理 and the public pages: a news item published in the back office is served on /news from its date,
// its Markdown rendered and sanitized; 申辦進度查詢 answers the status and dates for the right case number + ID,
// nothing for a wrong one, and refuses guesses past its limit even when they come all at once.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, form, login, type Login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import { PROGRESS_LIMITS } from '../../http/public/progress-limit.js'
import { personIdCheckDigit } from '../../domain/national-id.js'
import type { Actor } from '../../domain/types.js'

const { app, parts } = await buildTestApp(t)
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const post = (s: Login, url: string, fields: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...fields, _csrf: s.csrf }) })

t.test('a news item: published in the back office, public from its date, sanitized', async (t) => {
  const s = await login(app, admin)
  const body = '**三月起**新版規則生效。\n\n- 第一點\n- 第二點\n\n[說明](https://example.org) [壞連結](javascript:alert(3)) <img src=x onerror=alert(2)>\n\n<script>alert(1)</script>'
  const r = await post(s, '/review/admin/site', { kind: 'news', title: '報備支援額度規則更新', body, publishedOn: '1130220', commandId: randomUUID() })
  t.equal(r.statusCode, 303, r.body.slice(0, 300))
  const future = await post(s, '/review/admin/site', { kind: 'news', title: '明日才公開的消息', body: '尚未公開', publishedOn: '1130301', commandId: randomUUID() })
  t.equal(future.statusCode, 303)
  const list = await app.inject({ method: 'GET', url: '/news' })
  t.equal(list.statusCode, 200)
  t.match(list.body, '報備支援額度規則更新')
  t.match(list.body, '1130220')
  t.notMatch(list.body, '明日才公開的消息', 'not before its date')
  const id = /href="\/news\/([0-9a-f-]{36})"/.exec(list.body)?.[1]
  const item = await app.inject({ method: 'GET', url: `/news/${id}` })
  t.equal(item.statusCode, 200)
  t.match(item.body, '<strong>三月起</strong>')
  t.match(item.body, '<li>第一點</li>')
  t.match(item.body, 'href="https://example.org"')
  t.notMatch(item.body, '<script>alert')
  t.notMatch(item.body, 'onerror')
  t.notMatch(item.body, 'href="javascript:')
  // FAQ and how-to
  t.equal((await post(s, '/review/admin/site', { kind: 'faq', title: '報備支援要多久審核？', body: '一般約 **7 個工作天**。', publishedOn: '1130101', commandId: randomUUID() })).statusCode, 303)
  const faq = await app.inject({ method: 'GET', url: '/faq' })
  t.match(faq.body, '報備支援要多久審核？')
  t.match(faq.body, '<strong>7 個工作天</strong>')
  t.equal((await app.inject({ method: 'GET', url: '/how-to' })).statusCode, 200)
  // withdrawn: gone from the public page
  const edit = await app.inject({ method: 'GET', url: `/review/admin/site/${id}`, headers: { cookie: s.cookie } })
  t.equal(edit.statusCode, 200)
  t.equal((await post(s, `/review/admin/site/${id}/withdraw`, { reason: '資訊過時', commandId: randomUUID() })).statusCode, 303)
  t.notMatch((await app.inject({ method: 'GET', url: '/news' })).body, '報備支援額度規則更新')
  t.equal((await app.inject({ method: 'GET', url: `/news/${id}` })).statusCode, 404)
})

t.test('申辦進度查詢: status and dates for the right pair, nothing else; guesses limited, atomically', async (t) => {
  const actor: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
  const o = await parts.reports.file(
    { applicantId: 'A123456789', terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: '2024-03-04', to: '2024-03-29', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] } } },
    { commandId: randomUUID(), actor },
  )
  await parts.waitFor(o.position)
  const caseNumber = o.state.exists ? o.state.caseNumber! : ''
  t.match(caseNumber, /^\d{14}$/)
  const ask = (applicantId: string, ip = '203.0.113.7', n = caseNumber) =>
    app.inject({ method: 'POST', url: '/progress', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ caseNumber: n, applicantId }) })

  const ok = await ask('A123456789')
  t.equal(ok.statusCode, 200)
  t.match(ok.body, '審核中')
  t.match(ok.body, caseNumber)
  t.notMatch(ok.body, '王大明', 'no name')
  t.notMatch(ok.body, 'A123456789', 'the ID typed is not echoed')
  t.notMatch(ok.body, '仁愛家醫診所', 'no institution')
  const wrong = await ask('B120887765')
  t.equal(wrong.statusCode, 404)
  t.match(wrong.body, '查無符合的案件')

  // a burst of wrong guesses on this case from many addresses at once: exactly the case's limit is judged
  // well-formed IDs (right checksum), none of them the applicant's
  const validId = (n: number) => { const first9 = `A1${String(3000000 + n)}`; return `${first9}${personIdCheckDigit(first9)}` }
  const burst = await Promise.all(Array.from({ length: 24 }, (_, i) => ask(validId(i), `198.51.100.${i + 1}`)))
  const judged = burst.filter((r) => r.statusCode !== 429).length
  t.equal(judged, PROGRESS_LIMITS.case - 1, 'the limit holds under parallel requests (one wrong guess was spent before)')
  t.ok(burst.filter((r) => r.statusCode === 429).every((r) => r.body.includes('查詢次數過多')), 'refusals in zh-TW')
  // even the right answer waits now: the case is locked for this window
  t.equal((await ask('A123456789', '192.0.2.1')).statusCode, 429)
  // one address guessing across cases is limited too (IPv6 by /64)
  const v6 = await Promise.all(Array.from({ length: 15 }, (_, i) => ask('A123456789', `2001:db8:1:2::${i + 1}`, `11302200${String(100 + i).padStart(6, '0')}`)))
  t.equal(v6.filter((r) => r.statusCode !== 429).length, PROGRESS_LIMITS.ip, 'per address /64')
  // malformed input is refused before anything is charged or looked up
  t.equal((await ask('nonsense')).statusCode, 400)
})
