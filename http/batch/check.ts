// The check of a batch file's rows: ONE validation with the filing. Each row's cells are read by the report form's
// format rules, then the row is dry-run through the very commands the confirmation will file
// (CaseService.checkFiling: registry, terms, license, past, conflicts, quota), also against the earlier rows of the
// same applicant in the file. A row that passes here is a row the filing accepts (unless the world changed between
// the check and the confirmation: another filing, the registry, the date).
import type { CaseService } from '../../commands/case-service.js'
import { isDomainError } from '../../domain/errors.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import type { ExistingReport } from '../../domain/rules/conflict.js'
import type { Actor } from '../../domain/types.js'
import { explain } from '../errors.js'
import { fieldOfError } from '../forms/error-fields.js'
import type { ReferenceLists } from '../../domain/reference/lists.js'
import { checkReportForm, emptyReportForm, type ReportFormInput } from '../forms/report-form.js'
import { rowCommandId, termsOfInput, type BatchRow, type CancelRow, type ChangeRow, type OnBehalfOf } from './jobs.js'
import { BATCH_COLUMNS, BATCH_KEYS, BATCH_KIND_LABEL, CANCEL_COLUMNS, CHANGE_COLUMNS, CHANGE_KEYS, type BatchCells } from './parse.js'
import { caseFacts } from '../../domain/report/case-facts.js'
import { pendingApplicationOf } from '../../domain/report/allowed.js'
import { APPLICATION_TYPE_LABEL } from '../../domain/types.js'
import { checkCancelForm } from '../forms/cancel-form.js'
import { INPUT_LIMITS } from '../../domain/report/command-schemas.js'

/** Which template column a form field's error belongs to. */
const COLUMN_OF: Record<string, string> = Object.fromEntries(BATCH_KEYS.map((k, i) => [k, BATCH_COLUMNS[i]!]))
export const columnOf = (field: string) =>
  COLUMN_OF[field.split('.')[0]!] ?? (field === 'windows' ? '開始時間' : field === 'sesDate' ? '開始日期' : field === 'row' ? '整列' : field)

export interface CheckedRows {
  valid: BatchRow[]
  invalid: { rowNumber: number; errors: Record<string, string> }[]
}

/** How many applicants' rows are dry-run at once (one applicant's rows stay in file order: they must see each other). */
const PARALLEL = 4

