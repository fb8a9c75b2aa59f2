// Which front-office actions a case offers its viewer: exactly the commands the domain allows them now
// (isAllowed, the gate decide() runs), plus reading (print) and copying into a new draft (anyone who may file for the applicant).
import { DomainError } from '../domain/errors.js'
import { checkAllowed, isAllowed, type GateState } from '../domain/report/allowed.js'
import { authorizeFiler, mayFileFor } from '../domain/report/authorize.js'
import type { ReportCommandType } from '../domain/report/commands.js'
import type { Actor } from '../domain/types.js'

export type FrontAction = 'edit' | 'submit' | 'resubmit' | 'change' | 'cancel' | 'withdraw' | 'print' | 'copy'

export const ACTION_LABEL: Record<FrontAction, string> = {
  edit: '編輯', submit: '登錄', resubmit: '修正後重送', change: '變更', cancel: '註銷', withdraw: '撤回', print: '列印', copy: '複製',
}

/** The command behind each action that changes the case, in the order the actions are shown. */
export const ACTION_COMMAND = {
  edit: 'EditDraft',
  submit: 'SubmitReport',
  resubmit: 'ResubmitReport',
  change: 'RequestChange',
  cancel: 'RequestCancellation',
  withdraw: 'WithdrawReport',
} as const satisfies Partial<Record<FrontAction, ReportCommandType>>

const FRONT_ACTIONS: readonly FrontAction[] = [...(Object.keys(ACTION_COMMAND) as (keyof typeof ACTION_COMMAND)[]), 'print', 'copy']

/** Does the case offer this one action to `actor` now? (A list page asks only what it shows: one check per row.) */
export function offersAction(state: GateState | undefined, actor: Actor, action: FrontAction): boolean {
  if (!state?.exists) return false
  if (action === 'print') return true
  if (action === 'copy') return mayFileFor(actor, state.applicant)
  return isAllowed(ACTION_COMMAND[action], state, actor)
}

/** Every action the case offers `actor` now, in the order they are shown. */
export function allowedActions(state: GateState | undefined, actor: Actor): FrontAction[] {
  return FRONT_ACTIONS.filter((a) => offersAction(state, actor, a))
}

/** Refuses an action not offered with the domain's own reason (NOT_OWN_STAFF, ILLEGAL_TRANSITION, ...). */
export function assertAction(state: GateState | undefined, actor: Actor, action: FrontAction): void {
  if (allowedActions(state, actor).includes(action)) return
  if (!state?.exists) throw new DomainError('REPORT_NOT_FOUND')
  if (action in ACTION_COMMAND) checkAllowed(ACTION_COMMAND[action as keyof typeof ACTION_COMMAND], state, actor)
  if (action === 'copy') authorizeFiler(actor, state.applicant)
  throw new DomainError('ILLEGAL_TRANSITION')
}
