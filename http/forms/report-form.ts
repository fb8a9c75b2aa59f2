// The report form (登錄 / 變更 / edit draft): raw fields → checked input with zh-TW errors per field.
// Format checks only; the rules (license period, conflicts, quota, past dates) are decided in domain/.
import { randomUUID } from 'node:crypto'
import { isUuid } from '../../domain/name-uuid.js'
import type { Schedule, TimeWindow, Weekday, DatedSession } from '../../domain/types.js'
import { validatePersonId } from '../../domain/national-id.js'
import { isRocDate, rocToIso, isoToRoc, parseDateInput } from '../../domain/roc-date.js'
import { FIRST_REFERENCE, onList, type ReferenceLists } from '../../domain/reference/lists.js'

/** A typed date in the form's canonical ROC yyyMMdd when it is one (1160104, 116/01/04, 2027/01/04 all → 1160104),
 * else exactly as typed (then refused with its message, never cut short). */
const dateTyped = (typed: string): string => {
  const iso = parseDateInput(typed)
  return iso ? isoToRoc(iso) : typed
}
import { isInstitutionCode } from '../../domain/reference/institution-code.js'
import { clockToHHmm, hhmmToClock, isHHmm } from '../../domain/clock-time.js'
import { INPUT_LIMITS, validateTermsInput } from '../../domain/report/command-schemas.js'
import { list, str, type FieldErrors, type RawForm } from './form-values.js'

export interface ReportFormValues {
  commandId: string
  applicantId: string
  supportedCode: string
  supportedName: string
  department: string
  purpose: string
  scheduleKind: 'weekly' | 'sessions'
  from: string
  to: string
  weekdays: string[]
  winStart: string[]
  winEnd: string[]
  sesDate: string[]
  sesStart: string[]
  sesEnd: string[]
  note: string
  reason: string
}

export interface ReportFormInput {
  commandId: string
  applicantId?: string
  supportedCode: string
  department: string
  purpose: string
  schedule: Schedule
  note?: string
  reason?: string
  intent: 'draft' | 'submit'
}

export const emptyReportForm = (): ReportFormValues => ({
  commandId: randomUUID(), applicantId: '', supportedCode: '', supportedName: '', department: '', purpose: '',
  scheduleKind: 'weekly', from: '', to: '', weekdays: [], winStart: [''], winEnd: [''], sesDate: [''], sesStart: [''], sesEnd: [''],
  note: '', reason: '',
})


export function readReportForm(form: RawForm | undefined): ReportFormValues {
  const kind = str(form, 'scheduleKind') === 'sessions' ? 'sessions' : 'weekly'
  // one past the cap is kept, so the check still refuses it; no more (a page of 40 000 rows to re-render is a stall)
  const pad = (xs: string[]) => (xs.length ? xs.slice(0, INPUT_LIMITS.sessions + 1) : [''])
  return {
    commandId: str(form, 'commandId'),
    applicantId: str(form, 'applicantId').toUpperCase(),
    supportedCode: str(form, 'supportedCode').toUpperCase(),
    supportedName: str(form, 'supportedName'),
    department: str(form, 'department'),
    purpose: str(form, 'purpose'),
    scheduleKind: kind,
    from: dateTyped(str(form, 'from')),
    to: dateTyped(str(form, 'to')),
    weekdays: list(form, 'weekdays').slice(0, 7).filter((w) => /^[1-7]$/.test(w)),
    winStart: pad(list(form, 'winStart')),
    winEnd: pad(list(form, 'winEnd')),
    sesDate: pad(list(form, 'sesDate')).map(dateTyped),
    sesStart: pad(list(form, 'sesStart')),
    sesEnd: pad(list(form, 'sesEnd')),
    note: str(form, 'note').slice(0, INPUT_LIMITS.note),
    reason: str(form, 'reason').slice(0, INPUT_LIMITS.reason),
  }
}

