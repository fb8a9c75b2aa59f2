// The case page as a 衛生局 reviewer reads it: the history's diff in ROC dates with weekdays and HHmm times, the
// 操作者 column with names (from the event or the registry), role and card and never a raw national ID, and the
// quota findings as a short summary where an unknown limit is 「未設定上限（預設值）」, not 「上限 0」.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp, login } from '../support/http.js'
import type { Actor } from '../../domain/types.js'

const { app, parts } = await buildTestApp(t)
// the events carry no name: the page must find them
const pro: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
const inst: Actor = { role: 'institution', id: '0163010001', via: 'hca-institution-card', institutionCode: '0163010001' }
const reviewer: Actor = { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' }
const tpe = await login(app, { actor: { ...reviewer, name: '周文華' }, name: '周文華' })

const meta = (actor: Actor) => ({ commandId: randomUUID(), actor })
const weekly = (from: string, to: string, weekdays: (1 | 2 | 3 | 4 | 5 | 6 | 7)[], start: string, end: string) =>
  ({ kind: 'weekly' as const, from, to, weekdays, windows: [{ start, end }] })

const filed = await parts.reports.file({ applicantId: 'A123456789', terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: weekly('2024-03-04', '2024-03-29', [1, 3], '08:00', '12:00') } }, meta(pro))
const A = filed.caseId
await parts.reports.approve(A, {}, meta(reviewer))
const change = await parts.reports.requestChange(A, { reason: '調整時段', terms: { supportedCode: '3563020002', department: '01', purpose: '01', schedule: weekly('2024-03-04', '2024-04-30', [1, 5], '09:00', '12:00') } }, meta(pro))
await parts.waitFor(change.position)
// filed by the institution for its staff member
const byInst = await parts.reports.file({ applicantId: 'A212345679', terms: { supportedCode: '3563020002', department: '00', purpose: '08', schedule: weekly('2024-03-05', '2024-03-26', [2], '13:00', '17:00') } }, meta(inst))
await parts.waitFor(byInst.position)

const page = async (id: string) => {
  const r = await app.inject({ url: `/review/cases/${id}`, headers: { cookie: tpe.cookie } })
  t.equal(r.statusCode, 200)
  return r.body
}
const section = (body: string, id: string) => body.slice(body.indexOf(`id="${id}"`), body.indexOf('</section>', body.indexOf(`id="${id}"`)))

t.test('history diff: ROC dates with weekday, HHmm times, names beside codes', async (t) => {
  const hist = section(await page(A), 'hist-h')
  t.match(hist, '申請變更：調整時段')
  t.match(hist, '<del>1130304 星期一 至 1130329 星期五</del> → <ins>1130304 星期一 至 1130430 星期二</ins>')
  t.match(hist, '<del>星期一、星期三</del> → <ins>星期一、星期五</ins>')
  t.match(hist, '<del>0800–1200</del> → <ins>0900–1200</ins>')
  t.match(hist, '<del>02 內科</del> → <ins>01 家醫科</ins>')
  t.match(hist, '<strong>被支援機構</strong>：<ins>仁愛家醫診所（3563020002）</ins>', 'the draft: the institution by name')
  t.notMatch(hist, /\d{4}-\d{2}-\d{2}/, 'no ISO date in the history')
  t.notMatch(hist, /\b\d{2}:\d{2}\b/, 'no HH:MM time in the history')
})

t.test('操作者: names from the case or the registry, role and card, masked IDs', async (t) => {
  const body = await page(A)
  const hist = section(body, 'hist-h')
  t.match(hist, /<td class="actor">王大明<br><small class="muted">A1234XXXX9<\/small><\/td>\s*<td>醫事人員<br><small class="muted">醫事人員卡<\/small><\/td>/, 'the applicant by name, ID masked')
  t.match(hist, /<td class="actor">周文華<br><small class="muted">TPE-R001<\/small><\/td>\s*<td>衛生局審查人員<br><small class="muted">人員憑證卡<\/small><\/td>/, 'the reviewer from the staff registry')
  t.notMatch(hist, '姓名未登錄')
  t.notMatch(body, 'A123456789', 'the raw national ID is nowhere on the page')
  const other = section(await page(byInst.caseId), 'hist-h')
  t.match(other, /<td class="actor">示範大學附設醫院<br><small class="muted">0163010001<\/small><\/td>\s*<td>醫事機構<br><small class="muted">機構卡<\/small><\/td>/)
})

t.test('quota findings: a concise summary, rule version, ratio limits from the clinic\'s staffing, never 「上限 0」', async (t) => {
  const find = section(await page(A), 'find-h')
  t.match(find, '額度檢核（規則版本 2024.1）')
  // the clinic's staffing is in the registry: its ratio limits are computed (unknown staffing is labelled
  // 「未設定上限（預設值）」, tested in back-office-quota-summary.unit.test.ts)
  t.match(find, '／上限 4.8 診', '40% of the clinic\'s 12 weekly sessions')
  t.match(find, '／上限 2 人', 'twice its one own physician')
  t.match(find, /共 \d+ 週皆在上限內；最高 113年第\d+週 已用 0＋本案 \d+＝\d+／上限 8 診/)
  t.notMatch(find, '上限 0')
  t.notMatch(find, /\d{4}-W\d{2}/, 'periods in ROC')
  const lines = (find.match(/<tr class="q-/g) ?? []).length
  t.equal(lines, 8, 'one line per rule (4 rules) at filing and at the change, not one per week')
  t.match(find, '與最近一次送審時的檢核結果相同', 'the re-check found nothing new: said once, not repeated')
})
