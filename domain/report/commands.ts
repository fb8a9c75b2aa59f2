// Commands of the support-report decider, and what it needs to know besides the state.
import type { ReportImported } from '../events.js'
import type { ReferenceLists } from '../reference/lists.js'
import type { ExistingReport } from '../rules/conflict.js'
import type { QuotaRuleTable, SupportedStaffing } from '../rules/quota-types.js'
import type { RoutingRules } from '../rules/routing.js'
import type { Actor, ApplicantSnapshot, Attachment, Instant, IsoDate, Terms } from '../types.js'

export interface DraftReport {
  type: 'DraftReport'
  data: { caseId: string; applicant: ApplicantSnapshot; terms: Terms; attachments?: Attachment[]; copiedFrom?: string; onBehalfOf?: 'professional' | 'institution' }
}
export interface EditDraft {
  type: 'EditDraft'
  data: { terms: Terms }
}
/** caseNumber: allocated by the handler only when the state has none; the state's number wins when set. */
export interface SubmitReport {
  type: 'SubmitReport'
  data: { caseNumber?: string }
}
export interface ApproveReport {
  type: 'ApproveReport'
  data: { approvalNumber: string; note?: string }
}
export interface RejectReport {
  type: 'RejectReport'
  data: { reason: string }
}
export interface ReturnReport {
  type: 'ReturnReport'
  data: { reason: string; fieldsToFix: string[] }
}
export interface ResubmitReport {
  type: 'ResubmitReport'
  data: { terms: Terms }
}
export interface RequestChange {
  type: 'RequestChange'
  data: { terms: Terms; reason: string }
}
export interface RequestCancellation {
  type: 'RequestCancellation'
  data: { effectiveDate: IsoDate; reason: string }
}
export interface WithdrawReport {
  type: 'WithdrawReport'
  data: { reason?: string }
}
export interface AddAttachment {
  type: 'AddAttachment'
  data: { attachment: Attachment }
}
export interface RemoveAttachment {
  type: 'RemoveAttachment'
  data: { hash: string }
}
export interface ImportReport {
  type: 'ImportReport'
  data: ReportImported['data']
}

export type ReportCommand =
  | DraftReport
  | EditDraft
  | SubmitReport
  | ApproveReport
  | RejectReport
  | ReturnReport
  | ResubmitReport
  | RequestChange
  | RequestCancellation
  | WithdrawReport
  | AddAttachment
  | RemoveAttachment
  | ImportReport

export type ReportCommandType = ReportCommand['type']

export const REPORT_COMMAND_TYPES: readonly ReportCommandType[] = [
  'DraftReport', 'EditDraft', 'SubmitReport', 'ApproveReport', 'RejectReport', 'ReturnReport', 'ResubmitReport',
  'RequestChange', 'RequestCancellation', 'WithdrawReport', 'AddAttachment', 'RemoveAttachment', 'ImportReport',
]

export interface DecideContext {
  actor: Actor
  /** Business time of the command. */
  now: Instant
  /** The applicant's OTHER reports (this case excluded or ignored by id), for conflicts and quota. */
  existing?: ExistingReport[]
  /** Default: DEFAULT_QUOTA_RULES. */
  quotaRules?: QuotaRuleTable
  /** The supported institution's staffing and support already there, for ratio quota rules. */
  staffing?: SupportedStaffing
  /** The applicant's current registration, when the handler looked it up; rules then use it instead of the snapshot. */
  applicant?: ApplicantSnapshot
  /** Default: DEFAULT_ROUTING_RULES. */
  routingRules?: RoutingRules
  /** Reference lists in force at `now` (支援科別, 支援目的, counties, professions). Default: their first version. */
  reference?: ReferenceLists
}
