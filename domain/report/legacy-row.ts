// The old system's case export (README: 舊系統案件匯出檔) and the validation of one row. Pure.
import { isDomainError } from '../errors.js'
import { RowReader, type CellError } from '../registry/cells.js'
import { isInstitutionCode } from '../reference/institution-code.js'
import { FIRST_REFERENCE, onList, type ReferenceLists } from '../reference/lists.js'
import { validateSchedule } from '../schedule.js'
import type { ApplicationType, IsoDate, Schedule, Status, TimeWindow, Weekday } from '../types.js'

export const LEGACY_COLUMNS = [
  '案件編號', '身分證號', '姓名', '醫事人員類別', '執業機構代碼', '被支援機構代碼', '支援科別', '支援目的', '支援方式',
  '開始日期', '結束日期', '星期', '時段', '指定時段', '送審日期', '申請類別', '申請進度', '核准日期', '核准文號', '註銷日期',
] as const
export const LEGACY_REQUIRED = [
  '案件編號', '身分證號', '醫事人員類別', '執業機構代碼', '被支援機構代碼', '支援科別', '支援目的', '支援方式', '送審日期',
  '申請類別', '申請進度',
] as const

export const LEGACY_DECISION_COLUMNS = ['案件編號', '審核結果', '審核日期', '核准文號', '理由'] as const

const STATUS: Record<string, Status> = {
  審核中: 'under_review', 已核准: 'approved', 未核准: 'rejected', 退回: 'returned', 已撤回: 'withdrawn', 已註銷: 'cancelled',
}
const TYPE: Record<string, ApplicationType> = { 登錄: 'register', 變更: 'change', 註銷: 'cancel' }
const KIND: Record<string, 'weekly' | 'sessions'> = { 每週: 'weekly', 指定時段: 'sessions', weekly: 'weekly', sessions: 'sessions' }
const DECISION: Record<string, 'approved' | 'rejected' | 'returned'> = { 核准: 'approved', 未核准: 'rejected', 退回: 'returned' }

/** What a legacy row says, with codes checked; the registry look-ups (applicant, institutions) come after. */
export interface LegacyCase {
  legacyNumber: string
  nationalId: string
  profession: string
  homeCode: string
  supportedCode: string
  department: string
  purpose: string
  schedule: Schedule
  submittedOn: IsoDate
  applicationType: ApplicationType
  status: Status
  approvedOn: IsoDate | null
  approvalNumber: string | null
  cancelledOn: IsoDate | null
}

export interface LegacyDecision {
  legacyNumber: string
  decision: 'approved' | 'rejected' | 'returned'
  decidedOn: IsoDate
  approvalNumber: string | null
  reason: string | null
}

const HHMM = /^([01]\d|2[0-4])([0-5]\d)$/
const clock = (s: string) => `${s.slice(0, 2)}:${s.slice(2, 4)}`

/** '0800-1200;1330-1630' → windows, or undefined. */
const parseWindows = (s: string): TimeWindow[] | undefined => {
  const out: TimeWindow[] = []
  for (const part of s.split(/[;；,，]/).map((x) => x.trim()).filter(Boolean)) {
    const m = /^(\d{4})\s*[-~～]\s*(\d{4})$/.exec(part)
    if (!m || !HHMM.test(m[1]!) || !HHMM.test(m[2]!)) return undefined
    out.push({ start: clock(m[1]!), end: clock(m[2]!) })
  }
  return out.length ? out : undefined
}

/** '1,3,5' or '135' (1 = Monday … 7 = Sunday) → weekdays, or undefined. */
const parseWeekdays = (s: string): Weekday[] | undefined => {
  const digits = s.replace(/[\s,，、]/g, '')
  if (!/^[1-7]+$/.test(digits)) return undefined
  return [...new Set([...digits].map(Number))].sort() as Weekday[]
}

export type LegacyRowResult<T> = { ok: true; value: T } | { ok: false; errors: CellError[] }

