// The cases a filer must hear about: rejected (未核准) or returned (退回補正) ones, with the reviewer's reason and
// the fields to fix as the domain derives them (caseFacts.decision). Shown as notices on the home pages.
import type { ReviewerDecision } from '../domain/report/case-facts.js'
import type { ReportCase } from '../domain/report/state.js'
import { caseView } from '../projections/case-view.js'
import { caseStates } from '../projections/queries/case-states.js'
import { searchCases } from '../projections/queries/cases.js'
import { scopeOf } from './scope.js'
import type { SessionUser } from './session-store.js'
import type { App } from './schemas.js'

/** The decision a listed case stands under, or undefined (not rejected or returned). */
export const decisionOf = (state: ReportCase | undefined): ReviewerDecision | undefined => (state?.exists ? caseView(state).facts.decision : undefined)

export interface AttentionCase { caseId: string; caseNumber: string | null; supportedName: string; applicantName: string; decision: ReviewerDecision }

/** A rejection stays on the home page this long after it was decided; a return until it is resubmitted. */
const REJECTION_NOTICE_DAYS = 30
const MAX_NOTICES = 10

export async function attentionCases(app: App, user: SessionUser, sourceInstitution?: string): Promise<AttentionCase[]> {
  const rm = app.services.readModels
  if (!rm) return []
  const since = app.services.clock().getTime() - REJECTION_NOTICE_DAYS * 86400_000
  // the newest returns (any age: they wait for 修正後重送) and the rejections of the last days, each cut at the
  // notices shown, no count over every matching row (an institution may have thousands): the home pages stay fast
  const base = { ...(sourceInstitution ? { sourceInstitution } : {}) }
  const short = { page: 1, pageSize: MAX_NOTICES, sort: 'updatedAt' as const, withTotal: false }
  const [returned, rejected] = await Promise.all([
    searchCases(rm, scopeOf(user), { ...base, status: 'returned' }, short),
    searchCases(rm, scopeOf(user), { ...base, status: 'rejected', updatedSince: new Date(since).toISOString() }, short),
  ])
  const rows = [...returned.rows, ...rejected.rows].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
  const states = await caseStates(rm, rows.map((r) => r.caseId))
  const out: AttentionCase[] = []
  for (const r of rows) {
    const decision = decisionOf(states.get(r.caseId))
    if (!decision) continue
    if (decision.outcome === 'rejected' && decision.decidedAt && Date.parse(decision.decidedAt) < since) continue
    out.push({ caseId: r.caseId, caseNumber: r.caseNumber, supportedName: r.supportedName, applicantName: r.applicantName, decision })
    if (out.length >= MAX_NOTICES) break
  }
  return out
}
