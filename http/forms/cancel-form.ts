// The 註銷 form's cells (生效日, 理由), read the same way by the single form and by a batch 註銷 row: the date typed
// as ROC or Gregorian (parseDateInput), the reason required and cut to the command's limit. Whether the date may be
// the cancellation's is the domain's (CANCEL_DATE_INVALID).
import { INPUT_LIMITS } from '../../domain/report/command-schemas.js'
import { isoToRoc, parseDateInput } from '../../domain/roc-date.js'
import type { IsoDate } from '../../domain/types.js'
import type { FieldErrors } from './form-values.js'

export const CANCEL_DATE_MESSAGE = '請輸入註銷生效日（例：民國 yyyMMdd、yyy/MM/dd 或西元 yyyy/MM/dd）'

export function checkCancelForm(typed: { effectiveDate: string; reason: string }): { values: { effectiveDate: string; reason: string }; input?: { effectiveDate: IsoDate; reason: string }; errors: FieldErrors } {
  const iso = parseDateInput(typed.effectiveDate)
  const values = { effectiveDate: iso ? isoToRoc(iso) : typed.effectiveDate, reason: typed.reason.trim().slice(0, INPUT_LIMITS.reason) }
  const errors: FieldErrors = {}
  if (!iso) errors.effectiveDate = CANCEL_DATE_MESSAGE
  if (!values.reason) errors.reason = '請填寫註銷理由'
  return { values, errors, ...(iso && values.reason ? { input: { effectiveDate: iso, reason: values.reason } } : {}) }
}
