// GET /review/date-reading: what a date field of a back-office or administration form reads as, while the person
// types (htmx on change), before the form is sent — the same reading and message the form gets when sent
// (http/forms/date-field.ts readDateField, on domain/roc-date.ts parseDateInput). Staff and administrators only;
// reads nothing but the typed value.
import { Type } from '@sinclair/typebox'
import { requireRole } from '../session.js'
import type { App } from '../schemas.js'
import { dateExamples, DateInputField, readDateField } from '../forms/date-field.js'
import { BASE } from './context.js'

/** The date fields of the back office and administration forms (their input names). */
export const DATE_FIELD_NAMES = [
  'from', 'to', 'asOfDate', 'effectiveDate', 'publishedOn',
  'submittedFrom', 'submittedTo', 'supportFrom', 'supportTo', 'approvedFrom', 'approvedTo',
] as const

const ReadingQuery = Type.Object({
  field: Type.Union(DATE_FIELD_NAMES.map((f) => Type.Literal(f))),
  /** the element id of the input (its slot is #reading-<id>) */
  id: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]{0,39}$' }),
  /** the field's label, for the message ('起日格式不正確（…）') */
  label: Type.String({ minLength: 1, maxLength: 20 }),
  /** a pair's side, said before the reading ('起 讀作：…') */
  side: Type.Optional(Type.Union([Type.Literal('起'), Type.Literal('迄')])),
  ...Object.fromEntries(DATE_FIELD_NAMES.map((f) => [f, Type.Optional(DateInputField)])),
})

export async function registerDateReadingRoutes(app: App) {
  app.get(`${BASE}/date-reading`, { onRequest: requireRole('reviewer', 'statistician', 'admin', 'bureau_admin'), schema: { querystring: ReadingQuery } }, async (request, reply) => {
    const q = request.query as { field: (typeof DATE_FIELD_NAMES)[number]; id: string; label: string; side?: string } & Record<string, string | undefined>
    const field = readDateField(q[q.field], q.label, dateExamples(app.services.clock()))
    return reply.type('text/html; charset=utf-8').viewAsync('partials/date-reading.eta', { field, id: q.id, prefix: q.side ? `${q.side} ` : '' })
  })
}
