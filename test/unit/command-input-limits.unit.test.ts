// One input schema per command: the JSON API's bodies are the domain's command input schemas, and the report form
// (and so the batch upload) checks what it read against the same schema, with the same limits.
import t from 'tap'
import { FormatRegistry } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { isUuid } from '../../domain/name-uuid.js'
import { COMMAND_INPUT_SCHEMAS, INPUT_LIMITS, TermsInputSchema, validateCommandInput } from '../../domain/report/command-schemas.js'
import { ApiCancelBody, ApiChangeBody, ApiDraftBody, ApiTerms, ApiWithdrawBody } from '../../http/schemas.js'
import { checkReportForm, emptyReportForm } from '../../http/forms/report-form.js'

const window = { start: '08:00', end: '09:00' }
const terms = (windows: number) => ({
  supportedCode: '0165020004', department: '01', purpose: '01',
  schedule: { kind: 'weekly', from: '2030-03-01', to: '2030-03-31', weekdays: [1], windows: Array.from({ length: windows }, (_, i) => ({ start: `${String(i + 8).padStart(2, '0')}:00`, end: `${String(i + 8).padStart(2, '0')}:30` })) },
})
const sessions = (n: number) => ({ ...terms(1), schedule: { kind: 'sessions', sessions: Array.from({ length: n }, (_, i) => ({ date: `2030-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`, ...window })) } })
const commandId = '0f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d6'
// fastify checks formats with ajv; TypeBox's Value needs the format told
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', isUuid)

t.test('the API validates with the domain schemas', async (t) => {
  t.equal(ApiTerms, TermsInputSchema, 'terms: the same schema object')
  for (const [body, type, extra] of [
    [ApiChangeBody, 'RequestChange', { terms: terms(1), reason: '改時段' }],
    [ApiCancelBody, 'RequestCancellation', { effectiveDate: '2030-03-15', reason: '歇業' }],
    [ApiWithdrawBody, 'WithdrawReport', { reason: 'x'.repeat(INPUT_LIMITS.reason) }],
  ] as const) {
    t.ok(Value.Check(body, { commandId, ...extra }), `${type} accepted`)
    t.ok(validateCommandInput(type, extra).ok)
    const tooLong = { ...extra, reason: 'x'.repeat(INPUT_LIMITS.reason + 1) }
    t.notOk(Value.Check(body, { commandId, ...tooLong }), `${type}: the API refuses a reason over the limit`)
    t.notOk(validateCommandInput(type, tooLong).ok, `${type}: so does the command schema`)
    t.notOk(Value.Check(body, { commandId, ...extra, extra: 1 }), 'no unknown fields')
  }
  for (const [n, ok] of [[INPUT_LIMITS.windows, true], [INPUT_LIMITS.windows + 1, false]] as const) {
    t.equal(Value.Check(ApiDraftBody, { commandId, terms: terms(n) }), ok, `API: ${n} windows`)
    t.equal(validateCommandInput('DraftReport', { terms: terms(n) }).ok, ok, `command schema: ${n} windows`)
  }
  for (const [n, ok] of [[INPUT_LIMITS.sessions, true], [INPUT_LIMITS.sessions + 1, false]] as const) {
    t.equal(Value.Check(ApiDraftBody, { commandId, terms: sessions(n) }), ok, `API: ${n} sessions`)
    t.equal(validateCommandInput('EditDraft', { terms: sessions(n) }).ok, ok, `command schema: ${n} sessions`)
  }
  t.equal(COMMAND_INPUT_SCHEMAS.DraftReport.properties.terms, TermsInputSchema)
})

t.test('the report form keeps the same limits', async (t) => {
  const form = (n: number) => ({
    ...emptyReportForm(), commandId, supportedCode: '0165020004', department: '01', purpose: '01', from: '1190301', to: '1190331', weekdays: ['1', '1'],
    winStart: Array.from({ length: n }, (_, i) => `${String(i + 6).padStart(2, '0')}00`), winEnd: Array.from({ length: n }, (_, i) => `${String(i + 6).padStart(2, '0')}30`),
  })
  const ok = checkReportForm(form(INPUT_LIMITS.windows), { needsApplicant: false, intent: 'submit' })
  t.same(ok.errors, {}, JSON.stringify(ok.errors))
  t.same(ok.input?.schedule.kind === 'weekly' && ok.input.schedule.weekdays, [1], 'a weekday ticked twice counts once')
  const over = checkReportForm(form(INPUT_LIMITS.windows + 1), { needsApplicant: false, intent: 'submit' })
  t.equal(over.input, undefined)
  t.equal(over.errors['winStart.0'], `每日支援時段最多 ${INPUT_LIMITS.windows} 個`, 'shown at the first time field')
})