/** `reference`: the lists in force at the import (rules.referenceAt; their first version when not given). */
export function legacyCaseFromRow(
  row: number, cells: Readonly<Record<string, string | undefined>>,
  reference: Pick<ReferenceLists, 'professions' | 'departments' | 'purposes'> = FIRST_REFERENCE,
): LegacyRowResult<LegacyCase> {
  const r = new RowReader(row, cells)
  const legacyNumber = r.code('案件編號', (s) => /^\d{14}$/.test(s), '案件編號（14 碼數字）', { required: true })
  const nationalId = r.personId('身分證號')
  const profession = r.code('醫事人員類別', (s) => onList(reference.professions, s), '醫事人員類別', { required: true })
  const homeCode = r.code('執業機構代碼', isInstitutionCode, '執業機構代碼', { required: true })
  const supportedCode = r.code('被支援機構代碼', isInstitutionCode, '被支援機構代碼', { required: true })
  const department = r.code('支援科別', (s) => onList(reference.departments, s), '支援科別', { required: true })
  const purpose = r.code('支援目的', (s) => onList(reference.purposes, s), '支援目的', { required: true })
  const kind = r.oneOf('支援方式', KIND, { required: true })
  const submittedOn = r.date('送審日期', { required: true })
  const applicationType = r.oneOf('申請類別', TYPE, { required: true })
  const statusText = r.raw('申請進度')
  const status = statusText === '未送審' ? (r.error('申請進度', '未送審的草稿不移轉'), null) : r.oneOf('申請進度', STATUS, { required: true })
  const approvedOn = r.date('核准日期')
  const approvalNumber = r.text('核准文號', { max: 14 })
  const cancelledOn = r.date('註銷日期')
  if (status === 'approved' || status === 'cancelled') {
    if (!approvedOn && status === 'approved') r.error('核准日期', '已核准案件須有核准日期')
    if (!approvalNumber && status === 'approved') r.error('核准文號', '已核准案件須有核准文號')
  }
  if (status === 'cancelled' && !cancelledOn) r.error('註銷日期', '已註銷案件須有註銷日期')
  // a cancellation still pending may be decided in the new system: it needs the day it takes effect
  if (applicationType === 'cancel' && (status === 'under_review' || status === 'returned') && !cancelledOn) r.error('註銷日期', '註銷申請案件須有註銷日期（註銷生效日）')
  let schedule: Schedule | undefined
  if (kind === 'weekly') {
    const from = r.date('開始日期', { required: true })
    const to = r.date('結束日期', { required: true })
    const weekdays = parseWeekdays(r.raw('星期'))
    if (!weekdays) r.error('星期', '星期須為 1–7（1 = 星期一），例如 1,3,5')
    const windows = parseWindows(r.raw('時段'))
    if (!windows) r.error('時段', '時段格式應為 HHmm-HHmm，多段以 ; 分隔，例如 0800-1200;1330-1630')
    if (from && to && weekdays && windows) schedule = { kind: 'weekly', from, to, weekdays, windows }
  } else if (kind === 'sessions') {
    const sessions: { date: IsoDate; start: string; end: string }[] = []
    const parts = r.raw('指定時段').split(/[;；]/).map((x) => x.trim()).filter(Boolean)
    for (const p of parts) {
      const m = /^(\d{7})\s+(\d{4})\s*[-~～]\s*(\d{4})$/.exec(p)
      const date = m ? new RowReader(row, { d: m[1] }).date('d') : null
      if (!m || !date || !HHMM.test(m[2]!) || !HHMM.test(m[3]!)) {
        r.error('指定時段', '指定時段格式應為 yyyMMdd HHmm-HHmm，多筆以 ; 分隔，例如 1130301 0800-1200')
        break
      }
      sessions.push({ date, start: clock(m[2]!), end: clock(m[3]!) })
    }
    if (!parts.length) r.error('指定時段', '必填')
    if (sessions.length && sessions.length === parts.length) schedule = { kind: 'sessions', sessions }
  }
  if (schedule) {
    try {
      validateSchedule(schedule)
    } catch (e) {
      if (!isDomainError(e)) throw e
      r.error(kind === 'weekly' ? '時段' : '指定時段', e.message)
      schedule = undefined
    }
  }
  if (r.errors.length || !schedule) return { ok: false, errors: r.errors.length ? r.errors : [{ row, column: '支援方式', value: '', message: '支援期間與時段不完整' }] }
  return {
    ok: true,
    value: {
      legacyNumber: legacyNumber!, nationalId: nationalId!, profession: profession!, homeCode: homeCode!, supportedCode: supportedCode!,
      department: department!, purpose: purpose!, schedule, submittedOn: submittedOn!, applicationType: applicationType!,
      status: status!, approvedOn, approvalNumber, cancelledOn,
    },
  }
}

export function legacyDecisionFromRow(row: number, cells: Readonly<Record<string, string | undefined>>): LegacyRowResult<LegacyDecision> {
  const r = new RowReader(row, cells)
  const legacyNumber = r.code('案件編號', (s) => /^\d{14}$/.test(s), '案件編號（14 碼數字）', { required: true })
  const decision = r.oneOf('審核結果', DECISION, { required: true })
  const decidedOn = r.date('審核日期', { required: true })
  const approvalNumber = r.text('核准文號', { max: 14 })
  const reason = r.text('理由', { max: 500 })
  if (decision === 'approved' && !approvalNumber) r.error('核准文號', '核准須有核准文號')
  if ((decision === 'rejected' || decision === 'returned') && !reason) r.error('理由', '未核准或退回須有理由')
  if (r.errors.length) return { ok: false, errors: r.errors }
  return { ok: true, value: { legacyNumber: legacyNumber!, decision: decision!, decidedOn: decidedOn!, approvalNumber, reason } }
}
