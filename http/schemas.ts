// TypeBox schemas of the HTTP layer, in one place, and the TypeBox type provider for fastify.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox'
import { COMMAND_INPUT_SCHEMAS, INPUT_LIMITS, TermsInputSchema } from '../domain/report/command-schemas.js'
import type { FastifyTypeProvider } from 'fastify'

/** Lets fastify infer request/reply types from TypeBox schemas (a tiny local equivalent of the official provider). */
export interface TypeBoxTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown
}

// ---- shared pieces ----
export const ErrorReply = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  correlationId: Type.Optional(Type.String()),
})
export type ErrorReply = Static<typeof ErrorReply>

export const CaseIdParams = Type.Object({ caseId: Type.String({ format: 'uuid' }) })
export type CaseIdParams = Static<typeof CaseIdParams>

/** A url-encoded form body as fastify/formbody hands it over: every value a string or a list of strings. */
export const FormBody = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]))
export type FormBody = Static<typeof FormBody>

export const MonthQuery = Type.Object({
  month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })),
})
export type MonthQuery = Static<typeof MonthQuery>

/** 報備支援額度限制: any ISO week and month (default: the current ones). */
export const QuotaPeriodQuery = Type.Object({
  week: Type.Optional(Type.String({ pattern: '^\\d{4}-W(0[1-9]|[1-4]\\d|5[0-3])$' })),
  month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })),
  /** An institution's staff: a name, or the start of a national ID; and the page of 50. */
  q: Type.Optional(Type.String({ maxLength: 60 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
}, { additionalProperties: false })
export type QuotaPeriodQuery = Static<typeof QuotaPeriodQuery>

export const InstitutionSearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 60 })),
  supportedQuery: Type.Optional(Type.String({ maxLength: 60 })),
})
export type InstitutionSearchQuery = Static<typeof InstitutionSearchQuery>

// ---- form fields (strings as typed by people; parsed and checked in http/forms/*) ----
/** ROC date as typed: yyyMMdd (3-digit year) or yyMMdd for years < 100. */
export const RocDateField = Type.String({ pattern: '^\\d{6,7}$' })
/** Time as typed: HHmm. */
export const HhmmField = Type.String({ pattern: '^([01]\\d|2[0-3])[0-5]\\d$|^2400$' })
export const InstitutionCodeField = Type.String({ pattern: '^[0-9A-Za-z]{10}$' })
export const CommandIdField = Type.String({ format: 'uuid' })

import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
/** The application instance type every route module receives. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

// ---- JSON API ----
// Command bodies are the domain's command input schemas (domain/report/command-schemas.ts) plus the command id:
// one set of limits for the API, the forms and the fuzz test.
const Uuid = Type.String({ format: 'uuid' })
const withCommandId = <T extends TObject>(input: T) => Type.Composite([Type.Object({ commandId: Uuid }), input], { additionalProperties: false })
export const ApiFileReportBody = Type.Composite([
  Type.Object({ commandId: Uuid, applicantId: Type.Optional(Type.String({ pattern: '^[A-Za-z][0-9A-Da-d]\\d{8}$' })), submit: Type.Optional(Type.Boolean({ default: true })) }),
  TermsInputSchema,
], { additionalProperties: false })
export type ApiFileReportBody = Static<typeof ApiFileReportBody>
export const ApiCaseCreated = Type.Object({ caseId: Type.String() })
export const ApiMe = Type.Object({ role: Type.String(), id: Type.String(), name: Type.String(), institutionCode: Type.Optional(Type.String()) })

// ---- JSON API: cases, commands, preview, institution, quota (http/routes/api.ts) ----
const StatusS = Type.Union(['draft', 'under_review', 'approved', 'rejected', 'returned', 'withdrawn', 'cancelled'].map((s) => Type.Literal(s)))
/** Terms as an API client gives them: the supported institution by code, dates ISO (yyyy-MM-dd), times HH:mm. */
export const ApiTerms = TermsInputSchema
export type ApiTerms = Static<typeof ApiTerms>
/** An attachment already uploaded with POST /api/attachments, named by its hash. */
export const ApiAttachmentRef = Type.Object({ hash: Type.String({ pattern: '^[0-9a-f]{64}$' }), name: Type.String({ minLength: 1, maxLength: INPUT_LIMITS.attachmentName }) }, { additionalProperties: false })
const ApiAttachmentRefs = (minItems = 0) => Type.Array(ApiAttachmentRef, { minItems, maxItems: INPUT_LIMITS.attachments })
export type ApiAttachmentRef = Static<typeof ApiAttachmentRef>
export const ApiAttachment = Type.Object({ hash: Type.String(), name: Type.String(), type: Type.String(), size: Type.Integer() })

