// The event catalogue (DESIGN.md §3). Every fact is one of these.
import type {
  Actor,
  ApplicantSnapshot,
  ApplicationType,
  Attachment,
  FilingFindings,
  Instant,
  IsoDate,
  Routing,
  Status,
  Terms,
} from './types.js'

/** Metadata on every event. */
export interface EventMeta {
  commandId: string // idempotency key of the command that produced the event
  actor: Actor
  correlationId: string
  causationId: string
  occurredAt: Instant // business time, given with the command (domain has no clock)
}

export interface ReportDrafted {
  type: 'ReportDrafted'
  data: {
    caseId: string
    applicant: ApplicantSnapshot
    filedBy: { role: 'professional' | 'institution'; id: string }
    terms: Terms
    routing: Routing
    attachments: Attachment[]
    copiedFrom?: string // caseId of the past case this draft was copied from
    /**
     * Filed by a bureau reviewer on behalf of the applicant (後台 單筆/整批申請): the event's actor is the reviewer;
     * this is the party of record (the professional, or their home institution), also in filedBy.
     */
    onBehalfOf?: { role: 'professional' | 'institution'; id: string }
  }
}
export interface DraftEdited {
  type: 'DraftEdited'
  data: { terms: Terms; routing: Routing }
}
export interface ReportSubmitted {
  type: 'ReportSubmitted'
  data: { caseNumber: string; findings: FilingFindings }
}
export interface ReportApproved {
  type: 'ReportApproved'
  data: { reviewerId: string; approvalNumber: string; note?: string }
}
export interface ReportRejected {
  type: 'ReportRejected'
  data: { reviewerId: string; reason: string }
}
export interface ReportReturned {
  type: 'ReportReturned'
  data: { reviewerId: string; reason: string; fieldsToFix: string[] }
}
/** A returned application (登錄 or 變更) sent back to review, with the filer's edits. */
export interface ReportResubmitted {
  type: 'ReportResubmitted'
  data: { terms: Terms; routing: Routing; findings: FilingFindings }
}
export interface ChangeRequested {
  type: 'ChangeRequested'
  data: { terms: Terms; routing: Routing; reason: string; findings: FilingFindings }
}
export interface ChangeApproved {
  type: 'ChangeApproved'
  data: { reviewerId: string; approvalNumber: string; note?: string }
}
export interface ChangeRejected {
  type: 'ChangeRejected'
  data: { reviewerId: string; reason: string }
}
export interface ChangeReturned {
  type: 'ChangeReturned'
  data: { reviewerId: string; reason: string; fieldsToFix: string[] }
}
export interface CancellationRequested {
  type: 'CancellationRequested'
  data: { effectiveDate: IsoDate; reason: string }
}
export interface CancellationApproved {
  type: 'CancellationApproved'
  data: { reviewerId: string; approvalNumber: string; note?: string }
}
export interface CancellationRejected {
  type: 'CancellationRejected'
  data: { reviewerId: string; reason: string }
}
/** A draft, or an application not yet decided, pulled back by its filer. */
export interface ReportWithdrawn {
  type: 'ReportWithdrawn'
  data: { applicationType: ApplicationType; reason?: string }
}
export interface AttachmentAdded {
  type: 'AttachmentAdded'
  data: { attachment: Attachment }
}
export interface AttachmentRemoved {
  type: 'AttachmentRemoved'
  data: { hash: string }
}
/** A case migrated from the legacy system. Not re-sent to the NHI. */
export interface ReportImported {
  type: 'ReportImported'
  data: {
    caseId: string
    legacyNumber: string
    caseNumber: string
    status: Status
    applicationType: ApplicationType
    applicant: ApplicantSnapshot
    terms: Terms
    routing: Routing
    submittedAt?: Instant
    approvedAt?: Instant
    approvalNumber?: string
    /**
     * 註銷日期 of a case the old system cancelled (status 'cancelled'; for a cancellation pending at cut-over, the date
     * asked for). Shown with the case; an imported cancelled case counts for nothing here (no terms in force).
     */
    cancelledOn?: IsoDate
  }
}

