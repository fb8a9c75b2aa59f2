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
import { rowCommandId } from './jobs.js'
import { BATCH_COLUMNS, BATCH_KEYS, type BatchCells } from './parse.js'

/** Which template column a form field's error belongs to. */
const COLUMN_OF: Record<string, string> = Object.fromEntries(BATCH_KEYS.map((k, i) => [k, BATCH_COLUMNS[i]!]))
export const columnOf = (field: string) =>
  COLUMN_OF[field.split('.')[0]!] ?? (field === 'windows' ? '開始時間' : field === 'sesDate' ? '開始日期' : field === 'row' ? '整列' : field)

export interface CheckedRows {
  valid: { rowNumber: number; input: ReportFormInput }[]
  invalid: { rowNumber: number; errors: Record<string, string> }[]
}

/** How many applicants' rows are dry-run at once (one applicant's rows stay in file order: they must see each other). */
const PARALLEL = 4

export async function checkBatchRows(rows: readonly { rowNumber: number; cells: BatchCells }[], deps: { reports: CaseService; actor: Actor; owner: string; reference?: Pick<ReferenceLists, 'departments' | 'purposes'> }): Promise<CheckedRows> {
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
            { caseId: caseIdFor(input.commandId), applicantId: input.applicantId!, terms: { supportedCode: input.supportedCode, department: input.department, purpose: input.purpose, schedule: input.schedule, ...(input.note ? { note: input.note } : {}) } },
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
