// Shapes of the quota rule table (報備支援額度限制). The table itself is data: reference/quota-rules.ts.
import type { CountyCode, InstitutionKind, ProfessionCode } from '../types.js'

export type QuotaBasis = 'law' | 'proposal' | 'configured'
export type QuotaEnforcement = 'block' | 'warn'
export type QuotaPeriod = 'week' | 'month'

/** Who a rule applies to. Empty list = all. */
export interface QuotaScope {
  professions: ProfessionCode[]
  /** Kinds of the SUPPORTED institution. */
  supportedKinds: InstitutionKind[]
  /** Counties of the SUPPORTED institution. */
  counties: CountyCode[]
}

interface QuotaRuleCommon {
  id: string
  /** zh-TW: what the limit is and where it comes from. */
  label: string
  basis: QuotaBasis
  enforcement: QuotaEnforcement
  scope: QuotaScope
  period: QuotaPeriod
}

/** A cap on the applicant's own support (all of their reports) per week (Monday to Sunday, ISO-8601 week ids) or calendar month. */
export interface CapRule extends QuotaRuleCommon {
  kind: 'cap'
  unit: 'sessions' | 'hours'
  limit: number
}

/**
 * A cap relative to the supported institution's own staffing. `limit` is the factor:
 *  - support_sessions_share: support sessions at the institution in the period ≤ limit × its own weekly sessions
 *  - supporters_per_own_staff: distinct supporting persons in the period ≤ limit × its own staff (physicians or pharmacists)
 */
export interface RatioRule extends QuotaRuleCommon {
  kind: 'ratio'
  unit: 'ratio'
  measure: 'support_sessions_share' | 'supporters_per_own_staff'
  staff?: 'physicians' | 'pharmacists'
  limit: number
}

export type QuotaRule = CapRule | RatioRule

export interface QuotaRuleTable {
  version: string
  rules: QuotaRule[]
}

/** What is known about the supported institution (registry + quota ledger). Anything missing → "unknown" finding. */
export interface SupportedStaffing {
  ownPhysicians?: number
  ownPharmacists?: number
  /** The institution's own clinic sessions per week. */
  weeklySessions?: number
  /** Support sessions at the institution by OTHER reports, by period id ('2024-W09'). */
  supportSessionsByPeriod?: Record<string, number>
  /** Distinct persons supporting the institution by OTHER reports, by period id ('2024-03'), this applicant excluded. */
  supportersByPeriod?: Record<string, number>
}
