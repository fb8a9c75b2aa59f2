// 額度限制查詢 by institution: the ratio rules of the quota table in force that cover the institution (診所: the share
// of its sessions seen by supporting physicians, the number of supporting physicians against its own), for the
// current and the coming weeks and months, with the numbers as the domain computes them (domain/rules/quota.ts
// ratioStandings: the same limits a filing is judged by). Support counts are aggregates of all reports (approved and
// pending), as the filing check counts them; no person is named.
import { institutionStaffing } from '../../commands/existing-reports-from-read-model.js'
import { findInstitution, type RegistryInstitution } from '../../commands/registry/registry.js'
import { addDays, isoWeekId, isoWeekStart, lastDayOf, shiftMonth } from '../../domain/roc-date.js'
import { ratioStandings, type RatioStanding } from '../../domain/rules/quota.js'
import type { QuotaRuleTable, SupportedStaffing } from '../../domain/rules/quota-types.js'
import type { IsoDate } from '../../domain/types.js'
import type { App } from '../schemas.js'

/** How far the page looks ahead: this week and the next 7, this month and the next 2. */
export const RATIO_WEEKS = 8
export const RATIO_MONTHS = 3

export interface InstitutionRatios {
  institution: RegistryInstitution
  standings: RatioStanding[]
}

/** The periods shown from `today` on: week ids and month ids. */
export function ratioPeriods(today: IsoDate): { week: string[]; month: string[]; from: IsoDate; to: IsoDate } {
  const monday = isoWeekStart(isoWeekId(today))
  const week = Array.from({ length: RATIO_WEEKS }, (_, i) => isoWeekId(addDays(monday, 7 * i)))
  const month = Array.from({ length: RATIO_MONTHS }, (_, i) => shiftMonth(today.slice(0, 7), i))
  const monthStart = `${month[0]}-01`
  const weeksEnd = addDays(monday, 7 * RATIO_WEEKS - 1)
  const monthsEnd = lastDayOf(month.at(-1)!)
  return { week, month, from: monday < monthStart ? monday : monthStart, to: weeksEnd > monthsEnd ? weeksEnd : monthsEnd }
}

/** Undefined when the institution is not in the registry or there is no database. */
export async function institutionRatios(app: App, code: string, table: QuotaRuleTable, today: IsoDate): Promise<InstitutionRatios | undefined> {
  const db = app.services.db
  const rm = app.services.readModels
  if (!db || !rm) return undefined
  const institution = await findInstitution(db, code)
  if (!institution) return undefined
  const periods = ratioPeriods(today)
  // the support each rule counts: of the professions the rule is about (a physicians' rule counts supporting physicians)
  const staffing = new Map<string, SupportedStaffing>()
  for (const rule of table.rules) {
    if (rule.kind !== 'ratio') continue
    const key = [...rule.scope.professions].sort().join(',')
    if (staffing.has(key)) continue
    staffing.set(key, (await institutionStaffing(rm, db, code, periods.from, periods.to, { professions: rule.scope.professions, institution })) ?? {})
  }
  const standings = ratioStandings(
    table,
    { supportedKind: institution.kind, county: institution.county },
    (rule) => staffing.get([...rule.scope.professions].sort().join(',')) ?? {},
    periods,
  )
  return { institution, standings }
}
