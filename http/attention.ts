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
  const page = await searchCases(rm, scopeOf(user), { status: ['returned', 'rejected'], ...(sourceInstitution ? { sourceInstitution } : {}) }, { page: 1, pageSize: 50, sort: 'updatedAt' })
  const states = await caseStates(rm, page.rows.map((r) => r.caseId))
  const since = app.services.clock().getTime() - REJECTION_NOTICE_DAYS * 86400_000
  const out: AttentionCase[] = []
  for (const r of page.rows) {
    const decision = decisionOf(states.get(r.caseId))
    if (!decision) continue
    if (decision.outcome === 'rejected' && decision.decidedAt && Date.parse(decision.decidedAt) < since) continue
    out.push({ caseId: r.caseId, caseNumber: r.caseNumber, supportedName: r.supportedName, applicantName: r.applicantName, decision })
    if (out.length >= MAX_NOTICES) break
  }
  return out
}
