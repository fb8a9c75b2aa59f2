// TypeBox schemas of each command's user-facing input (what a form or the JSON API sends), and their validation with
// coded errors: the one source of input limits. The JSON API's bodies are built from these (http/schemas.ts) and the
// report form checks what it read with validateTermsInput, then the handler enriches (registry look-ups, numbers) and
// the decider decides (codes, license period, conflicts, quota). Pure.
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { DomainError } from '../errors.js'
import type { ReportCommandType } from './commands.js'
import { MAX_SESSIONS, MAX_WINDOWS } from '../schedule.js'

/** How much one command may carry: forms, the JSON API and the fuzzed command schemas use these same numbers. */
export const INPUT_LIMITS = {
  /** Daily time windows of a weekly schedule. */
  windows: MAX_WINDOWS,
  /** Dated sessions of an explicit schedule. */
  sessions: MAX_SESSIONS,
  /** 備註 */
  note: 500,
  /** Reasons of a change, cancellation, withdrawal, rejection or return. */
  reason: 500,
  /** Attachments named in one command. */
  attachments: 10,
  /** File name of an attachment. */
  attachmentName: 255,
} as const

const IsoDateSchema = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Taipei)' })
const ClockSchema = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$', description: 'HH:MM' })
const InstitutionCodeSchema = Type.String({ pattern: '^[0-9A-Z]{10}$' })
const PersonIdSchema = Type.String({ pattern: '^[A-Za-z][12ABCD89]\\d{8}$' })
const CountySchema = Type.String({ pattern: '^\\d{2}$' })
const Sha256Schema = Type.String({ pattern: '^[0-9a-f]{64}$' })
export const ReasonSchema = Type.String({ minLength: 1, maxLength: INPUT_LIMITS.reason })
const Reason = ReasonSchema
export const NoteSchema = Type.String({ maxLength: INPUT_LIMITS.note })
/** An institution code as typed (the handler upper-cases it). */
const InstitutionCodeInputSchema = Type.String({ pattern: '^[0-9A-Za-z]{10}$' })

export const TimeWindowSchema = Type.Object({ start: ClockSchema, end: ClockSchema }, { additionalProperties: false })
export const WeekdaySchema = Type.Integer({ minimum: 1, maximum: 7 })
export const ScheduleSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('weekly'),
    from: IsoDateSchema,
    to: IsoDateSchema,
    weekdays: Type.Array(WeekdaySchema, { minItems: 1, maxItems: 7, uniqueItems: true }),
    windows: Type.Array(TimeWindowSchema, { minItems: 1, maxItems: INPUT_LIMITS.windows }),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('sessions'),
    sessions: Type.Array(Type.Object({ date: IsoDateSchema, start: ClockSchema, end: ClockSchema }, { additionalProperties: false }), { minItems: 1, maxItems: INPUT_LIMITS.sessions }),
  }, { additionalProperties: false }),
])

export const InstitutionKindSchema = Type.Union(
  ['medical_center', 'regional_hospital', 'district_hospital', 'clinic', 'pharmacy', 'association', 'other'].map((k) => Type.Literal(k)),
)
export const InstitutionRefSchema = Type.Object({
  code: InstitutionCodeSchema,
  name: Type.String({ minLength: 1 }),
  county: CountySchema,
  district: Type.Optional(Type.String()),
  kind: Type.Optional(InstitutionKindSchema),
})

/**
 * Terms as the user gives them: the supported institution by code (the handler resolves it in the registry).
 * Department and purpose are only bounded here: whether the code exists is the decider's (UNKNOWN_DEPARTMENT,
 * UNKNOWN_PURPOSE).
 */
export const TermsInputSchema = Type.Object({
  supportedCode: InstitutionCodeInputSchema,
  department: Type.String({ minLength: 2, maxLength: 2 }),
  purpose: Type.String({ minLength: 1, maxLength: 4 }),
  schedule: ScheduleSchema,
  note: Type.Optional(NoteSchema),
}, { additionalProperties: false })

/** Full terms (as in events). */
export const TermsSchema = Type.Object({
  supported: InstitutionRefSchema,
  department: Type.String({ pattern: '^[0-9A-Z]{2}$' }),
  purpose: Type.String({ pattern: '^\\d{2}$' }),
  schedule: ScheduleSchema,
  note: Type.Optional(Type.String({ maxLength: 500 })),
})

export const ApplicantSnapshotSchema = Type.Object({
  nationalId: PersonIdSchema,
  name: Type.String({ minLength: 1 }),
  profession: Type.String({ minLength: 1, maxLength: 2 }),
  licenseNumber: Type.String(),
  licenseValidFrom: IsoDateSchema,
  licenseValidTo: IsoDateSchema,
  practiceStatus: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  home: InstitutionRefSchema,
})

export const AttachmentSchema = Type.Object({
  hash: Sha256Schema,
  name: Type.String({ minLength: 1, maxLength: INPUT_LIMITS.attachmentName }),
  type: Type.String({ minLength: 1 }),
  size: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false })

