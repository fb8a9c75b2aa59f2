// Which front-office actions a case's status allows (the decider has the last word; this only decides what to show).
import type { ApplicationType, Status } from '../domain/types.js'

export type FrontAction = 'edit' | 'submit' | 'resubmit' | 'change' | 'cancel' | 'withdraw' | 'print' | 'copy'

export const ACTION_LABEL: Record<FrontAction, string> = {
  edit: '編輯', submit: '登錄', resubmit: '修正後重送', change: '變更', cancel: '註銷', withdraw: '撤回', print: '列印', copy: '複製',
}

export function allowedActions(c: { status: Status; applicationType: ApplicationType; inForce?: boolean }): FrontAction[] {
  switch (c.status) {
    case 'draft':
      return ['edit', 'submit', 'withdraw', 'print', 'copy']
    case 'under_review':
      return ['withdraw', 'print', 'copy']
    case 'returned':
      return ['resubmit', 'withdraw', 'print', 'copy']
    case 'approved':
      return ['change', 'cancel', 'print', 'copy']
    default:
      return ['print', 'copy']
  }
}
