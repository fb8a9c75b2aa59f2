// Quota rule evaluation (報備支援額度限制). Pure: the rule table and the usage come in as data.
import { addDays, isoWeekId, isoWeekStart, monthId, rocPeriodLabel, shiftMonth } from '../roc-date.js'
import { fail } from '../errors.js'
import { hoursOf, sessionsOf } from '../schedule.js'
import type { CountyCode, InstitutionKind, Occurrence, ProfessionCode, QuotaFinding } from '../types.js'
import type { CapRule, QuotaBasis, QuotaEnforcement, QuotaPeriod, QuotaRule, QuotaRuleTable, RatioRule, SupportedStaffing } from './quota-types.js'

export type { CapRule, QuotaRule, QuotaRuleTable, RatioRule, SupportedStaffing } from './quota-types.js'

export interface QuotaInput {
  profession: ProfessionCode
  /** Kind and county of the SUPPORTED institution. */
  supportedKind?: InstitutionKind
  county: CountyCode
  /** The applicant's occurrences in their OTHER counting reports. */
  existing: readonly Occurrence[]
  /** The occurrences this filing adds. */
  proposed: readonly Occurrence[]
  staffing?: SupportedStaffing
}

export const periodOf = (period: QuotaPeriod, date: string): string => (period === 'week' ? isoWeekId(date) : monthId(date))

/**
 * The days of a period id, as [first, after) (`after` is the day following its last): exactly the dates whose
 * periodOf is the id. 'week' ids are ISO weeks ('2024-W09': Monday 2024-02-26 to Sunday), 'month' ids 'YYYY-MM'.
 */
export function periodDays(period: QuotaPeriod, id: string): { first: string; after: string } {
  if (period === 'week') {
    const first = isoWeekStart(id)
    return { first, after: addDays(first, 7) }
  }
  const m = /^(\d{4})-(\d{2})$/.exec(id)
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return fail('VALIDATION_FAILED', { field: 'month', value: id })
  return { first: `${id}-01`, after: `${shiftMonth(id, 1)}-01` }
}

/** Whether a rule's scope covers the SUPPORTED institution (its kind and county), whoever supports it. */
export const ruleAppliesToInstitution = (rule: QuotaRule, institution: Pick<QuotaInput, 'supportedKind' | 'county'>): boolean => {
  const s = rule.scope
  if (s.supportedKinds.length > 0 && (institution.supportedKind === undefined || !s.supportedKinds.includes(institution.supportedKind))) return false
  if (s.counties.length > 0 && !s.counties.includes(institution.county)) return false
  return true
}

export const ruleApplies = (rule: QuotaRule, input: Pick<QuotaInput, 'profession' | 'supportedKind' | 'county'>): boolean => {
  const s = rule.scope
  if (s.professions.length > 0 && !s.professions.includes(input.profession)) return false
  return ruleAppliesToInstitution(rule, input)
}

/**
 * The caps on a person's own support that bind a professional of this profession: the table's cap rules whose
 * profession scope covers it (an empty list covers all). A cap scoped to kinds or counties of supported institution
 * is listed too: it binds whenever they file support at such an institution. What 報備支援額度限制 lists per person.
 */
export const capRulesFor = (table: QuotaRuleTable, profession: ProfessionCode): CapRule[] =>
  table.rules.filter((r): r is CapRule => r.kind === 'cap' && (r.scope.professions.length === 0 || r.scope.professions.includes(profession)))

const round = (n: number) => Math.round(n * 100) / 100

/** A person's use in one period, approved and pending apart (the quota ledger's sums). */
export interface CapUse { approvedSessions: number; pendingSessions: number; approvedHours: number; pendingHours: number }

/**
 * Where a person stands against a cap in one period: approved and pending use together (a filing is judged against
 * both), the limit, whether the use is over it and by how much (0 within). What 報備支援額度限制 shows per person.
 */
export const capStanding = (rule: CapRule, use: CapUse | undefined): { used: number; limit: number; over: boolean; excess: number } => {
  const used = round(rule.unit === 'sessions' ? (use?.approvedSessions ?? 0) + (use?.pendingSessions ?? 0) : (use?.approvedHours ?? 0) + (use?.pendingHours ?? 0))
  return { used, limit: rule.limit, over: used > rule.limit, excess: Math.max(0, round(used - rule.limit)) }
}

/** The limit a ratio rule sets on an institution for one of its periods, from the institution's own staffing; undefined
 * when the staffing it needs is not on file (never 0). support_sessions_share: factor × own weekly sessions (× 4 for a
 * month); supporters_per_own_staff: factor × own physicians (or pharmacists). */
export const ratioLimit = (rule: RatioRule, st: SupportedStaffing): number | undefined => {
  if (rule.measure === 'support_sessions_share') {
    return st.weeklySessions === undefined ? undefined : round(rule.limit * st.weeklySessions * (rule.period === 'week' ? 1 : 4))
  }
  const own = rule.staff === 'pharmacists' ? st.ownPharmacists : st.ownPhysicians
  return own === undefined ? undefined : round(rule.limit * own)
}

/** What counts against a ratio rule in a period: the support sessions, or the distinct supporting persons, the
 * institution receives from the reports in `st`. */
