// Who may do what on a case. Pure.
import { fail, passes } from '../errors.js'
import type { Actor, ApplicantSnapshot, Routing } from '../types.js'

/** Filing side: a professional for themself, an institution for its own staff. */
export const authorizeFiler = (actor: Actor, applicant: ApplicantSnapshot): void => {
  if (actor.role === 'professional') {
    if (applicant.nationalId !== actor.id) fail('NOT_OWN_CASE', { role: actor.role })
    return
  }
  if (actor.role === 'institution') {
    const code = actor.institutionCode ?? actor.id
    if (applicant.home.code !== code) fail('NOT_OWN_STAFF', { role: actor.role, institutionCode: code })
    return
  }
  fail('FORBIDDEN', { role: actor.role })
}

/**
 * Staff filing on behalf (後台 單筆/整批申請): a reviewer files for a professional, or the professional's home
 * institution, of their own county (where the home institution is). Only drafting and submitting that filing.
 */
export const authorizeStaffFiling = (actor: Actor, applicant: ApplicantSnapshot): void => {
  if (actor.role !== 'reviewer') return fail('FORBIDDEN', { role: actor.role })
  if (actor.county === undefined || actor.county !== applicant.home.county) {
    fail('FILING_NOT_IN_COUNTY', { homeCounty: applicant.home.county, actorCounty: actor.county }, [applicant.home.name])
  }
}

/** Review side: a reviewer of the county the application is routed to (copied counties only read). */
export const authorizeReviewer = (actor: Actor, routing: Routing): void => {
  if (actor.role !== 'reviewer') return fail('FORBIDDEN', { role: actor.role })
  if (actor.county === undefined || actor.county !== routing.reviewCounty) {
    fail('NOT_IN_COUNTY', { reviewCounty: routing.reviewCounty, actorCounty: actor.county })
  }
}

/** Migration of legacy cases: operators and the system only. */
export const authorizeImport = (actor: Actor): void => {
  if (actor.role !== 'operator' && actor.role !== 'system') fail('FORBIDDEN', { role: actor.role })
}

/** True when authorizeFiler passes (a professional for themself, an institution for its own staff). */
export const mayFileFor = (actor: Actor, applicant: ApplicantSnapshot): boolean => passes(() => authorizeFiler(actor, applicant))
