// Which bureau reviews a report, per profession (data). Pure.
import type { ApplicantSnapshot, InstitutionRef, ProfessionCode, Routing } from '../types.js'

/** 'supported': the bureau of the supported institution's county; 'home': the bureau of the home institution's county. */
export type ReviewBy = 'supported' | 'home'

export interface RoutingRules {
  /** Id of the published version (rules as data: domain/rules/rule-sets.ts). */
  version?: string
  default: ReviewBy
  byProfession: Record<ProfessionCode, ReviewBy>
}

/**
 * Most professions: the supported institution's bureau (醫師法 §8-2 and the other acts).
 * Pharmacists (D) and 藥劑生 (E): the home institution's bureau, the supported one copied (副知) when different
 * (藥師於執業處所外執行業務管理辦法 §2).
 */
export const DEFAULT_ROUTING_RULES: RoutingRules = {
  default: 'supported',
  byProfession: { D: 'home', E: 'home' },
}

export const routeReport = (
  applicant: Pick<ApplicantSnapshot, 'profession' | 'home'>,
  supported: Pick<InstitutionRef, 'county'>,
  rules: RoutingRules = DEFAULT_ROUTING_RULES,
): Routing => {
  const by = rules.byProfession[applicant.profession] ?? rules.default
  if (by === 'home') {
    const reviewCounty = applicant.home.county
    return { reviewCounty, copiedCounties: supported.county !== reviewCounty ? [supported.county] : [] }
  }
  return { reviewCounty: supported.county, copiedCounties: [] }
}

/** True when a county may read a case (decides it, or is copied). */
export const countyMayRead = (routing: Routing, county: string): boolean =>
  routing.reviewCounty === county || routing.copiedCounties.includes(county)
