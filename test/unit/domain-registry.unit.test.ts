// Registry facts and the import rows (pure): validation by cell, effective days, concerns, legacy rows and decisions.
import t from 'tap'
import { professionalFromRow, institutionFromRow } from '../../domain/registry/registry-rows.js'
import { assertInstitutionOpen, changedProfessionalFields, effectiveDateOf, licensedAndActiveOn, registryConcerns, type ProfessionalFacts } from '../../domain/registry/facts.js'
import { legacyCaseFromRow, legacyDecisionFromRow } from '../../domain/report/legacy-row.js'
import { decideLegacyDecision } from '../../domain/report/legacy-decision.js'
import type { ReportImported } from '../../domain/events.js'

const person = {
  身分證號: 'A123456789', 姓名: '王大明', 醫事人員類別: 'A', 職業科別: '02', 執照字號: '醫字', 執照號碼: '012345', 執照起日: '1090101',
  執照迄日: '1201231', 執業狀態: '執業', 執業機構代碼: '0163010001',
}

t.test('a professional row: facts, or every bad cell named', async (t) => {
  const ok = professionalFromRow(2, person)
  t.ok(ok.ok)
  if (ok.ok) t.match(ok.value, { nationalId: 'A123456789', licenseNumber: '醫字第012345號', licenseValidFrom: '2020-01-01', licenseValidTo: '2031-12-31', practiceStatus: 'active', department: '02' })
  const bad = professionalFromRow(7, { ...person, 身分證號: 'A123456788', 醫事人員類別: 'Ω', 執照起日: '2020-01-01', 執業狀態: '退休', 執業機構代碼: 'X' })
  t.notOk(bad.ok)
  if (!bad.ok) {
    t.same(bad.errors.map((e) => [e.row, e.column]), [[7, '身分證號'], [7, '醫事人員類別'], [7, '執照起日'], [7, '執業狀態'], [7, '執業機構代碼']])
    t.match(bad.errors[0]!.message, /檢查碼/)
    t.match(bad.errors[2]!.message, /民國年/)
  }
  const missing = professionalFromRow(3, { 身分證號: 'A123456789' })
  t.ok(!missing.ok && missing.errors.some((e) => e.column === '姓名' && e.message === '必填'))
  const ended = professionalFromRow(4, { ...person, 執照起日: '1200101', 執照迄日: '1100101' })
  t.ok(!ended.ok && ended.errors.some((e) => e.column === '執照迄日'))
})

t.test('an institution row', async (t) => {
  const ok = institutionFromRow(2, { 機構代碼: '3563020002', 機構名稱: '仁愛家醫診所', 縣市代碼: '63', 機構類別: '診所', 醫師數: '1' })
  t.ok(ok.ok && ok.value.status === 'open' && ok.value.kind === 'clinic' && ok.value.ownPhysicians === 1)
  const bad = institutionFromRow(2, { 機構代碼: '35630', 機構名稱: 'x', 縣市代碼: '99', 機構類別: '醫院', 醫師數: '-1' })
  t.ok(!bad.ok && bad.errors.length === 4)
})

t.test('changed fields, effective day, licensed and active on a day', async (t) => {
  const f: ProfessionalFacts = {
    nationalId: 'A123456789', name: '王大明', profession: 'A', department: null, licenseNumber: 'x', licenseValidFrom: '2020-01-01',
    licenseValidTo: '2031-12-31', practiceStatus: 'active', statusDate: null, homeInstitutionCode: '0163010001', phone: null,
    nhiCardNumber: null, birthDate: null, sex: null,
  }
  t.equal(changedProfessionalFields(undefined, f).length, 16, 'a new entry: every field (with the card certificate fields)')
  t.same(changedProfessionalFields(f, { ...f, practiceStatus: 'suspended', statusDate: '2024-03-10' }), ['practiceStatus', 'statusDate'])
  t.same(changedProfessionalFields(f, { ...f }), [])
  t.equal(effectiveDateOf('2024-03-15', '2024-03-01', true, '2024-03-10'), '2024-03-10', 'the status date, when between')
  t.equal(effectiveDateOf('2024-03-15', '2024-03-12', true, '2024-03-10'), '2024-03-15', 'never before the last change')
  t.equal(effectiveDateOf('2024-03-15', '2024-03-01', false, '2024-03-10'), '2024-03-15', 'other changes: the as-of day')
  t.equal(effectiveDateOf('2024-03-15', null, true, '2024-04-01'), '2024-03-15', 'a future status date: the as-of day')
  t.ok(licensedAndActiveOn(f, '2024-01-01'))
  t.notOk(licensedAndActiveOn(f, '2032-01-01'))
  t.notOk(licensedAndActiveOn({ ...f, practiceStatus: 'suspended' }, '2024-01-01'))
})

