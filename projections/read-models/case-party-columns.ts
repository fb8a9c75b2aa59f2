// The columns every case-level read model row shares: the case, the applicant and home institution, and the
// supported institution of the given terms (the terms in force or the ones under review, as the model needs).
import type { Terms } from '../../domain/types.js'
import type { CaseView } from '../case-view.js'

export function casePartyColumns(v: CaseView, terms: Terms) {
  return {
    case_id: v.caseId,
    case_number: v.caseNumber,
    status: v.status,
    application_type: v.applicationType,
    national_id: v.applicant.nationalId,
    applicant_name: v.applicant.name,
    profession: v.applicant.profession,
    home_code: v.applicant.home.code,
    home_name: v.applicant.home.name,
    home_county: v.applicant.home.county,
    supported_code: terms.supported.code,
    supported_name: terms.supported.name,
    supported_county: terms.supported.county,
    department: terms.department,
  }
}
