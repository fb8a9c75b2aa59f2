// Reference lists in force everywhere a code becomes a name or is validated: an administrator adds a 支援科別, a
// 支援目的 and a 醫事人員類別 effective now → the registry import accepts a row with them (an unknown code is
// refused), a case filed with them is approved, and the approval PDF, the case history, the institution's list
// (Excel) and the statistics CSV show their NAMES, not bare codes.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { buildTestApp, form, institution, login, type Login } from '../support/http.js'
import { PROFESSIONAL_COLUMNS } from '../../domain/registry/registry-rows.js'
import { LEGACY_COLUMNS, professionalCells, writeCsv } from '../support/registry-files.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { legacyMigrations } from '../../commands/legacy/legacy-migrations.js'
import { importLegacy } from '../../commands/legacy/legacy-import.js'
import { importRegistry } from '../../commands/registry/registry-import.js'
import { FIRST_REFERENCE } from '../../domain/reference/lists.js'
import type { SessionUser } from '../../http/session-store.js'

const { app, tdb, parts, services } = await buildTestApp(t) // 2024-02-20 10:00 Taipei
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const ntpReviewer: SessionUser = { actor: { role: 'reviewer', id: 'NTP-R001', name: '鄭淑惠', via: 'staff-card', county: '65' }, name: '鄭淑惠' }
const post = (s: Login, url: string, fields: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...fields, _csrf: s.csrf }) })
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8').replace(/ +/g, ' ')
const NEW_ID = 'A100987656'
await runMigrations(tdb.db, legacyMigrations)

t.test('codes an administrator adds are validated and named everywhere', async (t) => {
  const s = await login(app, admin)
  const publish = async (list: string, content: unknown[]) => {
    const r = await post(s, `/review/admin/settings/${list}`, { content: JSON.stringify(content), effectiveDate: '1130220', effectiveTime: '1000', reason: '新增', commandId: randomUUID() })
    t.equal(r.statusCode, 303, `${list}: ${r.body.slice(0, 200)}`)
  }
  await publish('departments', [...FIRST_REFERENCE.departments, { code: 'ZA', name: '遠距醫療科' }])
  await publish('purposes', [...FIRST_REFERENCE.purposes, { code: '10', name: '長照服務' }])
  await publish('professions', [...FIRST_REFERENCE.professions, { code: '7', name: '測試新類別' }])

  // registry import as of today: the new 醫事人員類別 and 職業科別 are accepted, unknown codes refused
  const dir = await mkdtemp(join(tmpdir(), 'bb-names-'))
  const actor = { role: 'operator' as const, id: 'test', via: 'cli' as const }
  const run = async (file: string, cells: Record<string, string>) => {
    await writeCsv(file, PROFESSIONAL_COLUMNS, [cells])
    return importRegistry(tdb.db, { professionals: file, mode: 'delta', asOf: '2024-02-20', actor, now: '2024-02-20T02:00:00.000Z', referenceAt: parts.rules.referenceAt })
  }
  const bad = await run(join(dir, 'bad.csv'), professionalCells(NEW_ID, '0163010001', { 醫事人員類別: '8', 職業科別: 'ZQ' }))
  t.same(bad.errors.map((e) => e.column).sort(), ['職業科別', '醫事人員類別'], 'unknown 醫事人員類別 and 職業科別 refused')
  t.notOk(bad.applied)
  const good = await run(join(dir, 'good.csv'), professionalCells(NEW_ID, '0163010001', { 醫事人員類別: '7', 職業科別: 'ZA' }))
  t.same(good.errors, [], 'the codes added today are accepted')
  t.ok(good.applied)

  // a case of that professional, with the new 支援科別 and 支援目的, filed and approved
  const o = await parts.reports.file({
    applicantId: NEW_ID,
    terms: { supportedCode: '3565010003', department: 'ZA', purpose: '10', schedule: { kind: 'weekly', from: '2024-04-01', to: '2024-04-30', weekdays: [2], windows: [{ start: '09:00', end: '12:00' }] } },
  }, { commandId: randomUUID(), actor: { role: 'professional', id: NEW_ID, via: 'hca-professional-card', institutionCode: '0163010001' } })
  await parts.waitFor(o.position)
  const ntp = await login(app, ntpReviewer)
  const decided = await post(ntp, `/review/cases/${o.caseId}/decision`, { decision: 'approve', commandId: randomUUID() })
  t.equal(decided.statusCode, 303, decided.body.slice(0, 300))
  await parts.waitFor(await services.store.headPosition())

  const pdf = await app.inject({ url: `/review/cases/${o.caseId}/approval.pdf`, headers: { cookie: ntp.cookie } })
  t.equal(pdf.statusCode, 200)
  const text = pdfText(pdf.rawPayload)
  t.match(text, 'ZA 遠距醫療科', 'approval PDF: the department name')
  t.match(text, '長照服務', 'approval PDF: the purpose name')
  t.match(text, '測試新類別', 'approval PDF: the profession name')

  const page = (await app.inject({ url: `/review/cases/${o.caseId}`, headers: { cookie: ntp.cookie } })).body
  const history = page.slice(page.indexOf('id="hist-h"'))
  t.match(history, 'ZA 遠距醫療科', 'case history: the department name')
  t.match(history, '長照服務', 'case history: the purpose name')

  const inst = await login(app, institution())
  const xlsx = await app.inject({ url: '/institution/outbound?format=xlsx', headers: { cookie: inst.cookie } })
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const cells: string[] = []
  wb.worksheets[0]!.eachRow((r) => r.eachCell((c) => { cells.push(String(c.value ?? '')) }))
  t.ok(cells.includes('ZA 遠距醫療科'), 'institution list (Excel): the department name')
  t.ok(cells.includes('測試新類別'), 'institution list (Excel): the profession name')

  const mohw = await login(app, { actor: { role: 'statistician', id: 'MOHW-S001', name: '蔡明哲', via: 'staff-card' }, name: '蔡明哲' })
  const csv = await app.inject({ url: '/review/statistics.csv?report=profession&from=1130201&to=1130331', headers: { cookie: mohw.cookie } })
  t.equal(csv.statusCode, 200)
  t.match(csv.body, /7,測試新類別,1,1/, 'statistics CSV: the profession name')
})

t.test('the legacy import accepts the codes in force and refuses unknown ones', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-names-legacy-'))
  const row = (number: string, department: string) => ({
    案件編號: number, 身分證號: NEW_ID, 姓名: '醫師7656', 醫事人員類別: '7', 執業機構代碼: '0163010001', 被支援機構代碼: '3563020002',
    支援科別: department, 支援目的: '10', 支援方式: '每週', 開始日期: '1130301', 結束日期: '1130331', 星期: '3', 時段: '1400-1700',
    指定時段: '', 送審日期: '1130110', 申請類別: '登錄', 申請進度: '已核准', 核准日期: '1130120', 核准文號: 'TPE1130000099', 註銷日期: '',
  })
  const file = join(dir, 'legacy.csv')
  await writeCsv(file, LEGACY_COLUMNS, [row('11301100000091', 'ZA'), row('11301100000092', 'ZQ')])
  const c = await importLegacy(tdb.db, file, { actor: { role: 'operator', id: 'legacy-import', via: 'cli' }, now: '2024-02-20T02:00:00.000Z', referenceAt: parts.rules.referenceAt })
  t.match(c, { read: 2, imported: 1, rejected: 1, reconciled: true }, 'ZA and 長照服務 accepted; ZQ refused')
})
