// 登錄異動待查: running approved supports whose registry facts changed underneath them (license suspended, expired
// or not covering the support, the person no longer practising, an institution closed), in the reader's scope.
// SQL only pre-selects the rows; what each concern means is decided by domain/registry/facts.ts.
import { registryConcerns, CONCERN_LABEL, type InstitutionStatus, type PracticeStatus, type RegistryConcern } from '../../domain/registry/facts.js'
import type { IsoDate } from '../../domain/types.js'
import type { ReadModels } from './read-models.js'

export interface RegistryFlag {
  caseId: string
  caseNumber: string | null
  nationalId: string
  applicantName: string | null
  supportedCode: string | null
  supportedName: string | null
  inForceTo: IsoDate | null
  concerns: RegistryConcern[]
  labels: string[]
}

interface Row {
  case_id: string; case_number: string | null; national_id: string; applicant_name: string | null; supported_code: string | null
  supported_name: string | null; in_force_to: string | null; practice_status: PracticeStatus | null; license_valid_to: string | null
  home_status: InstitutionStatus | null; supported_status: InstitutionStatus | null
}

/**
 * county: the reviewer's (cases routed or copied to it); undefined: national. caseId: one case only.
 *
 * One pass over the supports running on `today` (by the partial index on their end: the cases of history are not
 * read), each looked up in the registry. Measured at 1m with a registry of 300k people (bench/RESULTS.md): starting
 * from the registry's side instead (the people not practising, the institutions not open, the licenses ending
 * before the latest support) was 3× slower, since a license ending before a support is common.
 */
export async function registryFlags(rm: ReadModels, opts: { today: IsoDate; county?: string; caseId?: string; limit?: number }): Promise<RegistryFlag[]> {
  const rows = await rm.select<Row>('institutions', (t) => ({
    text: `SELECT s.case_id, s.case_number, s.national_id, s.applicant_name, s.supported_code, s.supported_name,
        to_char(s.in_force_to, 'YYYY-MM-DD') AS in_force_to, p.practice_status, to_char(p.license_valid_to, 'YYYY-MM-DD') AS license_valid_to,
        h.status AS home_status, sp.status AS supported_status
      FROM ${t('institution_supports')} s
      LEFT JOIN registry_professionals p ON p.national_id = s.national_id
      LEFT JOIN registry_institutions h ON h.code = s.home_code
      LEFT JOIN registry_institutions sp ON sp.code = s.supported_code
      WHERE s.in_force_to >= $1::date AND s.status <> 'withdrawn'
        AND (p.practice_status <> 'active' OR p.license_valid_to < s.in_force_to OR h.status <> 'open' OR sp.status <> 'open')
        AND ($2::text IS NULL OR s.scope_counties @> ARRAY[$2::text])
        AND ($3::text IS NULL OR s.case_id = $3::text)
      ORDER BY s.in_force_to, s.case_number LIMIT $4`,
    params: [opts.today, opts.county ?? null, opts.caseId ?? null, opts.limit ?? 500],
  }))
  return rows.flatMap((r) => {
    const concerns = registryConcerns({
      practiceStatus: r.practice_status, licenseValidTo: r.license_valid_to, homeStatus: r.home_status,
      supportedStatus: r.supported_status, supportTo: r.in_force_to,
    })
    return concerns.length ? [{
      caseId: r.case_id, caseNumber: r.case_number, nationalId: r.national_id, applicantName: r.applicant_name,
      supportedCode: r.supported_code, supportedName: r.supported_name, inForceTo: r.in_force_to, concerns,
      labels: concerns.map((c) => CONCERN_LABEL[c]),
    }] : []
  })
}
