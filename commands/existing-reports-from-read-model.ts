// The applicant's other reports for the conflict and quota rules, from the occurrences read model.
// Eventually consistent by design: a clash that slips in between two simultaneous filings is shown to the reviewer,
// who sees the conflict findings "at filing time and now".
import type { ExistingReport } from '../domain/rules/conflict.js'
import type { SupportedStaffing } from '../domain/rules/quota-types.js'
import { periodOf } from '../domain/rules/quota.js'
import { sessionsOf } from '../domain/schedule.js'
import type { IsoDate } from '../domain/types.js'
import type { ReadModels } from '../projections/queries/read-models.js'
import { listOccurrences } from '../projections/queries/occurrences.js'
import type { Sql } from './platform/database.js'
import { findInstitution, findProfessional, type RegistryInstitution } from './registry/registry.js'
import { PHARMACY_CODES, PHYSICIAN_CODES } from '../domain/reference/professions.js'
import type { ProfessionCode } from '../domain/types.js'

const professionGroupOf = (p: ProfessionCode | undefined): readonly ProfessionCode[] | undefined =>
  p === undefined ? undefined : PHYSICIAN_CODES.includes(p) ? PHYSICIAN_CODES : PHARMACY_CODES.includes(p) ? PHARMACY_CODES : [p]
import type { ExistingReportsSource } from './case-service.js'

/**
 * The supported institution's staffing (registry) and its support by OTHER people's reports (occurrences read model),
 * per ISO week and per month, for the ratio rules of the quota table. Approved and pending reports both count: a
 * filing is judged against everything already asked of the institution. Only supporters of the applicant's group
 * count (a physician is measured against supporting physicians, a pharmacist against pharmacists), as the rules say.
 */
export async function supportedStaffingFrom(
  rm: ReadModels,
  db: Sql,
  institutionCode: string,
  from: IsoDate,
  to: IsoDate,
  excludeNationalId: string,
): Promise<SupportedStaffing | undefined> {
  const [inst, applicant] = await Promise.all([findInstitution(db, institutionCode), findProfessional(db, excludeNationalId)])
  if (!inst) return undefined
  const group = professionGroupOf(applicant?.profession)
  return institutionStaffing(rm, db, institutionCode, from, to, { ...(group ? { professions: group } : {}), excludeNationalId, institution: inst })
}

/**
 * The same for the institution alone (額度限制查詢): its staffing and the support it receives from `from` to `to`,
 * counting the supporters of `professions` (all when empty or absent), except `excludeNationalId`. Undefined when
 * the institution is not in the registry.
 */
export async function institutionStaffing(
  rm: ReadModels,
  db: Sql,
  institutionCode: string,
  from: IsoDate,
  to: IsoDate,
  opts: { professions?: readonly ProfessionCode[]; excludeNationalId?: string; institution?: RegistryInstitution } = {},
): Promise<SupportedStaffing | undefined> {
  const inst = opts.institution ?? (await findInstitution(db, institutionCode))
  if (!inst) return undefined
  const group = opts.professions?.length ? opts.professions : undefined
  const rows = await listOccurrences(rm, { kind: 'national' }, { institutionCode, from, to, limit: 50_000 })
  const sessions: Record<string, number> = {}
  const supporters = new Map<string, Set<string>>()
  for (const r of rows) {
    if (r.supportedCode !== institutionCode || r.nationalId === opts.excludeNationalId) continue
    if (group && !group.includes(r.profession as ProfessionCode)) continue
    for (const period of [periodOf('week', r.date), periodOf('month', r.date)]) {
      sessions[period] = (sessions[period] ?? 0) + sessionsOf(r)
      let who = supporters.get(period)
      if (!who) supporters.set(period, (who = new Set()))
      who.add(r.nationalId)
    }
  }
  return {
    ...(inst.ownPhysicians != null ? { ownPhysicians: inst.ownPhysicians } : {}),
    ...(inst.ownPharmacists != null ? { ownPharmacists: inst.ownPharmacists } : {}),
    ...(inst.weeklySessions != null ? { weeklySessions: inst.weeklySessions } : {}),
    supportSessionsByPeriod: sessions,
    supportersByPeriod: Object.fromEntries([...supporters].map(([k, v]) => [k, v.size])),
  }
}

export function existingReportsFromReadModel(rm: ReadModels, db?: Sql): ExistingReportsSource {
  return {
    ...(db ? { supportedStaffing: (code: string, from: IsoDate, to: IsoDate, exclude: string) => supportedStaffingFrom(rm, db, code, from, to, exclude) } : {}),
    async existingReports(nationalId: string, excludeCaseId: string, from: IsoDate, to: IsoDate): Promise<ExistingReport[]> {
      const rows = await listOccurrences(rm, { kind: 'professional', nationalId }, {
        nationalId,
        from,
        to,
        ...(excludeCaseId ? { excludeCaseId } : {}),
        limit: 50_000,
      })
      const byCase = new Map<string, typeof rows>()
      for (const r of rows) {
        const list = byCase.get(r.caseId)
        if (list) list.push(r)
        else byCase.set(r.caseId, [r])
      }
      const window = (r: (typeof rows)[number]) => ({ date: r.date, start: r.start, end: r.end })
      // the rows are the domain's counted occurrences (projections/read-models/occurrences.ts): 'approved' = the terms
      // in force, 'pending' = the terms under review; put back together as domain/report/existing.ts builds them
      return [...byCase.entries()].map(([caseId, list]): ExistingReport => {
        const approved = list.filter((r) => r.state === 'approved').map(window)
        const pending = list.filter((r) => r.state === 'pending').map(window)
        const first = list[0]!
        const base = { caseId, ...(first.caseNumber ? { caseNumber: first.caseNumber } : {}), status: first.caseStatus }
        return approved.length
          ? { ...base, occurrences: approved, ...(pending.length ? { pendingOccurrences: pending } : {}), inForce: true }
          : { ...base, occurrences: pending }
      })
    },
  }
}
