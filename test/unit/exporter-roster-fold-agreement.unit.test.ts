// The exporter folds a case from a subset of its events (exporter/roster-fold.ts, for batched reads); on what was
// approved when it must agree with the domain's fold, for random histories the decider itself recorded (imports
// from the legacy system included): the terms a registration or change approval approved, the approved terms a
// cancellation ends and from which date, the case number and the applicant.
import t from 'tap'
import fc from 'fast-check'
import { ROSTER_EVENT_TYPES } from '../../domain/events.js'
import type { ReportState } from '../../domain/report/index.js'
import { approvedTerms, evolveRosterCase, initialRosterCase, ROSTER_FOLD_TYPES, type RosterCaseState } from '../../exporter/roster-fold.js'
import { caseHistoryArb, decideHistory } from '../support/report-fixtures.js'

/** What the domain says the approval `type`, decided on `before`, approved. */
function domainApproval(before: ReportState, after: ReportState, type: string) {
  if (!before.exists || !after.exists) return { missing: 'no case' }
  if (before.caseNumber === undefined) return { missing: 'case number' }
  if (type === 'ReportApproved' || type === 'ChangeApproved') {
    return { action: type === 'ReportApproved' ? 'A' : 'C', terms: after.approvedTerms }
  }
  if (!before.approvedTerms || !before.pendingCancellation) return { missing: 'cancellation' }
  return { action: 'D', terms: before.approvedTerms, cancelFrom: before.pendingCancellation.effectiveDate }
}

t.test('roster fold = domain fold on what each approval approved (random histories)', async (t) => {
  let approvals = 0
  const actions = new Set<string>()
  fc.assert(fc.property(caseHistoryArb(40), (spec) => {
    const h = decideHistory(spec)
    let roster: RosterCaseState = initialRosterCase()
    h.events.forEach((e, i) => {
      if ((ROSTER_EVENT_TYPES as readonly string[]).includes(e.type)) {
        approvals++
        const expected = domainApproval(h.states[i]!, h.states[i + 1]!, e.type)
        const got = approvedTerms(roster, e.type)
        if ('missing' in expected) {
          if (!('missing' in got)) throw new Error(`${e.type} #${i}: the roster fold finds terms the domain does not`)
        } else {
          actions.add(expected.action)
          t.same(got, expected, `${e.type} #${i}`)
          const before = h.states[i]!
          if (before.exists) {
            t.equal(roster.caseNumber, before.caseNumber)
            t.same(roster.applicant, before.applicant)
          }
        }
      }
      // the exporter reads only these types of a case's stream
      if (ROSTER_FOLD_TYPES.includes(e.type)) roster = evolveRosterCase(roster, e)
    })
  }), { numRuns: 300, seed: 2024 })
  t.ok(approvals > 100, `${approvals} approvals compared`)
  t.same([...actions].sort(), ['A', 'C', 'D'], 'additions, changes and cancellations all met')
})
