// Which form field a refusal belongs to, so the message is shown next to it.
import type { DomainError, ErrorCode } from '../../domain/errors.js'

const FIELD_OF: Partial<Record<ErrorCode, string>> = {
  INVALID_NATIONAL_ID: 'applicantId',
  PROFESSIONAL_NOT_FOUND: 'applicantId',
  PROFESSIONAL_SUSPENDED: 'applicantId',
  NOT_OWN_STAFF: 'applicantId',
  FILING_NOT_IN_COUNTY: 'applicantId',
  ON_BEHALF_REQUIRED: 'onBehalfOf',
  INVALID_INSTITUTION_CODE: 'supportedCode',
  INSTITUTION_NOT_FOUND: 'supportedCode',
  SAME_INSTITUTION: 'supportedCode',
  UNKNOWN_DEPARTMENT: 'department',
  UNKNOWN_PURPOSE: 'purpose',
  INVALID_ROC_DATE: 'from',
  SCHEDULE_EMPTY: 'windows',
  SCHEDULE_END_BEFORE_START: 'to',
  SCHEDULE_WINDOWS_OVERLAP: 'windows',
  SCHEDULE_OUTSIDE_LICENSE: 'to',
  SCHEDULE_IN_PAST: 'from',
  SCHEDULE_PAST_CHANGED: 'from',
  SCHEDULE_TOO_LONG: 'to',
  SCHEDULE_CONFLICT: 'windows',
  QUOTA_EXCEEDED: 'windows',
  ATTACHMENT_TYPE: 'attachments',
  ATTACHMENT_TOO_LARGE: 'attachments',
  REASON_REQUIRED: 'reason',
  CANCEL_DATE_INVALID: 'effectiveDate',
}

export const fieldOfError = (e: DomainError): string | undefined => FIELD_OF[e.code]