export async function checkBatchRows(rows: readonly { rowNumber: number; cells: BatchCells }[], deps: { reports: CaseService; actor: Actor; owner: string; reference?: Pick<ReferenceLists, 'departments' | 'purposes'>; onBehalfOf?: OnBehalfOf }): Promise<CheckedRows> {
  const { actor, owner } = deps
  const seen = new Map<string, number>()
  const byApplicant = new Map<string, { rowNumber: number; input?: ReportFormInput; errors: Record<string, string> }[]>()
  const all: { rowNumber: number; input?: ReportFormInput; errors: Record<string, string> }[] = []
  for (const { rowNumber, cells } of rows) {
    const key = JSON.stringify(cells)
    const occurrence = seen.get(key) ?? 0
    seen.set(key, occurrence + 1)
    // a professional files their own: the ID column may be left empty
    const applicantId = (actor.role === 'professional' && !cells.applicantId ? actor.id : cells.applicantId).toUpperCase()
    const values = {
      ...emptyReportForm(), ...cells, commandId: rowCommandId(owner, cells, occurrence), applicantId, supportedCode: cells.supportedCode.toUpperCase(),
      scheduleKind: 'weekly' as const, weekdays: cells.weekdays.split(/[,、\s]+/).filter(Boolean), winStart: [cells.winStart.padStart(4, '0')], winEnd: [cells.winEnd.padStart(4, '0')],
    }
    const { input, errors } = checkReportForm(values, { needsApplicant: true, intent: 'submit', ...(deps.reference ? { reference: deps.reference } : {}) })
    const row = { rowNumber, ...(input && Object.keys(errors).length === 0 ? { input } : {}), errors: Object.fromEntries(Object.entries(errors).map(([f, m]) => [columnOf(f), m])) }
    all.push(row)
    if (row.input) {
      const list = byApplicant.get(applicantId) ?? []
      list.push(row)
      byApplicant.set(applicantId, list)
    }
  }
  const groups = [...byApplicant.values()]
  const worker = async () => {
    for (let g = groups.shift(); g; g = groups.shift()) {
      const alongside: ExistingReport[] = []
      /** Which row of the file each not-yet-filed report is (the conflict names the row, not a case number). */
      const rowOf = new Map<string, number>()
      for (const row of g) {
        const input = row.input!
        try {
          const filed = await deps.reports.checkFiling(
            { caseId: caseIdFor(input.commandId), applicantId: input.applicantId!, terms: termsOfInput(input), ...(deps.onBehalfOf ? { onBehalfOf: deps.onBehalfOf } : {}) },
            actor, alongside,
          )
          if (filed) {
            const { caseNumber: _none, ...unnumbered } = filed
            alongside.push(unnumbered)
            rowOf.set(filed.caseId, row.rowNumber)
          }
        } catch (e) {
          if (!isDomainError(e)) throw e
          delete row.input
          const clashRow = e.code === 'SCHEDULE_CONFLICT' ? rowOf.get(String(e.details.caseId)) : undefined
          if (clashRow !== undefined) {
            row.errors[columnOf('windows')] = `支援時段與本檔第 ${clashRow} 列重疊`
            continue
          }
          // a professional's row naming someone else: the ID column is the one to fix
          row.errors[columnOf(fieldOfError(e) ?? (e.code === 'NOT_OWN_CASE' ? 'applicantId' : 'row'))] = explain(e)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  const out: CheckedRows = { valid: [], invalid: [] }
  for (const r of all) {
    if (r.input) out.valid.push({ rowNumber: r.rowNumber, input: r.input })
    else out.invalid.push({ rowNumber: r.rowNumber, errors: r.errors })
  }
  return out
}

/** A case a 變更 / 註銷 row names, found in the uploader's scope by 案件編號 or 核准文號. */
export interface NamedCase { caseId: string; nationalId: string }

const CASE_COLUMN = '案件編號或核准文號'
const CASE_REF = /^[\x21-\x7E]{1,20}$/
const CHANGE_COLUMN_OF: Record<string, string> = Object.fromEntries(CHANGE_KEYS.map((k, i) => [k, CHANGE_COLUMNS[i]!]))
const changeColumnOf = (field: string) =>
  field === 'applicantId' || field === 'row' ? (field === 'row' ? '整列' : CASE_COLUMN) : CHANGE_COLUMN_OF[field.split('.')[0]!] ?? (field === 'windows' ? '開始時間' : field === 'sesDate' ? '開始日期' : field)
const cancelColumnOf = (field: string) =>
  field === 'effectiveDate' ? CANCEL_COLUMNS[1] : field === 'reason' ? CANCEL_COLUMNS[2] : field === 'row' ? '整列' : CASE_COLUMN

/**
 * The check of a 變更 or 註銷 file: each row's case is found in the uploader's scope (by 案件編號 or 核准文號; a case
 * they may not read is "not found", never confirmed to exist), its cells are read by the single forms' rules (the
 * report form with a reason; the 註銷 form), then the row is dry-run as the very command the confirmation will issue
 * (CaseService.checkOnCase: the domain's gate — who may change or cancel which case in which status — then the data:
 * terms, conflicts, quota, the cancellation date). A row whose command the case already holds (the same row uploaded
 * before) is valid and marked filed before: the confirmation files it no second time.
 */
export async function checkCaseRows(
  kind: 'change' | 'cancel',
  rows: readonly { rowNumber: number; cells: Record<string, string> }[],
  deps: { reports: CaseService; actor: Actor; owner: string; findCases: (refs: string[]) => Promise<Map<string, NamedCase>>; reference?: Pick<ReferenceLists, 'departments' | 'purposes'> },
): Promise<CheckedRows> {
  const colOf = kind === 'change' ? changeColumnOf : cancelColumnOf
  // only what can be a 案件編號 (14 digits) or 核准文號 (14 ASCII) is looked up: a long or odd cell is simply not found
  const found = await deps.findCases([...new Set(rows.map((r) => (r.cells.caseRef ?? '').toUpperCase()).filter((ref) => CASE_REF.test(ref)))])
  const seen = new Map<string, number>()
  const rowOfCase = new Map<string, number>()
  type Pending = { rowNumber: number; row?: Omit<ChangeRow, 'before'> | Omit<CancelRow, 'before'>; errors: Record<string, string> }
  const all: Pending[] = []
  const byApplicant = new Map<string, Pending[]>()
  for (const { rowNumber, cells } of rows) {
    const key = JSON.stringify(cells)
    const occurrence = seen.get(key) ?? 0
    seen.set(key, occurrence + 1)
    const commandId = rowCommandId(deps.owner, { kind, ...cells }, occurrence)
    const caseRef = (cells.caseRef ?? '').toUpperCase()
    const p: Pending = { rowNumber, errors: {} }
    all.push(p)
    const named = caseRef ? found.get(caseRef) : undefined
    if (!caseRef) p.errors[CASE_COLUMN] = '請填寫案件編號或核准文號'
    else if (!named) p.errors[CASE_COLUMN] = '查無此案件編號或核准文號（或不是您可申請的案件）'
    else if (rowOfCase.has(named.caseId)) p.errors[CASE_COLUMN] = `本檔第 ${rowOfCase.get(named.caseId)} 列已申請同一案件，一個案件一次只能有一筆申請`
    let row: Pending['row']
    if (kind === 'change') {
      const { caseRef: _ref, ...terms } = cells as Record<string, string>
      const values = {
        ...emptyReportForm(), ...terms, commandId, reason: (terms.reason ?? '').slice(0, INPUT_LIMITS.reason), supportedCode: (terms.supportedCode ?? '').toUpperCase(), scheduleKind: 'weekly' as const,
        weekdays: (terms.weekdays ?? '').split(/[,、\s]+/).filter(Boolean), winStart: [(terms.winStart ?? '').padStart(4, '0')], winEnd: [(terms.winEnd ?? '').padStart(4, '0')],
      }
      const { input, errors } = checkReportForm(values, { needsApplicant: false, needsReason: true, intent: 'submit', ...(deps.reference ? { reference: deps.reference } : {}) })
      for (const [f, m] of Object.entries(errors)) p.errors[colOf(f)] = m
      if (input && named) row = { rowNumber, kind, commandId, caseId: named.caseId, caseRef, applicantId: named.nationalId, input, reason: input.reason ?? '' }
    } else {
      const { input, errors } = checkCancelForm({ effectiveDate: cells.effectiveDate ?? '', reason: cells.reason ?? '' })
      for (const [f, m] of Object.entries(errors)) p.errors[colOf(f)] = m
      if (input && named) row = { rowNumber, kind, commandId, caseId: named.caseId, caseRef, applicantId: named.nationalId, ...input }
    }
    if (named && !rowOfCase.has(named.caseId)) rowOfCase.set(named.caseId, rowNumber)
    if (row && Object.keys(p.errors).length === 0) {
      p.row = row
      const list = byApplicant.get(row.applicantId) ?? []
      list.push(p)
      byApplicant.set(row.applicantId, list)
    }
  }
  const valid = new Map<number, BatchRow>()
  const groups = [...byApplicant.values()]
  const worker = async () => {
    for (let g = groups.shift(); g; g = groups.shift()) {
      const alongside: ExistingReport[] = []
      const rowOf = new Map<string, number>()
      for (const p of g) {
        const r = p.row!
        const step = r.kind === 'change' ? { type: 'change' as const, terms: termsOfInput(r.input), reason: r.reason } : { type: 'cancel' as const, effectiveDate: r.effectiveDate, reason: r.reason }
        let state
        try {
          const checked = await deps.reports.checkOnCase(r.caseId, step, deps.actor, r.commandId, alongside)
          state = checked.state
          if (!state.exists) throw new Error('unreachable: checkOnCase refuses a missing case')
          const before = caseFacts(state).listedTerms
          valid.set(p.rowNumber, { ...r, before, filedBefore: checked.recorded } as BatchRow)
          if (checked.counts) {
            alongside.push(checked.counts)
            rowOf.set(r.caseId, p.rowNumber)
          }
        } catch (e) {
          if (!isDomainError(e)) throw e
          const clashRow = e.code === 'SCHEDULE_CONFLICT' ? rowOf.get(String(e.details.caseId)) : undefined
          if (clashRow !== undefined) p.errors[colOf('windows')] = `支援時段與本檔第 ${clashRow} 列重疊`
          else if (e.code === 'ILLEGAL_TRANSITION') p.errors[CASE_COLUMN] = await whyNot(deps.reports, r.caseId, kind)
          else p.errors[colOf(fieldOfError(e) ?? (e.code === 'NOT_OWN_CASE' || e.code === 'NOT_OWN_STAFF' ? 'applicantId' : 'row'))] = explain(e)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  const out: CheckedRows = { valid: [], invalid: [] }
  for (const p of all) {
    const v = valid.get(p.rowNumber)
    if (v && Object.keys(p.errors).length === 0) out.valid.push(v)
    else out.invalid.push({ rowNumber: p.rowNumber, errors: p.errors })
  }
  return out
}

/** Why a case takes no 變更 / 註銷 now (the domain's gate refused it): the application pending on it, or its status. */
async function whyNot(reports: CaseService, caseId: string, kind: 'change' | 'cancel'): Promise<string> {
  const state = await reports.load(caseId)
  const pending = pendingApplicationOf(state)
  const what = BATCH_KIND_LABEL[kind]
  if (pending) return `此案件已有${APPLICATION_TYPE_LABEL[pending.applicationType]}申請${pending.status === 'under_review' ? '審核中' : '退回補正中'}，須待該申請結案後才能申請${what}`
  return `只有已核准且仍在支援期間內的案件可申請${what}`
}
