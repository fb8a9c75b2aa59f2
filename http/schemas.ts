// TypeBox schemas of the HTTP layer, in one place, and the TypeBox type provider for fastify.
import { Type, type Static, type TSchema } from '@sinclair/typebox'
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
const IsoDateS = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
const ClockS = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' })
export const ApiSchedule = Type.Union([
  Type.Object({
    kind: Type.Literal('weekly'), from: IsoDateS, to: IsoDateS,
    weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }),
    windows: Type.Array(Type.Object({ start: ClockS, end: ClockS }, { additionalProperties: false }), { minItems: 1, maxItems: 6 }),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('sessions'),
    sessions: Type.Array(Type.Object({ date: IsoDateS, start: ClockS, end: ClockS }, { additionalProperties: false }), { minItems: 1, maxItems: 400 }),
  }, { additionalProperties: false }),
])
export const ApiFileReportBody = Type.Object({
  commandId: Type.String({ format: 'uuid' }),
  applicantId: Type.Optional(Type.String({ pattern: '^[A-Za-z][0-9A-Da-d]\\d{8}$' })),
  supportedCode: Type.String({ pattern: '^[0-9A-Za-z]{10}$' }),
  department: Type.String({ minLength: 2, maxLength: 2 }),
  purpose: Type.String({ minLength: 1, maxLength: 4 }),
  schedule: ApiSchedule,
  note: Type.Optional(Type.String({ maxLength: 500 })),
  submit: Type.Optional(Type.Boolean({ default: true })),
}, { additionalProperties: false })
export type ApiFileReportBody = Static<typeof ApiFileReportBody>
export const ApiCaseCreated = Type.Object({ caseId: Type.String() })
export const ApiMe = Type.Object({ role: Type.String(), id: Type.String(), name: Type.String(), institutionCode: Type.Optional(Type.String()) })
