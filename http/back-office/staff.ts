// Who on the bureau side may read and decide what. A reviewer of county X reads the cases routed to X and the
// ones copied (副知) to X, and decides only those routed to X; the ministry's statisticians read everything,
// decide nothing. Anything else does not exist for them (404, never data). What may be decided is the domain's
// (allowedCommands), what a case's scope is too (caseFacts).
import { DomainError } from '../../domain/errors.js'
import { allowedCommands } from '../../domain/report/allowed.js'
import type { Actor } from '../../domain/types.js'
import type { CaseView } from '../../projections/case-view.js'
import type { Scope } from '../../projections/queries/scope.js'

export type StaffScope = Extract<Scope, { kind: 'county' } | { kind: 'national' }>

export type Decision = 'approve' | 'reject' | 'return'

export function staffScope(actor: Actor): StaffScope {
  if (actor.role === 'reviewer' && actor.county) return { kind: 'county', county: actor.county }
  if (actor.role === 'statistician') return { kind: 'national' }
  throw new DomainError('FORBIDDEN')
}

export const mayRead = (actor: Actor, view: CaseView): boolean => {
  const s = staffScope(actor)
  return s.kind === 'national' || view.facts.scope.counties.includes(s.county)
}

const DECISION_COMMAND = { approve: 'ApproveReport', reject: 'RejectReport', return: 'ReturnReport' } as const

/** The decisions this reviewer may make on the case now (none unless its application is routed to their county). */
export function decisionsAllowed(actor: Actor, view: CaseView): Decision[] {
  const allowed = allowedCommands(view.state, actor)
  return (Object.keys(DECISION_COMMAND) as Decision[]).filter((d) => allowed.includes(DECISION_COMMAND[d]))
}

/** The application under review is the reviewer's to decide. */
export const mayDecide = (actor: Actor, view: CaseView): boolean => decisionsAllowed(actor, view).length > 0

/** True when the reviewer only reads this case because it is copied to the county. */
export const isCopiedOnly = (actor: Actor, view: CaseView): boolean =>
  actor.role === 'reviewer' && !!actor.county && view.facts.decisionRouting.reviewCounty !== actor.county && mayRead(actor, view)

/** Refuses with REPORT_NOT_FOUND (not FORBIDDEN: the case must not even be confirmed to exist). */
export function assertReadable(actor: Actor, view: CaseView | undefined): CaseView {
  if (!view || !mayRead(actor, view)) throw new DomainError('REPORT_NOT_FOUND')
  return view
}