export const ApiCaseListQuery = Type.Object({
  status: Type.Optional(StatusS),
  /** Institutions: cases of our staff (home) or cases supporting us (supported); default both. */
  side: Type.Optional(Type.Union([Type.Literal('home'), Type.Literal('supported')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
}, { additionalProperties: false })
export type ApiCaseListQuery = Static<typeof ApiCaseListQuery>

const NullableString = Type.Union([Type.String(), Type.Null()])
export const ApiCaseSummary = Type.Object({
  caseId: Type.String(), caseNumber: NullableString, status: Type.String(), applicationType: Type.String(),
  applicant: Type.Object({ nationalIdMasked: Type.String(), name: Type.String(), profession: Type.String() }),
  homeCode: Type.String(), homeName: Type.String(), supportedCode: Type.String(), supportedName: Type.String(),
  department: Type.String(), purpose: Type.String(), scheduleFrom: NullableString, scheduleTo: NullableString,
  submittedAt: NullableString, approvedAt: NullableString, approvalNumber: NullableString, updatedAt: Type.String(),
  actions: Type.Array(Type.String()),
})
export const ApiCaseList = Type.Object({ rows: Type.Array(ApiCaseSummary), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() })
const ApiTermsOut = Type.Object({
  supported: Type.Object({ code: Type.String(), name: Type.String(), county: Type.String() }),
  department: Type.String(), purpose: Type.String(), schedule: Type.Unknown(), note: Type.Optional(Type.String()),
})
export const ApiCaseDetail = Type.Object({
  case: ApiCaseSummary,
  terms: ApiTermsOut,
  approvedTerms: Type.Union([ApiTermsOut, Type.Null()]),
  pending: Type.Union([Type.Object({ applicationType: Type.String(), terms: Type.Union([ApiTermsOut, Type.Null()]), reason: Type.Optional(Type.String()) }), Type.Null()]),
  attachments: Type.Array(ApiAttachment),
  version: Type.Integer(),
})

/** The reply of every command: what the case is now, and whether this commandId had already been handled. */
export const ApiCommandResult = Type.Object({
  caseId: Type.String(), status: Type.String(), caseNumber: Type.Optional(Type.String()),
  events: Type.Array(Type.String()), duplicate: Type.Boolean(),
})
export const ApiCommandBody = Type.Object({ commandId: Uuid }, { additionalProperties: false })
export const ApiWithdrawBody = withCommandId(COMMAND_INPUT_SCHEMAS.WithdrawReport)
export const ApiDraftBody = Type.Object({
  commandId: Uuid,
  applicantId: Type.Optional(Type.String({ pattern: '^[A-Za-z][0-9A-Da-d]\\d{8}$' })),
  terms: ApiTerms,
  attachments: Type.Optional(ApiAttachmentRefs()),
  submit: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type ApiDraftBody = Static<typeof ApiDraftBody>
/** Edit a draft, optionally attach and submit — one command, all or nothing. */
export const ApiEditBody = Type.Object({
  commandId: Uuid, terms: ApiTerms,
  attachments: Type.Optional(ApiAttachmentRefs()),
  submit: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type ApiEditBody = Static<typeof ApiEditBody>
export const ApiResubmitBody = Type.Object({ commandId: Uuid, terms: ApiTerms, attachments: Type.Optional(ApiAttachmentRefs()) }, { additionalProperties: false })
export type ApiResubmitBody = Static<typeof ApiResubmitBody>
export const ApiChangeBody = withCommandId(COMMAND_INPUT_SCHEMAS.RequestChange)
export type ApiChangeBody = Static<typeof ApiChangeBody>
export const ApiCancelBody = withCommandId(COMMAND_INPUT_SCHEMAS.RequestCancellation)
export type ApiCancelBody = Static<typeof ApiCancelBody>
export const ApiAttachBody = Type.Object({ commandId: Uuid, attachments: ApiAttachmentRefs(1) }, { additionalProperties: false })
export type ApiAttachBody = Static<typeof ApiAttachBody>

export const ApiPreviewBody = Type.Object({
  applicantId: Type.Optional(Type.String({ pattern: '^[A-Za-z][0-9A-Da-d]\\d{8}$' })),
  caseId: Type.Optional(Uuid),
  terms: ApiTerms,
}, { additionalProperties: false })
export type ApiPreviewBody = Static<typeof ApiPreviewBody>
export const ApiPreview = Type.Object({
  ok: Type.Boolean(),
  conflicts: Type.Array(Type.Object({ caseId: Type.String(), caseNumber: Type.Optional(Type.String()), status: Type.String(), date: Type.String(), start: Type.String(), end: Type.String(), message: Type.String() })),
  quota: Type.Array(Type.Object({ ruleId: Type.String(), label: Type.String(), period: Type.String(), unit: Type.String(), used: Type.Number(), proposed: Type.Number(), limit: Type.Number(), over: Type.Boolean(), enforcement: Type.String(), basis: Type.String() })),
})

const StatusCountsS = Type.Record(Type.String(), Type.Integer())
export const ApiDashboard = Type.Object({
  institutionCode: Type.String(), validSupportPeople: Type.Integer(), validSupportRecords: Type.Integer(), asHome: StatusCountsS, asSupported: StatusCountsS,
  links: Type.Record(Type.String(), Type.String()),
})
export const ApiRosterQuery = Type.Object({ status: Type.Optional(StatusS), q: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false })
export type ApiRosterQuery = Static<typeof ApiRosterQuery>
export const ApiRosterParams = Type.Object({ list: Type.Union([Type.Literal('roster'), Type.Literal('inbound'), Type.Literal('outbound')]) })
export const ApiRoster = Type.Object({
  list: Type.String(),
  rows: Type.Array(Type.Object({
    caseId: Type.String(), caseNumber: NullableString, status: Type.String(), nationalIdMasked: Type.String(), applicantName: Type.String(), profession: Type.String(),
    homeCode: Type.String(), homeName: Type.String(), supportedCode: Type.String(), supportedName: Type.String(), department: Type.String(),
    scheduleFrom: NullableString, scheduleTo: NullableString, earliestStart: NullableString, latestEnd: NullableString, approvalNumber: NullableString,
    inForceFrom: NullableString, inForceTo: NullableString,
  })),
})
export const ApiQuota = Type.Object({
  week: Type.String(), month: Type.String(), rulesVersion: Type.String(),
  /** The staff matching (all of them without q), this page of them and its size. */
  total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer(),
  rows: Type.Array(Type.Object({
    nationalIdMasked: Type.String(), name: Type.String(), profession: Type.String(),
    week: Type.Object({ approvedSessions: Type.Number(), pendingSessions: Type.Number(), approvedHours: Type.Number(), pendingHours: Type.Number() }),
    month: Type.Object({ approvedSessions: Type.Number(), pendingSessions: Type.Number(), approvedHours: Type.Number(), pendingHours: Type.Number() }),
    caps: Type.Array(Type.Object({ ruleId: Type.String(), label: Type.String(), period: Type.String(), unit: Type.String(), used: Type.Number(), limit: Type.Number(), over: Type.Boolean(), basis: Type.String() })),
  })),
})
