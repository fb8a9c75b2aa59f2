// The actions the web offers on a case are exactly the commands the domain allows the viewer now (allowedCommands),
// for random histories recorded by the decider and every kind of viewer; each one offered is accepted by decide()
// with valid data or refused only for its data (never for who or when).
import t from 'tap'
import fc from 'fast-check'
import { isDomainError } from '../../domain/errors.js'
import { allowedCommands, decide, foldReport } from '../../domain/report/index.js'
import { ACTION_COMMAND, allowedActions } from '../../http/actions.js'
import { ALL_ACTORS, caseHistoryArb, decideHistory, validCommand } from '../support/report-fixtures.js'
import { ev, history, INST, NOW, OTHER_INST, PRO, REVIEWER_65 } from '../support/report-decider-fixtures.js'

const FRONT_COMMANDS: readonly string[] = Object.values(ACTION_COMMAND)
const GATE = new Set(['FORBIDDEN', 'NOT_OWN_CASE', 'NOT_OWN_STAFF', 'NOT_IN_COUNTY', 'ILLEGAL_TRANSITION', 'NOTHING_TO_DECIDE', 'REPORT_ALREADY_EXISTS', 'REPORT_NOT_FOUND'])

t.test('web actions = allowedCommands (random histories, every viewer)', async (t) => {
  let offered = 0
  fc.assert(fc.property(caseHistoryArb(), fc.nat(2), (spec, variant) => {
    for (const state of decideHistory(spec).states) {
      if (!state.exists) continue
      for (const actor of ALL_ACTORS) {
        const actions = allowedActions(state, actor)
        const commands = actions.flatMap((a) => (a in ACTION_COMMAND ? [ACTION_COMMAND[a as keyof typeof ACTION_COMMAND]] : []))
        const allowed = allowedCommands(state, actor).filter((c) => FRONT_COMMANDS.includes(c))
        if (JSON.stringify([...commands].sort()) !== JSON.stringify([...allowed].sort())) {
          throw new Error(`${actor.role}/${actor.id} on ${state.status}/${state.applicationType}: offered ${commands} but allowed ${allowed}`)
        }
        for (const type of commands) {
          offered++
          try {
            decide(validCommand(type, state, actor, variant), state, { actor, now: NOW })
          } catch (e) {
            if (!isDomainError(e) || GATE.has(e.code)) throw new Error(`offered ${type} to ${actor.role}/${actor.id} but decide refused: ${String(e)}`)
          }
        }
      }
    }
  }), { numRuns: 150, seed: 1401 })
  t.ok(offered > 500, `${offered} offered actions decided`)
})

t.test('examples: the issue\'s cases', async (t) => {
  const rejectedChange = foldReport([...history.changePending(), ev.changeRejected()])
  t.same(allowedActions(rejectedChange, PRO), ['change', 'cancel', 'print', 'copy'], 'after a rejected change: 變更 and 註銷 (as the API accepts)')
  t.same(allowedActions(rejectedChange, INST), ['change', 'cancel', 'print', 'copy'])
  t.same(allowedActions(rejectedChange, OTHER_INST), ['print'], 'another institution reads only')
  t.same(allowedActions(foldReport(history.approved()), REVIEWER_65), ['print'])
  t.same(allowedActions(foldReport(history.draft()), PRO), ['edit', 'submit', 'withdraw', 'print', 'copy'])
  t.same(allowedActions(foldReport([...history.underReview(), ev.returned()]), PRO), ['resubmit', 'withdraw', 'print', 'copy'])
  t.same(allowedActions(foldReport(history.cancelPending()), PRO), ['withdraw', 'print', 'copy'])
})

t.test('offersAction(one action) answers as allowedActions (random histories, every viewer, every action)', async (t) => {
  const { offersAction } = await import('../../http/actions.js')
  const all = ['edit', 'submit', 'resubmit', 'change', 'cancel', 'withdraw', 'print', 'copy'] as const
  let asked = 0
  fc.assert(fc.property(caseHistoryArb(), (spec) => {
    for (const state of decideHistory(spec).states) {
      for (const actor of ALL_ACTORS) {
        const listed = allowedActions(state, actor)
        for (const a of all) {
          asked++
          if (offersAction(state, actor, a) !== listed.includes(a)) throw new Error(`${a} for ${actor.role}/${actor.id} on ${state.exists ? state.status : 'none'}`)
        }
      }
    }
  }), { numRuns: 60, seed: 1402 })
  t.ok(asked > 1000, `${asked} answers compared`)
})