export interface CheckOptions {
  /** Institution filing for its staff: the applicant's ID is a field. */
  needsApplicant: boolean
  /** A change (變更) needs a reason. */
  needsReason?: boolean
  intent: 'draft' | 'submit'
  /** 支援科別 and 支援目的 in force now (rules.referenceAt); their first version when not given. */
  reference?: Pick<ReferenceLists, 'departments' | 'purposes'>
}

/** Checks the fields; returns either the input or the errors keyed by field name. */
export function checkReportForm(v: ReportFormValues, opts: CheckOptions): { input?: ReportFormInput; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const reference = opts.reference ?? FIRST_REFERENCE
  if (!isUuid(v.commandId)) errors.commandId = '表單識別碼遺失，請重新整理頁面'
  if (opts.needsApplicant) {
    const r = validatePersonId(v.applicantId)
    if (!v.applicantId) errors.applicantId = '請輸入醫事人員身分證號或居留證號'
    else if (!r.ok) errors.applicantId = r.reason === 'checksum' ? '身分證號檢查碼錯誤' : '身分證號格式不正確（例：A123456789）'
  }
  if (!v.supportedCode) errors.supportedCode = '請輸入或搜尋被支援機構'
  else if (!isInstitutionCode(v.supportedCode)) errors.supportedCode = '醫事機構代碼應為 10 碼英數字'
  if (!v.department) errors.department = '請選擇支援科別'
  else if (!onList(reference.departments, v.department)) errors.department = '支援科別不存在'
  if (!v.purpose) errors.purpose = '請選擇支援目的'
  else if (!onList(reference.purposes, v.purpose)) errors.purpose = '支援目的不存在'
  if (opts.needsReason && !v.reason) errors.reason = '請填寫變更理由'

  let schedule: Schedule | undefined
  if (v.scheduleKind === 'weekly') {
    const fromOk = isRocDate(v.from)
    const toOk = isRocDate(v.to)
    if (!v.from) errors.from = '請輸入開始日期'
    else if (!fromOk) errors.from = '日期格式不正確（可輸入民國 yyyMMdd、yyy/MM/dd 或西元 yyyy/MM/dd）'
    if (!v.to) errors.to = '請輸入結束日期'
    else if (!toOk) errors.to = '日期格式不正確（可輸入民國 yyyMMdd、yyy/MM/dd 或西元 yyyy/MM/dd）'
    if (fromOk && toOk && v.to < v.from) errors.to = '結束日期不可早於開始日期'
    if (v.weekdays.length === 0) errors.weekdays = '請至少勾選一個星期'
    const windows: TimeWindow[] = []
    const n = Math.max(v.winStart.length, v.winEnd.length)
    if (n > INPUT_LIMITS.windows) errors['winStart.0'] = `每日支援時段最多 ${INPUT_LIMITS.windows} 個`
    for (let i = 0; i < n && n <= INPUT_LIMITS.windows; i++) {
      const s = v.winStart[i] ?? ''
      const e = v.winEnd[i] ?? ''
      if (!s && !e && n > 1) continue
      if (!isHHmm(s)) errors[`winStart.${i}`] = '時間格式 HHmm（例：0800）'
      if (!isHHmm(e)) errors[`winEnd.${i}`] = '時間格式 HHmm（例：1200）'
      else if (isHHmm(s) && e <= s) errors[`winEnd.${i}`] = '結束時間須晚於開始時間'
      if (isHHmm(s) && isHHmm(e) && e > s) windows.push({ start: hhmmToClock(s), end: hhmmToClock(e) })
    }
    if (windows.length === 0 && !Object.keys(errors).some((k) => k.startsWith('win'))) errors['winStart.0'] = '請至少輸入一個支援時段'
    const sorted = [...windows].sort((a, b) => a.start.localeCompare(b.start))
    for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) errors.windows = '同一天的支援時段不可重疊'
    if (fromOk && toOk && !Object.keys(errors).some((k) => ['from', 'to', 'weekdays', 'windows'].includes(k) || k.startsWith('win'))) {
      schedule = { kind: 'weekly', from: rocToIso(v.from), to: rocToIso(v.to), weekdays: [...new Set(v.weekdays.map(Number))].sort() as Weekday[], windows: sorted }
    }
  } else {
    const sessions: DatedSession[] = []
    const n = Math.max(v.sesDate.length, v.sesStart.length, v.sesEnd.length)
    if (n > INPUT_LIMITS.sessions) errors['sesDate.0'] = `支援時段最多 ${INPUT_LIMITS.sessions} 個`
    for (let i = 0; i < n && n <= INPUT_LIMITS.sessions; i++) {
      const d = v.sesDate[i] ?? ''
      const s = v.sesStart[i] ?? ''
      const e = v.sesEnd[i] ?? ''
      if (!d && !s && !e && n > 1) continue
      if (!isRocDate(d)) errors[`sesDate.${i}`] = '日期格式不正確（例：1130301）'
      if (!isHHmm(s)) errors[`sesStart.${i}`] = '時間格式 HHmm'
      if (!isHHmm(e)) errors[`sesEnd.${i}`] = '時間格式 HHmm'
      else if (isHHmm(s) && e <= s) errors[`sesEnd.${i}`] = '結束時間須晚於開始時間'
      if (isRocDate(d) && isHHmm(s) && isHHmm(e) && e > s) sessions.push({ date: rocToIso(d), start: hhmmToClock(s), end: hhmmToClock(e) })
    }
    if (sessions.length === 0 && !Object.keys(errors).some((k) => k.startsWith('ses'))) errors['sesDate.0'] = '請至少輸入一個支援日期與時段'
    if (!Object.keys(errors).some((k) => k.startsWith('ses'))) schedule = { kind: 'sessions', sessions }
  }
  if (Object.keys(errors).length || !schedule) return { errors }
  const terms = { supportedCode: v.supportedCode, department: v.department, purpose: v.purpose, schedule, ...(v.note ? { note: v.note } : {}) }
  // the same schema (and limits) as the JSON API: how many windows or sessions one report may carry
  const checked = validateTermsInput(terms)
  if (!checked.ok) {
    for (const f of checked.fields) {
      const field = f.path.split('/')[1] ?? ''
      if (field !== 'schedule' && field !== '') errors[field] ??= '格式不正確'
      else if (schedule.kind === 'weekly') errors.windows ??= schedule.windows.length > INPUT_LIMITS.windows ? `每日時段最多 ${INPUT_LIMITS.windows} 個` : '支援時段格式不正確'
      else errors['sesDate.0'] ??= schedule.sessions.length > INPUT_LIMITS.sessions ? `指定時段最多 ${INPUT_LIMITS.sessions} 個` : '支援時段格式不正確'
    }
    return { errors }
  }
  return {
    errors,
    input: {
      commandId: v.commandId,
      ...(opts.needsApplicant ? { applicantId: validatePersonId(v.applicantId).ok ? v.applicantId : undefined } : {}),
      ...terms,
      ...(v.reason ? { reason: v.reason } : {}),
      intent: opts.intent,
    },
  }
}

/** Form values from existing terms (edit a draft, change, copy). */
export function formFromTerms(terms: { supported: { code: string; name: string }; department: string; purpose: string; schedule: Schedule; note?: string }, applicantId = ''): ReportFormValues {
  const base = emptyReportForm()
  const s = terms.schedule
  return {
    ...base,
    applicantId,
    supportedCode: terms.supported.code,
    supportedName: terms.supported.name,
    department: terms.department,
    purpose: terms.purpose,
    note: terms.note ?? '',
    ...(s.kind === 'weekly'
      ? { scheduleKind: 'weekly' as const, from: isoToRoc(s.from), to: isoToRoc(s.to), weekdays: s.weekdays.map(String), winStart: s.windows.map((w) => clockToHHmm(w.start)), winEnd: s.windows.map((w) => clockToHHmm(w.end)) }
      : { scheduleKind: 'sessions' as const, sesDate: s.sessions.map((x) => isoToRoc(x.date)), sesStart: s.sessions.map((x) => clockToHHmm(x.start)), sesEnd: s.sessions.map((x) => clockToHHmm(x.end)) }),
  }
}