export type ReportEvent =
  | ReportDrafted
  | DraftEdited
  | ReportSubmitted
  | ReportApproved
  | ReportRejected
  | ReportReturned
  | ReportResubmitted
  | ChangeRequested
  | ChangeApproved
  | ChangeRejected
  | ChangeReturned
  | CancellationRequested
  | CancellationApproved
  | CancellationRejected
  | ReportWithdrawn
  | AttachmentAdded
  | AttachmentRemoved
  | ReportImported

export type ReportEventType = ReportEvent['type']

export const REPORT_EVENT_TYPES: readonly ReportEventType[] = [
  'ReportDrafted', 'DraftEdited', 'ReportSubmitted', 'ReportApproved', 'ReportRejected', 'ReportReturned',
  'ReportResubmitted', 'ChangeRequested', 'ChangeApproved', 'ChangeRejected', 'ChangeReturned',
  'CancellationRequested', 'CancellationApproved', 'CancellationRejected', 'ReportWithdrawn',
  'AttachmentAdded', 'AttachmentRemoved', 'ReportImported',
]

/** Roster-relevant approvals (DESIGN.md §6). */
export const ROSTER_EVENT_TYPES = ['ReportApproved', 'ChangeApproved', 'CancellationApproved'] as const

// ---- serial numbers (case numbers, approval numbers): stream `serial-<scope>` ----
export interface SerialAllocated {
  type: 'SerialAllocated'
  data: { scope: string; serial: number }
}

// ---- NHI export: stream `export-<yyyyMMdd>` (Gregorian day D) ----
export interface RosterGenerated {
  type: 'RosterGenerated'
  data: {
    day: IsoDate
    sequence: number // nn
    fileName: string
    createdAt: string // ROC yyyMMddHHmmss Asia/Taipei, as written in the header
    counts: { add: number; change: number; cancel: number; total: number }
    sha256: string // of the detail records (as in the trailer)
    fileSha256: string // of the whole file
    bytes: number
  }
}
export interface RosterDelivered {
  type: 'RosterDelivered'
  data: { day: IsoDate; sequence: number; fileName: string; remotePath: string; hostKeyFingerprint: string; fileSha256: string }
}
export interface RosterDeliveryFailed {
  type: 'RosterDeliveryFailed'
  data: { day: IsoDate; sequence: number; reason: string; attempt: number }
}
export type ExportEvent = RosterGenerated | RosterDelivered | RosterDeliveryFailed

export type DomainEvent = ReportEvent | SerialAllocated | ExportEvent

const REPORT_STREAM = 'report-'
export const reportStream = (caseId: string) => `${REPORT_STREAM}${caseId}`
/** Is this a case's stream (reportStream), and whose. */
export const isReportStream = (stream: string) => stream.startsWith(REPORT_STREAM)
export const caseIdOfStream = (stream: string) => stream.slice(REPORT_STREAM.length)
export const exportStream = (isoDay: IsoDate) => `export-${isoDay.replaceAll('-', '')}`
export const serialStream = (scope: string) => `serial-${scope}`

// ---- read audit: stream `audit-<yyyyMMdd>` (Asia/Taipei day of the view), see commands/read-audit.ts ----
/** A reviewer or statistician looked at a case or at a person's data (who, what, when, through which route). */
export interface RecordViewed {
  type: 'RecordViewed'
  data: {
    viewer: string // staff id
    viewerName?: string
    role: import('./types.js').Role
    county?: import('./types.js').CountyCode // the viewer's bureau; absent for national scope
    subject: { kind: 'case' | 'person'; id: string } // caseId, or national/resident ID
    via: string // route, e.g. 'GET /back-office/cases/:caseId'
  }
}