export const ratioCurrent = (rule: RatioRule, st: SupportedStaffing, period: string): number =>
  rule.measure === 'support_sessions_share' ? st.supportSessionsByPeriod?.[period] ?? 0 : st.supportersByPeriod?.[period] ?? 0

/** The unit a ratio rule counts in: 診 (support sessions) or 人 (supporting persons). */
export const ratioUnit = (rule: RatioRule): '診' | '人' => (rule.measure === 'support_sessions_share' ? '診' : '人')

const sumBy = (os: readonly Occurrence[], period: QuotaPeriod, measure: (o: Occurrence) => number): Map<string, number> => {
  const m = new Map<string, number>()
  for (const o of os) {
    const k = periodOf(period, o.date)
    m.set(k, (m.get(k) ?? 0) + measure(o))
  }
  return m
}

/**
 * One finding per rule that applies and per period the proposed occurrences touch, with the numbers:
 * used (other reports), proposed (this filing), limit, over = used + proposed > limit.
 * Ratio rules whose staffing is unknown yield a finding with staffingUnknown = true and over = false.
 */
export const evaluateQuota = (table: QuotaRuleTable, input: QuotaInput): QuotaFinding[] => {
  const out: QuotaFinding[] = []
  for (const rule of table.rules) {
    if (!ruleApplies(rule, input)) continue
    const base = { ruleId: rule.id, ruleVersion: table.version, label: rule.label, basis: rule.basis, enforcement: rule.enforcement, unit: rule.unit }
    if (rule.kind === 'cap') {
      const measure = rule.unit === 'sessions' ? sessionsOf : hoursOf
      const proposed = sumBy(input.proposed, rule.period, measure)
      const used = sumBy(input.existing, rule.period, measure)
      for (const [period, p] of [...proposed].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const u = round(used.get(period) ?? 0)
        out.push({ ...base, period, used: u, proposed: round(p), limit: rule.limit, over: u + p > rule.limit })
      }
      continue
    }
    const periods = [...new Set(input.proposed.map((o) => periodOf(rule.period, o.date)))].sort()
    const st = input.staffing ?? {}
    const proposedSessions = sumBy(input.proposed, rule.period, sessionsOf)
    for (const period of periods) {
      // this filing adds its sessions, or one supporting person (the applicant)
      const p = rule.measure === 'support_sessions_share' ? proposedSessions.get(period) ?? 0 : 1
      const u = ratioCurrent(rule, st, period)
      const limit = ratioLimit(rule, st)
      if (limit === undefined) out.push({ ...base, period, used: u, proposed: p, limit: 0, over: false, staffingUnknown: true })
      else out.push({ ...base, period, used: u, proposed: p, limit, over: u + p > limit })
    }
  }
  return out
}

/** The findings that refuse a filing: enforcement 'block' and over. */
export const blockingFindings = (fs: readonly QuotaFinding[]): QuotaFinding[] => fs.filter((f) => f.enforcement === 'block' && f.over)

/** One quota finding with its numbers, as refusals and warnings show it, the period in ROC terms (no ISO weeks or
 * western months on screens): '<label>（113年第9週：已用 6，本案 4，上限 8）'. */
export const describeQuotaFinding = (f: QuotaFinding): string => `${f.label}（${rocPeriodLabel(f.period)}：已用 ${f.used}，本案 ${f.proposed}，上限 ${f.limit}）`

/** An institution's standing against one ratio rule in one period, with the numbers. */
export interface RatioStanding {
  ruleId: string
  ruleVersion: string
  label: string
  basis: QuotaBasis
  enforcement: QuotaEnforcement
  unit: '診' | '人'
  period: string
  /** Support sessions, or distinct supporting persons, received in the period. */
  current: number
  /** Undefined when the institution's staffing the rule needs is not on file. */
  limit?: number
  /** current − limit when over, else 0; undefined with the limit. */
  excess?: number
  over: boolean
}

/**
 * 額度限制查詢 by institution: for every ratio rule whose scope covers the institution (its kind and county), and for
 * each of the rule's periods asked for (week ids for weekly rules, month ids for monthly ones), what the institution
 * receives now against the limit its staffing sets, and the excess. `staffingFor` gives the staffing and support as
 * counted for a rule (the support of the professions the rule is about). The same limits as a filing is judged by.
 */
export const ratioStandings = (
  table: QuotaRuleTable,
  institution: Pick<QuotaInput, 'supportedKind' | 'county'>,
  staffingFor: (rule: RatioRule) => SupportedStaffing,
  periods: Readonly<Record<QuotaPeriod, readonly string[]>>,
): RatioStanding[] => {
  const out: RatioStanding[] = []
  for (const rule of table.rules) {
    if (rule.kind !== 'ratio' || !ruleAppliesToInstitution(rule, institution)) continue
    const st = staffingFor(rule)
    const limit = ratioLimit(rule, st)
    for (const period of periods[rule.period]) {
      const current = ratioCurrent(rule, st, period)
      const base = { ruleId: rule.id, ruleVersion: table.version, label: rule.label, basis: rule.basis, enforcement: rule.enforcement, unit: ratioUnit(rule), period, current }
      out.push(limit === undefined ? { ...base, over: false } : { ...base, limit, excess: round(Math.max(0, current - limit)), over: current > limit })
    }
  }
  return out
}