const StatusSchema = Type.Union(['draft', 'under_review', 'approved', 'rejected', 'returned', 'withdrawn', 'cancelled'].map((s) => Type.Literal(s)))
const ApplicationTypeSchema = Type.Union([Type.Literal('register'), Type.Literal('change'), Type.Literal('cancel')])

export const COMMAND_INPUT_SCHEMAS = {
  /** nationalId: required when an institution files for its staff; a professional files for themself. */
  DraftReport: Type.Object({
    nationalId: Type.Optional(PersonIdSchema),
    terms: TermsInputSchema,
    copiedFrom: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  }, { additionalProperties: false }),
  EditDraft: Type.Object({ terms: TermsInputSchema }, { additionalProperties: false }),
  SubmitReport: Type.Object({}, { additionalProperties: false }),
  /** approvalNumber: optional; the handler allocates one when missing. */
  ApproveReport: Type.Object({ approvalNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 14 })), note: Type.Optional(NoteSchema) }, { additionalProperties: false }),
  RejectReport: Type.Object({ reason: Reason }, { additionalProperties: false }),
  ReturnReport: Type.Object({ reason: Reason, fieldsToFix: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 }) }, { additionalProperties: false }),
  ResubmitReport: Type.Object({ terms: TermsInputSchema }, { additionalProperties: false }),
  RequestChange: Type.Object({ terms: TermsInputSchema, reason: Reason }, { additionalProperties: false }),
  RequestCancellation: Type.Object({ effectiveDate: IsoDateSchema, reason: Reason }, { additionalProperties: false }),
  WithdrawReport: Type.Object({ reason: Type.Optional(Type.String({ maxLength: INPUT_LIMITS.reason })) }, { additionalProperties: false }),
  /** Metadata of an uploaded file (the content is stored by hash outside the log). */
  AddAttachment: Type.Object({ attachment: AttachmentSchema }, { additionalProperties: false }),
  RemoveAttachment: Type.Object({ hash: Sha256Schema }, { additionalProperties: false }),
  ImportReport: Type.Object({
    caseId: Type.String({ minLength: 1 }),
    legacyNumber: Type.String({ minLength: 1 }),
    caseNumber: Type.String({ pattern: '^\\d{14}$' }),
    status: StatusSchema,
    applicationType: ApplicationTypeSchema,
    applicant: ApplicantSnapshotSchema,
    terms: TermsSchema,
    routing: Type.Object({ reviewCounty: CountySchema, copiedCounties: Type.Array(CountySchema) }),
    submittedAt: Type.Optional(Type.String()),
    approvedAt: Type.Optional(Type.String()),
    approvalNumber: Type.Optional(Type.String()),
    cancelledOn: Type.Optional(IsoDateSchema),
  }, { additionalProperties: false }),
} satisfies Record<ReportCommandType, TSchema>

export type CommandInput<T extends ReportCommandType> = Static<(typeof COMMAND_INPUT_SCHEMAS)[T]>

export interface FieldError {
  path: string // JSON pointer, e.g. '/terms/schedule/windows/0/end'
  message: string
}

/** The first 20 failing paths of an input, one message each. */
const schemaErrors = (schema: TSchema, input: unknown): FieldError[] => {
  const fields: FieldError[] = []
  const seen = new Set<string>()
  for (const e of Value.Errors(schema, input)) {
    if (seen.has(e.path)) continue
    seen.add(e.path)
    fields.push({ path: e.path || '/', message: e.message })
    if (fields.length >= 20) break
  }
  return fields
}

export type InputCheck<T extends ReportCommandType> = { ok: true; value: CommandInput<T> } | { ok: false; error: DomainError }

/** Validates one command's input. On failure: DomainError VALIDATION_FAILED with details.fields = [{path, message}]. */
export const validateCommandInput = <T extends ReportCommandType>(type: T, input: unknown): InputCheck<T> => {
  const schema = COMMAND_INPUT_SCHEMAS[type] as TSchema | undefined
  if (!schema) return { ok: false, error: new DomainError('VALIDATION_FAILED', { fields: [{ path: '/type', message: `unknown command ${String(type)}` }] }) }
  if (Value.Check(schema, input)) return { ok: true, value: input as CommandInput<T> }
  return { ok: false, error: new DomainError('VALIDATION_FAILED', { fields: schemaErrors(schema, input) }) }
}

/** Same, throwing the DomainError. */
export const assertCommandInput = <T extends ReportCommandType>(type: T, input: unknown): CommandInput<T> => {
  const r = validateCommandInput(type, input)
  if (!r.ok) throw r.error
  return r.value
}

/** Checks terms as read from a form or a batch row against the same schema as the API. */
export const validateTermsInput = (input: unknown): { ok: true } | { ok: false; fields: FieldError[] } => {
  if (Value.Check(TermsInputSchema, input)) return { ok: true }
  return { ok: false, fields: schemaErrors(TermsInputSchema, input) }
}
