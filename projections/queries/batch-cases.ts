// Which of a list of case ids already exist in the caller's scope (the batch upload's "filed before" check).
// Self-contained scope predicate over the cases table's scope columns (national_id, scope_institutions, scope_counties).
import type { ReadModels } from './read-models.js'
import type { Scope } from './scope.js'

function scopePredicate(scope: Scope, params: unknown[]): string {
  switch (scope.kind) {
    case 'national': return 'TRUE'
    case 'professional': params.push(scope.nationalId); return `national_id = $${params.length}`
    case 'institution': params.push(scope.code); return `scope_institutions @> ARRAY[$${params.length}::text]`
    case 'county': params.push(scope.county); return `scope_counties @> ARRAY[$${params.length}::text]`
  }
}

export async function existingCaseIds(rm: ReadModels, scope: Scope, caseIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>()
  for (let i = 0; i < caseIds.length; i += 5000) {
    const chunk = caseIds.slice(i, i + 5000)
    const rows = await rm.select<{ caseId: string }>('cases', (t) => {
      const params: unknown[] = [chunk]
      return { text: `SELECT case_id AS "caseId" FROM ${t('cases')} WHERE case_id = ANY($1::text[]) AND ${scopePredicate(scope, params)}`, params }
    })
    for (const r of rows) out.add(r.caseId)
  }
  return out
}

/**
 * The cases a batch 變更 / 註銷 file names, by 案件編號 or 核准文號, among the cases in the caller's scope (a case
 * outside it is not found). A reference matching both a case number and another case's approval number names the
 * case whose case number it is.
 */
export async function casesByReference(rm: ReadModels, scope: Scope, refs: readonly string[]): Promise<Map<string, { caseId: string; nationalId: string }>> {
  const out = new Map<string, { caseId: string; nationalId: string }>()
  for (let i = 0; i < refs.length; i += 5000) {
    const chunk = refs.slice(i, i + 5000)
    const rows = await rm.select<{ caseId: string; nationalId: string; caseNumber: string | null; approvalNumber: string | null }>('cases', (t) => {
      const params: unknown[] = [chunk]
      return {
        text: `SELECT case_id AS "caseId", national_id AS "nationalId", case_number AS "caseNumber", approval_number AS "approvalNumber" FROM ${t('cases')}
                WHERE (case_number = ANY($1::text[]) OR approval_number = ANY($1::text[])) AND ${scopePredicate(scope, params)}`,
        params,
      }
    })
    for (const r of rows) if (r.approvalNumber && !out.has(r.approvalNumber)) out.set(r.approvalNumber, { caseId: r.caseId, nationalId: r.nationalId })
    for (const r of rows) if (r.caseNumber) out.set(r.caseNumber, { caseId: r.caseId, nationalId: r.nationalId })
  }
  return out
}
