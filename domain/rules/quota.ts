// Quota rule evaluation (報備支援額度限制). Pure: the rule table and the usage come in as data.
import { isoWeekId, monthId, rocPeriodLabel } from '../roc-date.js'
import { hoursOf, sessionsOf } from '../schedule.js'
import type { CountyCode, InstitutionKind, Occurrence, ProfessionCode, QuotaFinding } from '../types.js'
import type { QuotaPeriod, QuotaRule, QuotaRuleTable, SupportedStaffing } from './quota-types.js'

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

export const ruleApplies = (rule: QuotaRule, input: Pick<QuotaInput, 'profession' | 'supportedKind' | 'county'>): boolean => {
  const s = rule.scope
  if (s.professions.length > 0 && !s.professions.includes(input.profession)) return false
  if (s.supportedKinds.length > 0 && (input.supportedKind === undefined || !s.supportedKinds.includes(input.supportedKind))) return false
  if (s.counties.length > 0 && !s.counties.includes(input.county)) return false
  return true
}

const round = (n: number) => Math.round(n * 100) / 100

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
    if (rule.measure === 'support_sessions_share') {
      const proposed = sumBy(input.proposed, rule.period, sessionsOf)
      for (const period of periods) {
        const p = proposed.get(period) ?? 0
        const u = st.supportSessionsByPeriod?.[period] ?? 0
        if (st.weeklySessions === undefined) {
          out.push({ ...base, period, used: u, proposed: p, limit: 0, over: false, staffingUnknown: true })
          continue
        }
        const weeks = rule.period === 'week' ? 1 : 4
        const limit = round(rule.limit * st.weeklySessions * weeks)
        out.push({ ...base, period, used: u, proposed: p, limit, over: u + p > limit })
      }
      continue
    }
    const own = rule.staff === 'pharmacists' ? st.ownPharmacists : st.ownPhysicians
    for (const period of periods) {
      const u = st.supportersByPeriod?.[period] ?? 0
      if (own === undefined) {
        out.push({ ...base, period, used: u, proposed: 1, limit: 0, over: false, staffingUnknown: true })
        continue
      }
      const limit = round(rule.limit * own)
      out.push({ ...base, period, used: u, proposed: 1, limit, over: u + 1 > limit })
    }
  }
  return out
}

/** The findings that refuse a filing: enforcement 'block' and over. */
export const blockingFindings = (fs: readonly QuotaFinding[]): QuotaFinding[] => fs.filter((f) => f.enforcement === 'block' && f.over)

/** One quota finding with its numbers, as refusals and warnings show it, the period in ROC terms (no ISO weeks or
 * western months on screens): '<label>（113年第9週：已用 6，本案 4，上限 8）'. */
export const describeQuotaFinding = (f: QuotaFinding): string => `${f.label}（${rocPeriodLabel(f.period)}：已用 ${f.used}，本案 ${f.proposed}，上限 ${f.limit}）`
