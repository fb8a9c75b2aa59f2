// Who on the bureau side may read and decide what. A reviewer of county X reads the cases routed to X and the
// ones copied (副知) to X, and decides only those routed to X; the ministry's statisticians read everything,
// decide nothing. Anything else does not exist for them (404, never data).
import { DomainError } from '../../domain/errors.js'
import type { Actor } from '../../domain/types.js'
import { displayRouting, scopeOf as caseScope, type CaseView } from '../../projections/case-view.js'
import type { Scope } from '../../projections/queries/scope.js'

export type StaffScope = Extract<Scope, { kind: 'county' } | { kind: 'national' }>

export function staffScope(actor: Actor): StaffScope {
  if (actor.role === 'reviewer' && actor.county) return { kind: 'county', county: actor.county }
  if (actor.role === 'statistician') return { kind: 'national' }
  throw new DomainError('FORBIDDEN')
}

export const mayRead = (actor: Actor, view: CaseView): boolean => {
  const s = staffScope(actor)
  return s.kind === 'national' || caseScope(view).counties.includes(s.county)
}

/** The application under review is routed to the reviewer's county. */
export const mayDecide = (actor: Actor, view: CaseView): boolean =>
  actor.role === 'reviewer' && !!actor.county && view.status === 'under_review' && displayRouting(view).reviewCounty === actor.county

/** True when the reviewer only reads this case because it is copied to the county. */
export const isCopiedOnly = (actor: Actor, view: CaseView): boolean =>
  actor.role === 'reviewer' && !!actor.county && displayRouting(view).reviewCounty !== actor.county && mayRead(actor, view)

/** Refuses with REPORT_NOT_FOUND (not FORBIDDEN: the case must not even be confirmed to exist). */
export function assertReadable(actor: Actor, view: CaseView | undefined): CaseView {
  if (!view || !mayRead(actor, view)) throw new DomainError('REPORT_NOT_FOUND')
  return view
}
