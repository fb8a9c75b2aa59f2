// allowedCommands(state, actor) agrees with decide() exactly, over random histories the decider itself recorded:
// a command type is allowed iff decide() with valid data for it does not refuse it for who-or-when reasons; and the
// derived facts of a case agree with the domain's own rules.
import t from 'tap'
import fc from 'fast-check'
import { isDomainError, type ErrorCode } from '../../domain/errors.js'
import {
  allowedCommands, caseFacts, decide, existingReportOf, foldReport, GATE_FIELDS, REPORT_COMMAND_TYPES, type GateState, type ReportState,
} from '../../domain/report/index.js'
import { ALL_ACTORS, caseHistoryArb, decideHistory, validCommand } from '../support/report-fixtures.js'
import { CLINIC_63, ev, history, NOW, PRO, INST, REVIEWER_63, REVIEWER_65, STATISTICIAN, TERMS } from '../support/report-decider-fixtures.js'

/** The refusals that are about who asks and when (the gate), not about the command's data. */
const GATE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'FORBIDDEN', 'NOT_OWN_CASE', 'NOT_OWN_STAFF', 'NOT_IN_COUNTY', 'ILLEGAL_TRANSITION', 'NOTHING_TO_DECIDE',
  'REPORT_ALREADY_EXISTS', 'REPORT_NOT_FOUND', 'CANCELLATION_CANNOT_BE_RETURNED',
])

/** What decide() says to a valid command: 'ok', or the refusal's code. */
const outcome = (state: ReportState, type: (typeof REPORT_COMMAND_TYPES)[number], actorIndex: number, variant: number): 'ok' | ErrorCode => {
  const actor = ALL_ACTORS[actorIndex]!
  try {
    decide(validCommand(type, state, actor, variant), state, { actor, now: NOW })
    return 'ok'
  } catch (e) {
    if (!isDomainError(e)) throw e
    return e.code
  }
}

t.test('allowedCommands = the command types decide() does not refuse for who/when reasons (random histories)', async (t) => {
  let checked = 0
  const reached = new Set<string>()
  fc.assert(fc.property(caseHistoryArb(), fc.nat(2), (spec, variant) => {
    const h = decideHistory(spec)
    for (const state of h.states) {
      if (state.exists) reached.add(`${state.status}/${state.applicationType}`)
      ALL_ACTORS.forEach((actor, a) => {
        const allowed = new Set(allowedCommands(state, actor))
        for (const type of REPORT_COMMAND_TYPES) {
          const out = outcome(state, type, a, variant)
          checked++
          if (allowed.has(type)) {
            if (out !== 'ok' && GATE.has(out)) throw new Error(`${type} allowed for ${actor.role}/${actor.id} but decide refused ${out}`)
          } else if (out === 'ok' || !GATE.has(out)) {
            throw new Error(`${type} not allowed for ${actor.role}/${actor.id} but decide answered ${out}`)
          }
        }
      })
    }
  }), { numRuns: 150, seed: 14 })
  t.ok(checked > 10_000, `${checked} (state, actor, command) triples checked`)
  for (const s of ['draft/register', 'under_review/register', 'approved/register', 'returned/register', 'under_review/change', 'returned/change', 'rejected/change', 'under_review/cancel', 'cancelled/cancel', 'withdrawn/register', 'approved/change']) {
    t.ok(reached.has(s), `the histories reach ${s}`)
  }
})

/** A stored state (JSON) read back with GATE_FIELDS alone, as gateStates reads it: a key the state lacks stays absent. */
const gateView = (state: ReportState): GateState => {
  const stored = JSON.parse(JSON.stringify(state)) as Record<string, unknown>
  if (!state.exists) return stored as unknown as GateState
  return Object.fromEntries(Object.entries(stored).filter(([k]) => (GATE_FIELDS as readonly string[]).includes(k))) as unknown as GateState
}

t.test('the gate judges a case read with GATE_FIELDS alone exactly as the whole state (random histories)', async (t) => {
  let checked = 0
  let narrowed = 0
  fc.assert(fc.property(caseHistoryArb(), (spec) => {
    for (const state of decideHistory(spec).states) {
      const view = gateView(state)
      if (Object.keys(view).length < Object.keys(state).length) narrowed++
      for (const actor of ALL_ACTORS) {
        const whole = allowedCommands(state, actor)
        const gate = allowedCommands(view, actor)
        checked++
        if (whole.join() !== gate.join()) throw new Error(`${actor.role}/${actor.id} on ${state.exists ? state.status : 'none'}: ${whole.join()} vs ${gate.join()}`)
      }
    }
  }), { numRuns: 150, seed: 21 })
  t.ok(checked > 1_000, `${checked} (state, actor) pairs checked`)
  t.ok(narrowed > 100, `${narrowed} of the states lost fields when narrowed (the check compares different inputs)`)
})

t.test('the facts agree with the domain: what counts is existingReportOf, decisions go where decisionRouting says', async (t) => {
  fc.assert(fc.property(caseHistoryArb(), (spec) => {
    const h = decideHistory(spec)
    const s = foldReport(h.events)
    if (!s.exists) return
    const f = caseFacts(s)
    t.same(f.existing, existingReportOf(s))
    if (f.inForce !== (s.approvedTerms !== undefined && s.status !== 'cancelled' && s.status !== 'withdrawn')) throw new Error('inForce')
    // the reviewers who may decide are exactly those of the deciding county
    for (const r of [REVIEWER_63, REVIEWER_65]) {
      const may = allowedCommands(s, r).includes('ApproveReport')
      if (may !== (s.status === 'under_review' && f.decisionRouting.reviewCounty === r.county)) throw new Error(`approve by ${r.county}`)
    }
  }), { numRuns: 100, seed: 7 })
})

t.test('examples', async (t) => {
  const rejectedChange = foldReport([...history.changePending(), ev.changeRejected()])
  t.same(allowedCommands(rejectedChange, PRO), ['RequestChange', 'RequestCancellation'], 'after a rejected change: 變更 and 註銷 again')
  t.same(allowedCommands(rejectedChange, INST), ['RequestChange', 'RequestCancellation'], 'the home institution too')
  t.same(allowedCommands(foldReport(history.cancelPending()), REVIEWER_65), ['ApproveReport', 'RejectReport'], 'a cancellation is not returned')
  t.same(allowedCommands(foldReport(history.cancelPending()), PRO), ['WithdrawReport'])
  t.same(allowedCommands(foldReport(history.underReview()), STATISTICIAN), [], 'statisticians only read')
  const moved = foldReport([...history.approved(), ev.changeRequested({ ...TERMS, supported: CLINIC_63 })])
  t.same(allowedCommands(moved, REVIEWER_63), ['ApproveReport', 'RejectReport', 'ReturnReport'], 'a change to a 台北 clinic is decided by 台北')
  t.same(allowedCommands(moved, REVIEWER_65), [], 'not by the county of the terms in force')
  t.same(allowedCommands(foldReport([]), PRO), ['DraftReport'])
  t.same(allowedCommands(foldReport(history.draft()), PRO), ['EditDraft', 'SubmitReport', 'WithdrawReport', 'AddAttachment', 'RemoveAttachment'])
})
