// Core value types of the support-report domain. Pure: no I/O, no clock.
// Dates inside the domain and in events are ISO calendar dates (YYYY-MM-DD, Asia/Taipei);
// ROC dates (yyyMMdd) are only a presentation/file format (see roc-date.ts).

/** ISO calendar date, Asia/Taipei: 'YYYY-MM-DD'. */
export type IsoDate = string
/** Clock time of day, Asia/Taipei: 'HH:MM' (00:00..24:00; 24:00 only as an end). */
export type ClockTime = string
/** An instant, ISO 8601 with offset, e.g. '2024-03-01T00:00:00.000Z'. */
export type Instant = string

/** MOHW one-character profession code ('A' 西醫師 ...), or the configured code of 公共衛生師. */
export type ProfessionCode = string
/** County/city code (see counties.ts), e.g. '63' 臺北市. */
export type CountyCode = string

export type InstitutionKind =
  | 'medical_center' // 醫學中心
  | 'regional_hospital' // 區域醫院
  | 'district_hospital' // 地區醫院
  | 'clinic' // 診所
  | 'pharmacy' // 藥局
  | 'association' // 公會 (e.g. nurses' association as a home)
  | 'other'

export interface InstitutionRef {
  code: string // 醫事機構代碼, 10 chars
  name: string
  county: CountyCode
  district?: string
  kind?: InstitutionKind
}

/** Snapshot of the applicant's registration, taken from the registry when the case is drafted/changed. */
export interface ApplicantSnapshot {
  nationalId: string
  name: string
  profession: ProfessionCode
  licenseNumber: string
  licenseValidFrom: IsoDate
  licenseValidTo: IsoDate
  /** 執業, 停業, or inactive: 歇業 / no longer in the registry. */
  practiceStatus: 'active' | 'suspended' | 'inactive'
  home: InstitutionRef
}

/** 1 = Monday ... 7 = Sunday (ISO). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

export interface TimeWindow {
  start: ClockTime
  end: ClockTime
}

export interface DatedSession {
  date: IsoDate
  start: ClockTime
  end: ClockTime
}

export type Schedule =
  | { kind: 'weekly'; from: IsoDate; to: IsoDate; weekdays: Weekday[]; windows: TimeWindow[] }
  | { kind: 'sessions'; sessions: DatedSession[] }

/** One dated time window of a report: what calendars, quota and conflicts use. */
export interface Occurrence {
  date: IsoDate
  start: ClockTime
  end: ClockTime
}

/** The terms of a support: where, what, when. */
export interface Terms {
  supported: InstitutionRef
  department: string // 支援科別, NHI two-character code
  purpose: string // 支援目的 code (purposes.ts)
  schedule: Schedule
  note?: string
}

export interface Attachment {
  hash: string // sha256 hex of content, stored outside the log
  name: string
  type: string // MIME type, checked by content
  size: number
}

/** Which bureau reviews (decides), and which are copied read-only (副知). */
export interface Routing {
  reviewCounty: CountyCode
  copiedCounties: CountyCode[]
}

export type Role = 'professional' | 'institution' | 'reviewer' | 'statistician' | 'bureau_admin' | 'admin' | 'operator' | 'system'

export type AuthMethod =
  | 'hca-professional-card'
  | 'hca-institution-card'
  | 'staff-card'
  | 'nhi-card-password'
  | 'nhi-cardless-otp'
  | 'cli'
  | 'system'

/** Who did it. professional: id = national ID; institution: id = institution code; reviewer/statistician: id = staff id. */
export interface Actor {
  role: Role
  id: string
  name?: string
  via: AuthMethod
  institutionCode?: string // for role institution (= id) and for professionals (their home)
  county?: CountyCode // for reviewers
}

export type Status = 'draft' | 'under_review' | 'approved' | 'rejected' | 'returned' | 'withdrawn' | 'cancelled'
export type ApplicationType = 'register' | 'change' | 'cancel'

export const STATUS_LABEL: Record<Status, string> = {
  draft: '未送審',
  under_review: '審核中',
  approved: '已核准',
  rejected: '未核准',
  returned: '退回',
  withdrawn: '已撤回',
  cancelled: '已註銷',
}

export const APPLICATION_TYPE_LABEL: Record<ApplicationType, string> = {
  register: '登錄',
  change: '變更',
  cancel: '註銷',
}

/** Findings recorded at filing time so reviewers can see what the system saw then. */
export interface FilingFindings {
  conflicts: ConflictFinding[]
  quota: QuotaFinding[]
  /** The rule versions (系統設定) in force when the filing was judged: quota table and review routing. */
  rules?: { quota: string; routing?: string }
}

export interface ConflictFinding {
  caseId: string
  caseNumber?: string
  status: Status
  occurrence: Occurrence // the first clashing occurrence of the proposed report
  clashesWith: Occurrence
}

export interface QuotaFinding {
  ruleId: string
  ruleVersion: string
  label: string // zh-TW explanation of the limit
  basis: 'law' | 'proposal' | 'configured'
  enforcement: 'block' | 'warn'
  period: string // e.g. '2024-W09' or '2024-03'
  unit: 'sessions' | 'hours' | 'ratio'
  used: number // already used in that period by other reports
  proposed: number // added by this report in that period
  limit: number
  over: boolean
  /** Ratio rules: the supported institution's staffing is not known, so the limit could not be computed (never over). */
  staffingUnknown?: boolean
}
