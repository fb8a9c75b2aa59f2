// 列印: the case as a PDF whose text (CJK included) extracts back with pdftotext, ROC dates, approval number.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, login, multipart, professional } from '../support/http.js'

const { app, parts } = await buildTestApp(t)
const wang = await login(app, professional())
const dir = mkdtempSync(join(tmpdir(), 'bb-pdf-'))
const pdfText = (buf: Buffer) => {
  const f = join(dir, `${randomUUID()}.pdf`)
  writeFileSync(f, buf)
  return execFileSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' })
}

t.test('a filed case prints with its terms, then with the approval number once approved', async (t) => {
  const m = multipart({ _csrf: wang.csrf, commandId: randomUUID(), supportedCode: '3563020002', department: '02', purpose: '01', scheduleKind: 'weekly', from: '1130301', to: '1130331', weekdays: ['1', '3'], winStart: ['0800'], winEnd: ['1200'], intent: 'submit' })
  const r = await app.inject({ method: 'POST', url: '/reports', headers: { cookie: wang.cookie, ...m.headers }, payload: m.payload })
  const caseId = String(r.headers.location).split('/')[2]!.split('?')[0]!
  const p1 = await app.inject({ url: `/reports/${caseId}/print.pdf`, headers: { cookie: wang.cookie } })
  t.equal(p1.statusCode, 200)
  t.equal(p1.headers['content-type'], 'application/pdf')
  t.equal(p1.rawPayload.subarray(0, 5).toString(), '%PDF-')
  const text1 = pdfText(p1.rawPayload)
  t.match(text1, '醫事人員報備支援申請書')
  t.match(text1, '仁愛家醫診所')
  t.match(text1, '1130301 星期五 至 1130331 星期日')
  t.match(text1, 'A1234XXXX9')
  t.notMatch(text1, 'A123456789')
  t.match(text1, '審核中')
  const o = await parts.reports.approve(caseId, {}, { commandId: randomUUID(), actor: { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' } })
  await parts.waitFor(o.position)
  const text2 = pdfText((await app.inject({ url: `/reports/${caseId}/print.pdf`, headers: { cookie: wang.cookie } })).rawPayload)
  t.match(text2, '核准文號')
  t.match(text2, /63\d{12}/)
  t.match(text2, '已核准')
  const fonts = execFileSync('pdffonts', [join(dir, (() => { const f = `${randomUUID()}.pdf`; writeFileSync(join(dir, f), p1.rawPayload); return f })())], { encoding: 'utf8' })
  t.match(fonts, /NotoSansCJK/, 'the CJK font is embedded')
})