t.test('concerns of a running support', async (t) => {
  const fine = { practiceStatus: 'active' as const, licenseValidTo: '2031-12-31', homeStatus: 'open' as const, supportedStatus: 'open' as const, supportTo: '2024-06-30' }
  t.same(registryConcerns(fine), [])
  t.same(registryConcerns({ ...fine, practiceStatus: 'suspended' }), ['practice_suspended'])
  t.same(registryConcerns({ ...fine, licenseValidTo: '2024-05-31' }), ['license_expires'])
  t.same(registryConcerns({ ...fine, homeStatus: 'closed', supportedStatus: 'suspended' }), ['home_closed', 'supported_closed'])
  t.throws(() => assertInstitutionOpen({ code: '3563020002', name: '仁愛家醫診所', status: 'closed' }, 'supported'), { code: 'INSTITUTION_CLOSED', message: /被支援機構「仁愛家醫診所」已歇業/ })
  t.doesNotThrow(() => assertInstitutionOpen({ code: '3563020002', status: 'open' }, 'home'))
})

const legacy = {
  案件編號: '11301100000001', 身分證號: 'A123456789', 醫事人員類別: 'A', 執業機構代碼: '0163010001', 被支援機構代碼: '3563020002', 支援科別: '02',
  支援目的: '01', 支援方式: '每週', 開始日期: '1130301', 結束日期: '1130630', 星期: '1,3', 時段: '0900-1200;1330-1630', 送審日期: '1130110',
  申請類別: '登錄', 申請進度: '已核准', 核准日期: '1130120', 核准文號: 'TPE1130000001',
}

t.test('a legacy row: weekly and sessions schedules, statuses, errors', async (t) => {
  const ok = legacyCaseFromRow(2, legacy)
  t.ok(ok.ok)
  if (ok.ok) t.match(ok.value, { status: 'approved', applicationType: 'register', schedule: { kind: 'weekly', weekdays: [1, 3], windows: [{ start: '09:00', end: '12:00' }, { start: '13:30', end: '16:30' }] } })
  const sessions = legacyCaseFromRow(2, { ...legacy, 支援方式: '指定時段', 指定時段: '1130301 0800-1200;1130308 0800-1200' })
  t.ok(sessions.ok && sessions.value.schedule.kind === 'sessions' && sessions.value.schedule.sessions.length === 2)
  const noApproval = legacyCaseFromRow(2, { ...legacy, 核准文號: '' })
  t.ok(!noApproval.ok && noApproval.errors[0]!.column === '核准文號')
  const overlap = legacyCaseFromRow(2, { ...legacy, 時段: '0900-1200;1100-1300' })
  t.ok(!overlap.ok && overlap.errors[0]!.column === '時段')
  const draft = legacyCaseFromRow(2, { ...legacy, 申請進度: '未送審' })
  t.ok(!draft.ok && /未送審/.test(draft.errors[0]!.message))
  const badWeekday = legacyCaseFromRow(2, { ...legacy, 星期: '8' })
  t.ok(!badWeekday.ok && badWeekday.errors[0]!.column === '星期')
  const cancelled = legacyCaseFromRow(2, { ...legacy, 申請進度: '已註銷', 註銷日期: '1130315' })
  t.ok(cancelled.ok && cancelled.value.cancelledOn === '2024-03-15', 'an 已註銷 case keeps its 註銷日期')
  const pendingCancel = legacyCaseFromRow(2, { ...legacy, 申請類別: '註銷', 申請進度: '審核中', 核准日期: '', 核准文號: '' })
  t.ok(!pendingCancel.ok && pendingCancel.errors.some((e) => e.column === '註銷日期'), 'a pending cancellation needs the day it takes effect')
})

t.test('a legacy decision: only on a pending case untouched since import', async (t) => {
  const actor = { role: 'operator' as const, id: 'x', via: 'cli' as const }
  const d = legacyDecisionFromRow(2, { 案件編號: '11301100000001', 審核結果: '核准', 審核日期: '1130205', 核准文號: 'TPE1' })
  t.ok(d.ok)
  if (!d.ok) return
  const imported = { type: 'ReportImported', data: { status: 'under_review', applicationType: 'change' } } as unknown as ReportImported
  const [e] = decideLegacyDecision([imported], d.value, actor)
  t.match(e, { type: 'ReportImported', data: { status: 'approved', approvalNumber: 'TPE1' } })
  t.throws(() => decideLegacyDecision([], d.value, actor), { code: 'REPORT_NOT_FOUND' })
  t.throws(() => decideLegacyDecision([e!], d.value, actor), { code: 'NOTHING_TO_DECIDE' })
  t.throws(() => decideLegacyDecision([imported, { type: 'ReportWithdrawn', data: { applicationType: 'change' } }], d.value, actor), { code: 'ILLEGAL_TRANSITION' })
  t.throws(() => decideLegacyDecision([imported], d.value, { role: 'professional', id: 'A123456789', via: 'cli' }), { code: 'FORBIDDEN' })
  const noReason = legacyDecisionFromRow(2, { 案件編號: '11301100000001', 審核結果: '退回', 審核日期: '1130205' })
  t.ok(!noReason.ok && noReason.errors[0]!.column === '理由')
})
